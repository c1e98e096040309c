import * as z from 'zod';
import type {
  BlockIoDeviceStats,
  BlockIoStats,
  CgroupStats,
  CpuStats,
  CpuThrottling,
  HugetlbStats,
  MemoryStats,
  NetworkInterfaceStats,
  PidsStats,
  Pressure,
  PressureLine,
  RawStats,
  RawValue,
} from './stats.js';

/**
 * zod schemas of what `Cgroup.stats()`, `readNetworkStats()` and `takeSample()` return, for
 * callers that check stats crossing a boundary (a file, a socket). Published as
 * `@execdriver/cgroups/schema`, so that the readers themselves load no zod. Each schema infers
 * exactly the plain type of `stats.ts` (checked below at compile time); see there for the fields.
 */

const count = z.number().nonnegative();
/** `null`: no limit. */
const limit = z.number().nonnegative().nullable();

export const cpuThrottlingSchema = z.object({
  /** Enforcement periods that have elapsed (`nr_periods`). */
  periods: count,
  /** Periods in which the cgroup was throttled (`nr_throttled`). */
  throttledPeriods: count,
  /** Total time throttled (v1 `throttled_time`, v2 `throttled_usec` x 1000). */
  throttledNanoseconds: count,
});

export const cpuStatsSchema = z.object({
  /** v1 `cpuacct.usage`, v2 `cpu.stat usage_usec` x 1000. */
  usageNanoseconds: count.optional(),
  /** v1 `cpuacct.usage_user` (or `cpuacct.stat user` in USER_HZ ticks), v2 `user_usec` x 1000. */
  userNanoseconds: count.optional(),
  /** v1 `cpuacct.usage_sys` (or `cpuacct.stat system`), v2 `system_usec` x 1000. */
  systemNanoseconds: count.optional(),
  /** v1 only: `cpuacct.usage_percpu`, one entry per possible CPU. */
  perCpuUsageNanoseconds: z.array(count).optional(),
  /** Present when the cpu controller's bandwidth statistics are (v1 `cpu.stat`, v2 `nr_periods`). */
  throttling: cpuThrottlingSchema.optional(),
});

export const memoryStatsSchema = z.object({
  /** v1 `memory.usage_in_bytes`, v2 `memory.current`. */
  usageBytes: count.optional(),
  /** High-water mark: v1 `memory.max_usage_in_bytes`, v2 `memory.peak` (Linux 5.19+). */
  maxUsageBytes: count.optional(),
  /** v1 `memory.limit_in_bytes`, v2 `memory.max`. */
  limitBytes: limit.optional(),
  /** Page cache: v1 `total_cache` (or `cache`), v2 `file` of memory.stat. */
  cacheBytes: count.optional(),
  /** Anonymous memory: v1 `total_rss` (or `rss`), v2 `anon` of memory.stat. */
  rssBytes: count.optional(),
  /** v1 `total_inactive_file` (or `inactive_file`), v2 `inactive_file`. */
  inactiveFileBytes: count.optional(),
  /** Swap alone: v1 `memory.memsw.usage_in_bytes` - `memory.usage_in_bytes`, v2 `memory.swap.current`. */
  swapUsageBytes: count.optional(),
  /** Swap alone: v1 memsw limit - memory limit, v2 `memory.swap.max`. */
  swapLimitBytes: limit.optional(),
  /** v1 only: `memory.failcnt`, times usage hit the limit. */
  failCount: count.optional(),
  /** v2 only: `oom` of memory.events, times the cgroup hit its limit and an OOM was about to happen. */
  oomEvents: count.optional(),
  /** Processes killed by the OOM killer: v1 `oom_kill` of memory.oom_control (Linux 4.13+), v2 `oom_kill` of memory.events. */
  oomKillEvents: count.optional(),
  /** v1 only: `under_oom` of memory.oom_control. */
  underOom: z.boolean().optional(),
  /** The whole `memory.stat` map as the kernel names its keys. */
  stat: z.record(z.string(), z.number()).optional(),
});

export const pidsStatsSchema = z.object({
  /** `pids.current`. */
  current: count.optional(),
  /** `pids.max`. */
  limit: limit.optional(),
});

export const blockIoDeviceStatsSchema = z.object({
  major: count,
  minor: count,
  /** v1 `Read` of blkio.throttle.io_service_bytes(_recursive), v2 `rbytes` of io.stat. */
  readBytes: count.optional(),
  writeBytes: count.optional(),
  /** v1 `Read` of blkio.throttle.io_serviced(_recursive), v2 `rios`. */
  readOperations: count.optional(),
  writeOperations: count.optional(),
  discardBytes: count.optional(),
  discardOperations: count.optional(),
});

