import { join } from 'node:path';
import { CgroupError } from './errors.js';
import { countCpuList } from './parse.js';
import { readKernelFile } from './read-file.js';

/** USER_HZ: the unit of /proc/stat. */
const clockTicksPerSecond = 100;

export interface ProcRootOptions {
  /** Where procfs is mounted. Default `/proc`. */
  procRoot?: string;
}

/**
 * The host's cumulative CPU time in nanoseconds, as Docker computes `system_cpu_usage`: the sum
 * of the first seven fields of the `cpu` line of /proc/stat (user, nice, system, idle, iowait,
 * irq, softirq), converted from USER_HZ ticks.
 */
export function readSystemCpuUsage(options: ProcRootOptions = {}): number {
  const path = join(options.procRoot ?? '/proc', 'stat');
  const text = readKernelFile(path);
  if (text === undefined) throw new CgroupError('READ_FAILED', `${path} does not exist: is procfs mounted?`, { path });
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  const fields = line?.split(' ').filter((field) => field !== '').slice(1, 8);
  if (!fields || fields.length < 7 || fields.some((field) => !/^\d+$/.test(field))) {
    throw new CgroupError('INVALID_FORMAT', `${path}: no "cpu" line with seven counters`, { path });
  }
  const ticks = fields.reduce((sum, field) => sum + Number(field), 0);
  return (ticks * 1e9) / clockTicksPerSecond;
}

/** The number of online CPUs, from `<sysRoot>/devices/system/cpu/online` (for example `0-3`). */
export function readOnlineCpuCount(options: { sysRoot?: string } = {}): number {
  const path = join(options.sysRoot ?? '/sys', 'devices/system/cpu/online');
  const text = readKernelFile(path);
  if (text === undefined) throw new CgroupError('READ_FAILED', `${path} does not exist: is sysfs mounted?`, { path });
  return countCpuList(text, path);
}
