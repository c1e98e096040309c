// The stats readers load no zod; the zod schemas of the same shapes are `@execdriver/cgroups/schema`.
export { CgroupError, type CgroupErrorCode } from './errors.js';
export { detectCgroupMode, type CgroupMode } from './mode.js';
export { readFreezerState, type FreezerState, type ReadFreezerStateOptions } from './freezer.js';
export {
  openCgroup,
  openCgroupOfPid,
  type Cgroup,
  type CgroupRootOptions,
  type ControllerDirectory,
  type OpenCgroupOfPidOptions,
  type StatsOptions,
} from './cgroup.js';
export { parseProcCgroup, readProcCgroup, type ProcCgroupEntry } from './proc-cgroup.js';
export type {
  BlockIoDeviceStats,
  BlockIoStats,
  CgroupStats,
  CpuStats,
  CpuThrottling,
  HugetlbStats,
  MemoryStats,
  PidsStats,
  Pressure,
  PressureLine,
  RawStats,
  RawValue,
} from './stats.js';
export { readSystemCpuUsage, readOnlineCpuCount, type ProcRootOptions } from './system.js';
export { readNetworkStats, parseNetDev, type NetworkInterfaceStats } from './network.js';
export { takeSample, type Sample, type TakeSampleOptions } from './sample.js';
export { cpuPercent, memoryUsageWithoutCache } from './calculations.js';
export {
  toDockerStats,
  type DockerBlkioStatEntry,
  type DockerCpuStats,
  type DockerStats,
  type ToDockerStatsOptions,
} from './docker-stats.js';
export { oomCountersFile, readOomCounters, type OomCounters } from './oom-counters.js';
export { watchOom, watchStats, type OomEvent, type WatchOomOptions, type WatchStatsOptions } from './watch.js';
