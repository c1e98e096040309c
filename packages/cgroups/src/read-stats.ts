import { join } from 'node:path';
import type { Cgroup, StatsOptions } from './cgroup.js';
import {
  parseBlkioV1,
  parseCpuacctUsageAll,
  parseFlatKeyed,
  parseNestedKeyed,
  parseNumberList,
  parseSingleValue,
  toLimit,
  type Max,
} from './parse.js';
import { readKernelFile } from './read-file.js';
import type {
  BlockIoDeviceStats,
  BlockIoStats,
  CgroupStats,
  CpuStats,
  HugetlbStats,
  MemoryStats,
  PidsStats,
  Pressure,
  RawValue,
} from './stats.js';

/** USER_HZ: the unit of `cpuacct.stat` (fixed at 100 on Linux for user space). */
const userHz = 100;

/** Reads files of one directory and records each parsed file in the raw block of its version. */
class FileSource {
  constructor(
    readonly directory: string,
    private readonly raw: Record<string, RawValue>,
  ) {}

  private read<T extends RawValue>(file: string, parse: (text: string, path: string) => T | undefined): T | undefined {
    const path = join(this.directory, file);
    const text = readKernelFile(path);
    if (text === undefined) return undefined;
    const value = parse(text, path);
    if (value !== undefined) this.raw[file] = value;
    return value;
  }

  single(file: string): number | Max | undefined {
    return this.read(file, parseSingleValue);
  }
  number(file: string): number | undefined {
    const value = this.single(file);
    return value === 'max' ? undefined : value;
  }
  flat(file: string): Record<string, number> | undefined {
    return this.read(file, parseFlatKeyed);
  }
  nested(file: string): Record<string, Record<string, number | Max>> | undefined {
    return this.read(file, parseNestedKeyed);
  }
  blkio(file: string): Record<string, Record<string, number>> | undefined {
    return this.read(file, parseBlkioV1);
  }
  usageAll(file: string): Record<string, Record<string, number>> | undefined {
    return this.read(file, parseCpuacctUsageAll);
  }
  list(file: string): number[] | undefined {
    return this.read(file, parseNumberList);
  }
}

/** Drops undefined fields so that absent means absent (and `toEqual` on fixtures stays exact). */
function defined<T extends object>(value: T): T | undefined {
  const entries = Object.entries(value).filter(([, field]) => field !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as T);
}

/** Reads every statistic `cgroup` has (or, `brief`, those of a `docker stats` line), choosing the v1 or v2 reader per controller. */
export function readCgroupStats(cgroup: Cgroup, options: StatsOptions = {}): CgroupStats {
  const brief = options.brief === true;
  const v1: Record<string, RawValue> = {};
  const v2: Record<string, RawValue> = {};
  const source = (controller: string): FileSource | undefined => {
    const location = cgroup.controllers[controller];
    if (location) return new FileSource(location.directory, location.version === 1 ? v1 : v2);
    return undefined;
  };
  const unified = cgroup.unifiedDirectory === undefined ? undefined : new FileSource(cgroup.unifiedDirectory, v2);
  const isV1 = (controller: string) => cgroup.controllers[controller]?.version === 1;

  const readAt = new Date().toISOString();
  const cpu = isV1('cpuacct') || isV1('cpu') ? readCpuV1(source('cpuacct'), brief ? undefined : source('cpu'), brief) : unified && readCpuV2(unified);
  const memory = isV1('memory') ? readMemoryV1(source('memory')!, brief) : cgroup.controllers.memory && readMemoryV2(source('memory')!, brief);
  const pidsSource = source('pids');
  const pids = pidsSource && defined<PidsStats>({ current: pidsSource.number('pids.current'), limit: brief ? undefined : toLimit(pidsSource.single('pids.max')) });
  const blockIo = isV1('blkio') ? readBlockIoV1(source('blkio')!, brief) : cgroup.controllers.io && readBlockIoV2(source('io')!);
  const hugetlbSource = brief ? undefined : source('hugetlb');
  const hugetlb = hugetlbSource && readHugetlb(hugetlbSource, cgroup.hugePageSizes, isV1('hugetlb'));
  const pressure = !brief && unified && readPressure(unified);

  const stats: CgroupStats = { readAt, raw: {} };
  if (cpu) stats.cpu = cpu;
  if (memory) stats.memory = memory;
  if (pids) stats.pids = pids;
  if (blockIo) stats.blockIo = blockIo;
  if (hugetlb) stats.hugetlb = hugetlb;
  if (pressure) stats.pressure = pressure;
  if (Object.keys(v1).length > 0) stats.raw.v1 = v1;
  if (Object.keys(v2).length > 0) stats.raw.v2 = v2;
  return stats;
}

