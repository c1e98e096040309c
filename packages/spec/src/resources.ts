import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

/** Docker's lower bound for a memory limit (`Minimum memory limit allowed is 6MB`). */
export const minimumMemoryBytes = 6 * 1024 * 1024;

/** The rlimit names Linux knows (`RLIMIT_<NAME>`), as Docker's --ulimit spells them. */
export const knownRlimits = [
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
] as const;
export type RlimitName = (typeof knownRlimits)[number];

const rlimitNames = new Set<string>(knownRlimits);

/** A cpuset list such as `0-3,7`: ascending ranges are not required, but each range must be low-high. */
export function isCpusetList(list: string): boolean {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) return false;
  return list.split(',').every((part) => {
    const [low, high] = part.split('-').map(Number);
    return high === undefined || low! <= high;
  });
}

const cpusetSchema = lazySchema(() => z.string().refine(isCpusetList, { message: 'must be a cpu/mem list like 0-3,7' }));
const bytes = lazySchema(() => z.number().int().positive());

/** An rlimit (`--ulimit nofile=1024:2048`): name without `RLIMIT_`, soft not above hard. */
export const ulimitSchema = lazySchema(() =>
  z
    .strictObject({
      name: z.string().transform((name, context) => {
        const lower = name.toLowerCase().replace(/^rlimit_/, '');
        if (!rlimitNames.has(lower)) {
          context.addIssue({ code: 'custom', message: `unknown rlimit ${JSON.stringify(name)}`, input: name });
          return z.NEVER;
        }
        return lower as RlimitName;
      }),
      /** -1 means unlimited (RLIM_INFINITY), as Docker's `--ulimit memlock=-1:-1`. */
      soft: z.number().int().min(-1),
      hard: z.number().int().min(-1),
    })
    .refine((limit) => unlimitedAsInfinity(limit.soft) <= unlimitedAsInfinity(limit.hard), { message: 'soft limit must not be above the hard limit' }),
);

function unlimitedAsInfinity(value: number): number {
  return value === -1 ? Number.POSITIVE_INFINITY : value;
}
export type Ulimit = z.infer<typeof ulimitSchema>;

/** Resource limits of a container, Docker's names with units in bytes. */
export const resourcesSchema = lazySchema(() =>
  z
    .strictObject({
      /** Memory limit in bytes; Docker refuses less than 6 MiB. */
      memory: bytes.min(minimumMemoryBytes, { message: `must be at least ${minimumMemoryBytes} bytes` }).optional(),
      /** Soft limit (memory.soft_limit_in_bytes / memory.low). */
      memoryReservation: bytes.optional(),
      /** Memory plus swap in bytes, at least `memory`; -1 for unlimited swap. */
      memorySwap: z.union([z.literal(-1), bytes]).optional(),
      /** Kernel memory limit (cgroup v1 only; deprecated by the kernel). */
      kernelMemory: bytes.optional(),
      /** 0 to 100 (cgroup v1 only). */
      memorySwappiness: z.number().int().min(0).max(100).optional(),
      oomKillDisable: z.boolean().optional(),
      /** Relative CPU weight; at least 2 (cgroup v1 cpu.shares), at most 262144. */
      cpuShares: z.number().int().min(2).max(262144).optional(),
      /** CFS period in microseconds: 1000 (1 ms) to 1000000 (1 s). */
      cpuPeriod: z.number().int().min(1000).max(1_000_000).optional(),
      /** CFS quota in microseconds per period, at least 1000; -1 for none. */
      cpuQuota: z.union([z.literal(-1), z.number().int().min(1000)]).optional(),
      /** Number of CPUs, e.g. 1.5 (Docker's --cpus): becomes a quota over a 100 ms period. Docker: "Range of CPUs is from 0.01 to N". */
      cpus: z.number().min(0.01, { message: 'must be at least 0.01 (the range of CPUs is from 0.01 to the number of CPUs)' }).max(1024).optional(),
      cpusetCpus: cpusetSchema.optional(),
      cpusetMems: cpusetSchema.optional(),
      /** Block I/O weight, 10 to 1000. */
      blkioWeight: z.number().int().min(10).max(1000).optional(),
      /** Maximum number of processes; -1 or 0 for unlimited, as Docker. */
      pidsLimit: z.number().int().min(-1).optional(),
      ulimits: z.array(ulimitSchema).optional(),
    })
    .superRefine((resources, context) => {
      const { memory, memorySwap, cpus, cpuQuota, cpuPeriod } = resources;
      if (memorySwap !== undefined && memorySwap !== -1) {
        if (memory === undefined) {
          context.addIssue({ code: 'custom', path: ['memorySwap'], message: 'needs memory to be set as well', input: memorySwap });
        } else if (memorySwap < memory) {
          context.addIssue({ code: 'custom', path: ['memorySwap'], message: `must be at least memory (${memory}) or -1`, input: memorySwap });
        }
      }
      if (resources.memoryReservation !== undefined && memory !== undefined && resources.memoryReservation > memory) {
        context.addIssue({ code: 'custom', path: ['memoryReservation'], message: `must not be above memory (${memory})`, input: resources.memoryReservation });
      }
      if (cpus !== undefined && (cpuQuota !== undefined || cpuPeriod !== undefined)) {
        context.addIssue({ code: 'custom', path: ['cpus'], message: 'conflicts with cpuQuota/cpuPeriod: set one or the other', input: cpus });
      }
      const names = new Set<string>();
      for (const [index, limit] of (resources.ulimits ?? []).entries()) {
        if (names.has(limit.name)) context.addIssue({ code: 'custom', path: ['ulimits', index, 'name'], message: 'set twice', input: limit.name });
        names.add(limit.name);
      }
    }),
);
export type Resources = z.infer<typeof resourcesSchema>;