export const blockIoStatsSchema = z.object({
  devices: z.array(blockIoDeviceStatsSchema),
});

export const hugetlbStatsSchema = z.object({
  /** v1 `hugetlb.<size>.usage_in_bytes`, v2 `hugetlb.<size>.current`. */
  usageBytes: count.optional(),
  /** v1 only: `hugetlb.<size>.max_usage_in_bytes`. */
  maxUsageBytes: count.optional(),
  /** v1 `limit_in_bytes`, v2 `max`. */
  limitBytes: limit.optional(),
  /** Allocations that failed on the limit: v1 `failcnt`, v2 `max` of `hugetlb.<size>.events`. */
  failCount: count.optional(),
});

export const pressureLineSchema = z.object({
  /** Share of wall time stalled, in percent, over the last 10, 60 and 300 seconds. */
  avg10: z.number(),
  avg60: z.number(),
  avg300: z.number(),
  /** Total stall time. */
  totalMicroseconds: count,
});

export const pressureSchema = z.object({
  some: pressureLineSchema,
  /** Absent for cpu on kernels before 5.13 at the root. */
  full: pressureLineSchema.optional(),
});

/** One parsed kernel file, as `raw` keeps it. */
export const rawValueSchema = z.union([
  z.number(),
  z.literal('max'),
  z.array(z.number()),
  z.record(z.string(), z.number()),
  z.record(z.string(), z.record(z.string(), z.union([z.number(), z.literal('max')]))),
]);

export const rawStatsSchema = z.object({
  /** File name (`memory.stat`, `cpuacct.usage_percpu`...) to its parsed content, from v1 hierarchies. */
  v1: z.record(z.string(), rawValueSchema).optional(),
  /** File name (`memory.events`, `io.stat`, `cpu.pressure`...) to its parsed content, from the unified hierarchy. */
  v2: z.record(z.string(), rawValueSchema).optional(),
});

export const networkInterfaceStatsSchema = z.object({
  rxBytes: count,
  rxPackets: count,
  rxErrors: count,
  rxDropped: count,
  txBytes: count,
  txPackets: count,
  txErrors: count,
  txDropped: count,
});

export const cgroupStatsSchema = z.object({
  /** When the sample was taken (RFC 3339). */
  readAt: z.iso.datetime(),
  cpu: cpuStatsSchema.optional(),
  memory: memoryStatsSchema.optional(),
  pids: pidsStatsSchema.optional(),
  blockIo: blockIoStatsSchema.optional(),
  /** Keyed by page size as the kernel spells it in file names: `2MB`, `1GB`, `64KB`. */
  hugetlb: z.record(z.string(), hugetlbStatsSchema).optional(),
  /** Pressure stall information (v2 hierarchy, kernel with PSI). */
  pressure: z
    .object({ cpu: pressureSchema.optional(), memory: pressureSchema.optional(), io: pressureSchema.optional() })
    .optional(),
  raw: rawStatsSchema,
});

export type {
  BlockIoDeviceStats,
  BlockIoStats,
  CgroupStats,
  CpuStats,
  CpuThrottling,
  HugetlbStats,
  MemoryStats,
  NetworkInterfaceStats,
  PidsStats,
  Pressure,
  PressureLine,
  RawStats,
  RawValue,
};

// Each schema infers exactly its plain type: a field added to one side only fails the build.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type SchemasMatchTypes = [
  Expect<Equal<z.infer<typeof cpuThrottlingSchema>, CpuThrottling>>,
  Expect<Equal<z.infer<typeof cpuStatsSchema>, CpuStats>>,
  Expect<Equal<z.infer<typeof memoryStatsSchema>, MemoryStats>>,
  Expect<Equal<z.infer<typeof pidsStatsSchema>, PidsStats>>,
  Expect<Equal<z.infer<typeof blockIoDeviceStatsSchema>, BlockIoDeviceStats>>,
  Expect<Equal<z.infer<typeof blockIoStatsSchema>, BlockIoStats>>,
  Expect<Equal<z.infer<typeof hugetlbStatsSchema>, HugetlbStats>>,
  Expect<Equal<z.infer<typeof pressureLineSchema>, PressureLine>>,
  Expect<Equal<z.infer<typeof pressureSchema>, Pressure>>,
  Expect<Equal<z.infer<typeof rawValueSchema>, RawValue>>,
  Expect<Equal<z.infer<typeof rawStatsSchema>, RawStats>>,
  Expect<Equal<z.infer<typeof networkInterfaceStatsSchema>, NetworkInterfaceStats>>,
  Expect<Equal<z.infer<typeof cgroupStatsSchema>, CgroupStats>>,
];
