/**
 * The shape `Cgroup.stats()` returns: a normalised part whose field names carry their unit,
 * identical on cgroup v1, v2 and hybrid hosts, plus `raw`, every file that was read, parsed
 * but not renamed, per hierarchy version (so v2-only data such as memory.events is kept).
 *
 * Conventions: a block or field is absent when its controller or file is absent. A limit is a
 * number or `null` for "no limit" (`max` on v2, PAGE_COUNTER_MAX on v1). Counters are plain
 * numbers: exact up to 2^53 (104 days of CPU time in nanoseconds), rounded beyond.
 *
 * Plain types, so that reading stats loads no schema library: the zod schemas that check the
 * same shapes are in `@execdriver/cgroups/schema` (`stats-schema.ts`, held equal to these types).
 */

export interface CpuThrottling {
  /** Enforcement periods that have elapsed (`nr_periods`). */
  periods: number;
  /** Periods in which the cgroup was throttled (`nr_throttled`). */
  throttledPeriods: number;
  /** Total time throttled (v1 `throttled_time`, v2 `throttled_usec` x 1000). */
  throttledNanoseconds: number;
}

export interface CpuStats {
  /** v1 `cpuacct.usage`, v2 `cpu.stat usage_usec` x 1000. */
  usageNanoseconds?: number;
  /** v1 `cpuacct.usage_user` (or `cpuacct.stat user` in USER_HZ ticks), v2 `user_usec` x 1000. */
  userNanoseconds?: number;
  /** v1 `cpuacct.usage_sys` (or `cpuacct.stat system`), v2 `system_usec` x 1000. */
  systemNanoseconds?: number;
  /** v1 only: `cpuacct.usage_percpu`, one entry per possible CPU. */
  perCpuUsageNanoseconds?: number[];
  /** Present when the cpu controller's bandwidth statistics are (v1 `cpu.stat`, v2 `nr_periods`). */
  throttling?: CpuThrottling;
}

export interface MemoryStats {
  /** v1 `memory.usage_in_bytes`, v2 `memory.current`. */
  usageBytes?: number;
  /** High-water mark: v1 `memory.max_usage_in_bytes`, v2 `memory.peak` (Linux 5.19+). */
  maxUsageBytes?: number;
  /** v1 `memory.limit_in_bytes`, v2 `memory.max`; `null`: no limit. */
  limitBytes?: number | null;
  /** Page cache: v1 `total_cache` (or `cache`), v2 `file` of memory.stat. */
  cacheBytes?: number;
  /** Anonymous memory: v1 `total_rss` (or `rss`), v2 `anon` of memory.stat. */
  rssBytes?: number;
  /** v1 `total_inactive_file` (or `inactive_file`), v2 `inactive_file`. */
  inactiveFileBytes?: number;
  /** Swap alone: v1 `memory.memsw.usage_in_bytes` - `memory.usage_in_bytes`, v2 `memory.swap.current`. */
  swapUsageBytes?: number;
  /** Swap alone: v1 memsw limit - memory limit, v2 `memory.swap.max`; `null`: no limit. */
  swapLimitBytes?: number | null;
  /** v1 only: `memory.failcnt`, times usage hit the limit. */
  failCount?: number;
  /** v2 only: `oom` of memory.events, times the cgroup hit its limit and an OOM was about to happen. */
  oomEvents?: number;
  /** Processes killed by the OOM killer: v1 `oom_kill` of memory.oom_control (Linux 4.13+), v2 `oom_kill` of memory.events. */
  oomKillEvents?: number;
  /** v1 only: `under_oom` of memory.oom_control. */
  underOom?: boolean;
  /** The whole `memory.stat` map as the kernel names its keys. */
  stat?: Record<string, number>;
}

export interface PidsStats {
  /** `pids.current`. */
  current?: number;
  /** `pids.max`; `null`: no limit. */
  limit?: number | null;
}

export interface BlockIoDeviceStats {
  major: number;
  minor: number;
  /** v1 `Read` of blkio.throttle.io_service_bytes(_recursive), v2 `rbytes` of io.stat. */
  readBytes?: number;
  writeBytes?: number;
  /** v1 `Read` of blkio.throttle.io_serviced(_recursive), v2 `rios`. */
  readOperations?: number;
  writeOperations?: number;
  discardBytes?: number;
  discardOperations?: number;
}

export interface BlockIoStats {
  devices: BlockIoDeviceStats[];
}

export interface HugetlbStats {
  /** v1 `hugetlb.<size>.usage_in_bytes`, v2 `hugetlb.<size>.current`. */
  usageBytes?: number;
  /** v1 only: `hugetlb.<size>.max_usage_in_bytes`. */
  maxUsageBytes?: number;
  /** v1 `limit_in_bytes`, v2 `max`; `null`: no limit. */
  limitBytes?: number | null;
  /** Allocations that failed on the limit: v1 `failcnt`, v2 `max` of `hugetlb.<size>.events`. */
  failCount?: number;
}

export interface PressureLine {
  /** Share of wall time stalled, in percent, over the last 10, 60 and 300 seconds. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Total stall time. */
  totalMicroseconds: number;
}

export interface Pressure {
  some: PressureLine;
  /** Absent for cpu on kernels before 5.13 at the root. */
  full?: PressureLine;
}

/** One parsed kernel file, as `raw` keeps it. */
export type RawValue = number | 'max' | number[] | Record<string, number> | Record<string, Record<string, number | 'max'>>;

export interface RawStats {
  /** File name (`memory.stat`, `cpuacct.usage_percpu`...) to its parsed content, from v1 hierarchies. */
  v1?: Record<string, RawValue>;
  /** File name (`memory.events`, `io.stat`, `cpu.pressure`...) to its parsed content, from the unified hierarchy. */
  v2?: Record<string, RawValue>;
}

export interface CgroupStats {
  /** When the sample was taken (RFC 3339). */
  readAt: string;
  cpu?: CpuStats;
  memory?: MemoryStats;
  pids?: PidsStats;
  blockIo?: BlockIoStats;
  /** Keyed by page size as the kernel spells it in file names: `2MB`, `1GB`, `64KB`. */
  hugetlb?: Record<string, HugetlbStats>;
  /** Pressure stall information (v2 hierarchy, kernel with PSI). */
  pressure?: { cpu?: Pressure; memory?: Pressure; io?: Pressure };
  raw: RawStats;
}

/** Per-interface counters of a network namespace, from `/proc/<pid>/net/dev`. */
export interface NetworkInterfaceStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}