function readCpuV1(cpuacct: FileSource | undefined, cpu: FileSource | undefined, brief = false): CpuStats | undefined {
  if (brief) return defined<CpuStats>({ usageNanoseconds: cpuacct?.number('cpuacct.usage') });
  const bandwidth = cpu?.flat('cpu.stat');
  const throttling =
    bandwidth?.nr_periods === undefined
      ? undefined
      : {
          periods: bandwidth.nr_periods,
          throttledPeriods: bandwidth.nr_throttled ?? 0,
          throttledNanoseconds: bandwidth.throttled_time ?? 0,
        };
  // cpuacct.usage and usage_percpu are exact (scheduler runtime); the user/system split is tick
  // based and sums to a different total, so it is taken only for the split: from usage_all
  // (Linux 4.7+, one file instead of usage_user + usage_sys).
  const usageNanoseconds = cpuacct?.number('cpuacct.usage');
  const perCpuUsageNanoseconds = cpuacct?.list('cpuacct.usage_percpu');
  const all = cpuacct?.usageAll('cpuacct.usage_all');
  if (all) {
    const entries = Object.values(all);
    return defined<CpuStats>({
      usageNanoseconds,
      userNanoseconds: entries.reduce((sum, entry) => sum + (entry.user ?? 0), 0),
      systemNanoseconds: entries.reduce((sum, entry) => sum + (entry.system ?? 0), 0),
      perCpuUsageNanoseconds,
      throttling,
    });
  }
  let userNanoseconds = cpuacct?.number('cpuacct.usage_user');
  let systemNanoseconds = cpuacct?.number('cpuacct.usage_sys');
  if (cpuacct && (userNanoseconds === undefined || systemNanoseconds === undefined)) {
    // Before Linux 4.7 only cpuacct.stat exists, in USER_HZ ticks.
    const ticks = cpuacct.flat('cpuacct.stat');
    if (ticks?.user !== undefined) userNanoseconds ??= (ticks.user * 1e9) / userHz;
    if (ticks?.system !== undefined) systemNanoseconds ??= (ticks.system * 1e9) / userHz;
  }
  return defined<CpuStats>({ usageNanoseconds, userNanoseconds, systemNanoseconds, perCpuUsageNanoseconds, throttling });
}

function readCpuV2(unified: FileSource): CpuStats | undefined {
  // cpu.stat exists in every cgroup2 directory; the nr_* keys only with the cpu controller.
  const stat = unified.flat('cpu.stat');
  if (!stat) return undefined;
  const nanoseconds = (microseconds: number | undefined) => (microseconds === undefined ? undefined : microseconds * 1000);
  return defined<CpuStats>({
    usageNanoseconds: nanoseconds(stat.usage_usec),
    userNanoseconds: nanoseconds(stat.user_usec),
    systemNanoseconds: nanoseconds(stat.system_usec),
    throttling:
      stat.nr_periods === undefined
        ? undefined
        : {
            periods: stat.nr_periods,
            throttledPeriods: stat.nr_throttled ?? 0,
            throttledNanoseconds: (stat.throttled_usec ?? 0) * 1000,
          },
  });
}

function readMemoryV1(memory: FileSource, brief = false): MemoryStats | undefined {
  const usageBytes = memory.number('memory.usage_in_bytes');
  const limitBytes = toLimit(memory.single('memory.limit_in_bytes'));
  const stat = memory.flat('memory.stat');
  if (brief) return briefMemory(usageBytes, limitBytes, stat, stat?.total_inactive_file ?? stat?.inactive_file);
  const swapAndMemory = memory.number('memory.memsw.usage_in_bytes');
  const swapAndMemoryLimit = toLimit(memory.single('memory.memsw.limit_in_bytes'));
  const oomControl = memory.flat('memory.oom_control');
  return defined<MemoryStats>({
    usageBytes,
    maxUsageBytes: memory.number('memory.max_usage_in_bytes'),
    limitBytes,
    cacheBytes: stat?.total_cache ?? stat?.cache,
    rssBytes: stat?.total_rss ?? stat?.rss,
    inactiveFileBytes: stat?.total_inactive_file ?? stat?.inactive_file,
    swapUsageBytes: swapAndMemory === undefined || usageBytes === undefined ? undefined : Math.max(0, swapAndMemory - usageBytes),
    swapLimitBytes:
      swapAndMemoryLimit === undefined
        ? undefined
        : swapAndMemoryLimit === null || limitBytes === null || limitBytes === undefined
          ? swapAndMemoryLimit
          : Math.max(0, swapAndMemoryLimit - limitBytes),
    failCount: memory.number('memory.failcnt'),
    oomKillEvents: oomControl?.oom_kill,
    underOom: oomControl?.under_oom === undefined ? undefined : oomControl.under_oom !== 0,
    stat,
  });
}

/** The memory figures of a `docker stats` line. */
function briefMemory(usageBytes: number | undefined, limitBytes: number | null | undefined, stat: Record<string, number> | undefined, inactiveFileBytes: number | undefined): MemoryStats | undefined {
  return defined<MemoryStats>({ usageBytes, limitBytes, inactiveFileBytes, stat });
}

