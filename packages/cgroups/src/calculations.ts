import type { Sample } from './sample.js';
import type { MemoryStats } from './stats.js';

/**
 * CPU use between two samples in percent of one CPU, the docker CLI's formula:
 * (container CPU delta / host CPU delta) x online CPUs x 100, so 200 means two full CPUs.
 * Returns 0 when either delta is not positive or a figure is missing.
 */
export function cpuPercent(previous: Sample, current: Sample): number {
  const usage = current.stats.cpu?.usageNanoseconds;
  const previousUsage = previous.stats.cpu?.usageNanoseconds;
  if (usage === undefined || previousUsage === undefined) return 0;
  if (current.systemCpuUsageNanoseconds === undefined || previous.systemCpuUsageNanoseconds === undefined) return 0;
  const cpuDelta = usage - previousUsage;
  const systemDelta = current.systemCpuUsageNanoseconds - previous.systemCpuUsageNanoseconds;
  const onlineCpus = current.onlineCpus ?? current.stats.cpu?.perCpuUsageNanoseconds?.length ?? 0;
  if (cpuDelta <= 0 || systemDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * onlineCpus * 100;
}

/**
 * Memory usage less the inactive file cache, the docker CLI's "MEM USAGE": on v1
 * `usage - total_inactive_file`, on v2 `usage - inactive_file`, each only when smaller than usage.
 */
export function memoryUsageWithoutCache(memory: MemoryStats | undefined): number | undefined {
  const usage = memory?.usageBytes;
  if (usage === undefined) return undefined;
  const inactive = memory?.inactiveFileBytes;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}
