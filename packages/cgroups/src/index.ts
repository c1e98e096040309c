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
} from './cgroup.js';
export { parseProcCgroup, readProcCgroup, type ProcCgroupEntry } from './proc-cgroup.js';
export {
  blockIoDeviceStatsSchema,
  blockIoStatsSchema,
  cgroupStatsSchema,
  cpuStatsSchema,
  cpuThrottlingSchema,
  hugetlbStatsSchema,
  memoryStatsSchema,
  pidsStatsSchema,
  pressureLineSchema,
  pressureSchema,
  rawStatsSchema,
  rawValueSchema,
  type BlockIoDeviceStats,
  type BlockIoStats,
  type CgroupStats,
  type CpuStats,
  type CpuThrottling,
  type HugetlbStats,
  type MemoryStats,
  type PidsStats,
  type Pressure,
  type PressureLine,
  type RawStats,
  type RawValue,
} from './stats-schema.js';
export { readSystemCpuUsage, readOnlineCpuCount, type ProcRootOptions } from './system.js';
export { readNetworkStats, parseNetDev, networkInterfaceStatsSchema, type NetworkInterfaceStats } from './network.js';
export { takeSample, type Sample, type TakeSampleOptions } from './sample.js';
export { cpuPercent, memoryUsageWithoutCache } from './calculations.js';
export {
  toDockerStats,
  type DockerBlkioStatEntry,
  type DockerCpuStats,
  type DockerStats,
  type ToDockerStatsOptions,
} from './docker-stats.js';
export { watchOom, watchStats, type OomEvent, type WatchOomOptions, type WatchStatsOptions } from './watch.js';
