import { totalmem } from 'node:os';
import type { Sample } from './sample.js';

/** One entry of Docker's `blkio_stats` arrays. */
export interface DockerBlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface DockerCpuStats {
  cpu_usage: {
    total_usage: number;
    /** cgroup v1 only. */
    percpu_usage?: number[];
    usage_in_kernelmode: number;
    usage_in_usermode: number;
  };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** The Docker Engine API's ContainerStatsResponse, Linux fields (API 1.56). */
export interface DockerStats {
  id?: string;
  name?: string;
  os_type: 'linux';
  read: string;
  preread: string;
  num_procs: 0;
  cpu_stats: DockerCpuStats;
  precpu_stats: DockerCpuStats;
  memory_stats: {
    usage?: number;
    /** cgroup v1 only. */
    max_usage?: number;
    stats?: Record<string, number>;
    /** cgroup v1 only. */
    failcnt?: number;
    limit?: number;
  };
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: DockerBlkioStatEntry[] | null;
    io_serviced_recursive: DockerBlkioStatEntry[] | null;
    io_queue_recursive: DockerBlkioStatEntry[] | null;
    io_service_time_recursive: DockerBlkioStatEntry[] | null;
    io_wait_time_recursive: DockerBlkioStatEntry[] | null;
    io_merged_recursive: DockerBlkioStatEntry[] | null;
    io_time_recursive: DockerBlkioStatEntry[] | null;
    sectors_recursive: DockerBlkioStatEntry[] | null;
  };
  networks?: Record<
    string,
    {
      rx_bytes: number;
      rx_packets: number;
      rx_errors: number;
      rx_dropped: number;
      tx_bytes: number;
      tx_packets: number;
      tx_errors: number;
      tx_dropped: number;
    }
  >;
}

export interface ToDockerStatsOptions {
  id?: string;
  name?: string;
  /**
   * Docker reports the host's memory as `limit` when the container has none (or a bigger one).
   * Default `os.totalmem()`.
   */
  machineMemoryBytes?: number;
}

/** Docker's "zero time", used for `preread` when there is no previous sample. */
const zeroTime = '0001-01-01T00:00:00Z';

function toCpuStats(sample: Sample | undefined): DockerCpuStats {
  const cpu = sample?.stats.cpu;
  const result: DockerCpuStats = {
    cpu_usage: {
      total_usage: cpu?.usageNanoseconds ?? 0,
      usage_in_kernelmode: cpu?.systemNanoseconds ?? 0,
      usage_in_usermode: cpu?.userNanoseconds ?? 0,
    },
    throttling_data: {
      periods: cpu?.throttling?.periods ?? 0,
      throttled_periods: cpu?.throttling?.throttledPeriods ?? 0,
      throttled_time: cpu?.throttling?.throttledNanoseconds ?? 0,
    },
  };
  if (cpu?.perCpuUsageNanoseconds) result.cpu_usage.percpu_usage = cpu.perCpuUsageNanoseconds;
  if (sample?.systemCpuUsageNanoseconds !== undefined) result.system_cpu_usage = sample.systemCpuUsageNanoseconds;
  if (sample?.onlineCpus !== undefined) result.online_cpus = sample.onlineCpus;
  return result;
}

/** v1: every `MAJ:MIN Op VALUE` line of a blkio file, as Docker passes them on. */
function blkioEntries(raw: unknown): DockerBlkioStatEntry[] {
  const entries: DockerBlkioStatEntry[] = [];
  for (const [device, operations] of Object.entries((raw ?? {}) as Record<string, Record<string, number>>)) {
    const [major = 0, minor = 0] = device.split(':').map(Number);
    for (const [op, value] of Object.entries(operations)) entries.push({ major, minor, op, value });
  }
  return entries;
}

/**
 * Converts samples to the Docker Engine API's stats shape (ContainerStatsResponse), so tools that
 * read `docker stats` JSON can read ours. `previous` becomes `precpu_stats` (zeros when absent,
 * as Docker sends on the first sample). Fields Docker reports only on cgroup v1 (`percpu_usage`,
 * `max_usage`, `failcnt`, `io_serviced_recursive`) are left out or `null` on v2, as Docker does.
 */
export function toDockerStats(previous: Sample | undefined, current: Sample, options: ToDockerStatsOptions = {}): DockerStats {
  const { stats } = current;
  const v1Memory = stats.raw.v1?.['memory.usage_in_bytes'] !== undefined;
  const machineMemory = options.machineMemoryBytes ?? totalmem();
  const memory = stats.memory;
  const memoryStats: DockerStats['memory_stats'] = {};
  if (memory?.usageBytes !== undefined) memoryStats.usage = memory.usageBytes;
  if (v1Memory && memory?.maxUsageBytes !== undefined) memoryStats.max_usage = memory.maxUsageBytes;
  if (memory?.stat) memoryStats.stats = memory.stat;
  if (memory?.failCount !== undefined) memoryStats.failcnt = memory.failCount;
  if (memory?.limitBytes !== undefined) {
    memoryStats.limit = memory.limitBytes === null || memory.limitBytes > machineMemory ? machineMemory : memory.limitBytes;
  }

  const pidsStats: DockerStats['pids_stats'] = {};
  if (stats.pids?.current !== undefined) pidsStats.current = stats.pids.current;
  if (stats.pids?.limit !== undefined) pidsStats.limit = stats.pids.limit ?? 0;

  const v1Bytes = stats.raw.v1?.['blkio.throttle.io_service_bytes_recursive'] ?? stats.raw.v1?.['blkio.throttle.io_service_bytes'];
  const v1Operations = stats.raw.v1?.['blkio.throttle.io_serviced_recursive'] ?? stats.raw.v1?.['blkio.throttle.io_serviced'];
  const isV1Blkio = v1Bytes !== undefined || v1Operations !== undefined;
  const v2Bytes: DockerBlkioStatEntry[] = [];
  if (!isV1Blkio) {
    for (const device of stats.blockIo?.devices ?? []) {
      if (device.readBytes !== undefined) v2Bytes.push({ major: device.major, minor: device.minor, op: 'read', value: device.readBytes });
      if (device.writeBytes !== undefined) v2Bytes.push({ major: device.major, minor: device.minor, op: 'write', value: device.writeBytes });
    }
  }
  const result: DockerStats = {
    os_type: 'linux',
    read: stats.readAt,
    preread: previous?.stats.readAt ?? zeroTime,
    num_procs: 0,
    cpu_stats: toCpuStats(current),
    precpu_stats: toCpuStats(previous),
    memory_stats: memoryStats,
    pids_stats: pidsStats,
    blkio_stats: {
      io_service_bytes_recursive: isV1Blkio ? blkioEntries(v1Bytes) : v2Bytes,
      io_serviced_recursive: isV1Blkio ? blkioEntries(v1Operations) : null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
  };
  if (options.id !== undefined) result.id = options.id;
  if (options.name !== undefined) result.name = options.name;
  if (current.networks) {
    result.networks = Object.fromEntries(
      Object.entries(current.networks).map(([name, network]) => [
        name,
        {
          rx_bytes: network.rxBytes,
          rx_packets: network.rxPackets,
          rx_errors: network.rxErrors,
          rx_dropped: network.rxDropped,
          tx_bytes: network.txBytes,
          tx_packets: network.txPackets,
          tx_errors: network.txErrors,
          tx_dropped: network.txDropped,
        },
      ]),
    );
  }
  return result;
}