function readMemoryV2(memory: FileSource, brief = false): MemoryStats | undefined {
  const stat = memory.flat('memory.stat');
  if (brief) return briefMemory(memory.number('memory.current'), toLimit(memory.single('memory.max')), stat, stat?.inactive_file);
  const events = memory.flat('memory.events');
  return defined<MemoryStats>({
    usageBytes: memory.number('memory.current'),
    maxUsageBytes: memory.number('memory.peak'),
    limitBytes: toLimit(memory.single('memory.max')),
    cacheBytes: stat?.file,
    rssBytes: stat?.anon,
    inactiveFileBytes: stat?.inactive_file,
    swapUsageBytes: memory.number('memory.swap.current'),
    swapLimitBytes: toLimit(memory.single('memory.swap.max')),
    oomEvents: events?.oom,
    oomKillEvents: events?.oom_kill,
    stat,
  });
}

function splitDevice(device: string): { major: number; minor: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(device);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

function readBlockIoV1(blkio: FileSource, brief = false): BlockIoStats | undefined {
  const bytes = blkio.blkio('blkio.throttle.io_service_bytes_recursive') ?? blkio.blkio('blkio.throttle.io_service_bytes');
  const operations = brief ? undefined : (blkio.blkio('blkio.throttle.io_serviced_recursive') ?? blkio.blkio('blkio.throttle.io_serviced'));
  if (!bytes && !operations) return undefined;
  const devices = new Set([...Object.keys(bytes ?? {}), ...Object.keys(operations ?? {})]);
  const result: BlockIoDeviceStats[] = [];
  for (const device of [...devices].sort(compareDevices)) {
    const numbers = splitDevice(device);
    if (!numbers) continue;
    const byteCounts = bytes?.[device];
    const operationCounts = operations?.[device];
    result.push({
      ...numbers,
      ...defined({
        readBytes: byteCounts?.Read,
        writeBytes: byteCounts?.Write,
        readOperations: operationCounts?.Read,
        writeOperations: operationCounts?.Write,
        discardBytes: byteCounts?.Discard,
        discardOperations: operationCounts?.Discard,
      }),
    });
  }
  return { devices: result };
}

function readBlockIoV2(io: FileSource): BlockIoStats | undefined {
  const stat = io.nested('io.stat');
  if (!stat) return undefined;
  const count = (value: number | Max | undefined) => (typeof value === 'number' ? value : undefined);
  const devices: BlockIoDeviceStats[] = [];
  for (const device of Object.keys(stat).sort(compareDevices)) {
    const numbers = splitDevice(device);
    const entry = stat[device];
    if (!numbers || !entry) continue;
    devices.push({
      ...numbers,
      ...defined({
        readBytes: count(entry.rbytes),
        writeBytes: count(entry.wbytes),
        readOperations: count(entry.rios),
        writeOperations: count(entry.wios),
        discardBytes: count(entry.dbytes),
        discardOperations: count(entry.dios),
      }),
    });
  }
  return { devices };
}

function compareDevices(left: string, right: string): number {
  const [leftMajor = 0, leftMinor = 0] = left.split(':').map(Number);
  const [rightMajor = 0, rightMinor = 0] = right.split(':').map(Number);
  return leftMajor - rightMajor || leftMinor - rightMinor;
}

function readHugetlb(hugetlb: FileSource, pageSizes: readonly string[], isV1: boolean): Record<string, HugetlbStats> | undefined {
  const result: Record<string, HugetlbStats> = {};
  for (const size of pageSizes) {
    const prefix = `hugetlb.${size}.`;
    const entry = isV1
      ? defined<HugetlbStats>({
          usageBytes: hugetlb.number(`${prefix}usage_in_bytes`),
          maxUsageBytes: hugetlb.number(`${prefix}max_usage_in_bytes`),
          limitBytes: toLimit(hugetlb.single(`${prefix}limit_in_bytes`)),
          failCount: hugetlb.number(`${prefix}failcnt`),
        })
      : defined<HugetlbStats>({
          usageBytes: hugetlb.number(`${prefix}current`),
          limitBytes: toLimit(hugetlb.single(`${prefix}max`)),
          failCount: hugetlb.flat(`${prefix}events`)?.max,
        });
    if (entry) result[size] = entry;
  }
  return Object.keys(result).length === 0 ? undefined : result;
}

function readPressure(unified: FileSource): CgroupStats['pressure'] {
  const one = (resource: string): Pressure | undefined => {
    const parsed = unified.nested(`${resource}.pressure`);
    const line = (key: string) => {
      const values = parsed?.[key];
      if (!values) return undefined;
      const number = (name: string) => (typeof values[name] === 'number' ? values[name] : 0);
      return { avg10: number('avg10'), avg60: number('avg60'), avg300: number('avg300'), totalMicroseconds: number('total') };
    };
    const some = line('some');
    if (!some) return undefined;
    const full = line('full');
    return full ? { some, full } : { some };
  };
  return defined({ cpu: one('cpu'), memory: one('memory'), io: one('io') });
}
