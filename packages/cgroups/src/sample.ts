import type { Cgroup } from './cgroup.js';
import { readNetworkStats, type NetworkInterfaceStats } from './network.js';
import type { CgroupStats } from './stats.js';
import { readOnlineCpuCount, readSystemCpuUsage } from './system.js';

/** What Docker-style figures are computed from: a cgroup sample plus host counters taken with it. */
export interface Sample {
  stats: CgroupStats;
  /** `readSystemCpuUsage()` taken right after the cgroup was read. */
  systemCpuUsageNanoseconds?: number;
  onlineCpus?: number;
  /** `readNetworkStats(pid)` of a process in the container, when it has its own network namespace. */
  networks?: Record<string, NetworkInterfaceStats>;
}

export interface TakeSampleOptions {
  /** A process of the container: its network namespace gives `networks`. Omit for none. */
  pid?: number;
  procRoot?: string;
  sysRoot?: string;
  /**
   * The host counters to use instead of reading them: a caller sampling many containers in one
   * tick reads them once for all (as dockerd's stats collector does), not once per container.
   */
  host?: { systemCpuUsageNanoseconds: number; onlineCpus: number };
  /** Only the figures of a `docker stats` line (`Cgroup.stats({ brief: true })`). */
  brief?: boolean;
}

/** Reads `cgroup.stats()`, the host CPU counters and, given a pid, the network counters. */
export async function takeSample(cgroup: Cgroup, options: TakeSampleOptions = {}): Promise<Sample> {
  const stats = await cgroup.stats(options.brief ? { brief: true } : {});
  const sample: Sample = {
    stats,
    systemCpuUsageNanoseconds: options.host?.systemCpuUsageNanoseconds ?? readSystemCpuUsage({ procRoot: options.procRoot }),
    onlineCpus: options.host?.onlineCpus ?? readOnlineCpuCount({ sysRoot: options.sysRoot }),
  };
  if (options.pid !== undefined) sample.networks = readNetworkStats(options.pid, { procRoot: options.procRoot });
  return sample;
}
