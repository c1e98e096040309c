import type { CgroupMode, Resources } from '@execdriver/spec';
import { OciError } from './errors.js';
import { formatCpuList, parseCpuList } from './online-cpus.js';
import type { LinuxResources, OciRlimit } from './oci-types.js';
import type { RuntimeSpecWarning } from './warnings.js';

/** How the host mounts cgroups (defined in @execdriver/spec, re-exported here). */
export type { CgroupMode };

/** Docker's CFS period for `--cpus`: 100 ms. */
export const cpusPeriodMicroseconds = 100_000;

export interface ResourcesContext {
  cgroupMode: CgroupMode;
  /** False when the host has no I/O scheduler with weights (no BFQ): the weight is then left out with a warning. */
  blkioWeightSupported: boolean;
  /** The CPUs online on the host (readOnlineCpus()); when given, cpus and cpusetCpus are checked against them. */
  onlineCpus?: ReadonlySet<number>;
}

/**
 * Docker's checks of the CPU settings against the host: `cpus` at most the number of CPUs online
 * ("Range of CPUs is from 0.01 to N"), and every CPU of `cpusetCpus` online.
 * @throws OciError INVALID_RESOURCES naming the field and value.
 */
export function checkCpusOnline(resources: Resources, onlineCpus: ReadonlySet<number>): void {
  const count = onlineCpus.size;
  if (resources.cpus !== undefined && resources.cpus > count) {
    throw new OciError(
      'INVALID_RESOURCES',
      `resources.cpus ${resources.cpus} is more than this host has: the range of CPUs is from 0.01 to ${count.toFixed(2)}, as there are only ${count} CPUs online (${formatCpuList(onlineCpus)})`,
      { field: 'resources.cpus', value: resources.cpus },
    );
  }
  if (resources.cpusetCpus !== undefined) {
    const asked = parseCpuList(resources.cpusetCpus) ?? new Set<number>();
    const offline = [...asked].filter((cpu) => !onlineCpus.has(cpu));
    if (offline.length > 0) {
      throw new OciError(
        'INVALID_RESOURCES',
        `resources.cpusetCpus ${resources.cpusetCpus} names CPUs that are not online: ${formatCpuList(offline)} (online: ${formatCpuList(onlineCpus)})`,
        { field: 'resources.cpusetCpus', value: resources.cpusetCpus },
      );
    }
  }
}

/**
 * Command resources -> OCI `linux.resources` (without devices) plus a warning for each setting
 * that cannot apply with this cgroup mode. Fields are the cgroup v1 ones; runc converts them for
 * cgroup v2 (memory.max, memory.swap.max, cpu.max, cpu.weight, io.weight, pids.max).
 * @throws OciError INVALID_RESOURCES when `context.onlineCpus` is given and the CPU settings do not fit it.
 */
export function toLinuxResources(resources: Resources, context: ResourcesContext): { resources: LinuxResources; warnings: RuntimeSpecWarning[] } {
  if (context.onlineCpus !== undefined) checkCpusOnline(resources, context.onlineCpus);
  const warnings: RuntimeSpecWarning[] = [];
  const unified = context.cgroupMode === 'unified';
  const result: LinuxResources = {};

  const memory: NonNullable<LinuxResources['memory']> = {};
  if (resources.memory !== undefined) memory.limit = resources.memory;
  if (resources.memoryReservation !== undefined) memory.reservation = resources.memoryReservation;
  if (resources.memorySwap !== undefined) {
    memory.swap = resources.memorySwap;
  } else if (resources.memory !== undefined) {
    // Docker: with --memory but no --memory-swap, the container may use as much swap as memory.
    memory.swap = resources.memory * 2;
  }
  if (resources.kernelMemory !== undefined) {
    if (unified) {
      warnings.push({ code: 'KERNEL_MEMORY_IGNORED', field: 'resources.kernelMemory', message: 'kernel memory limits do not exist on cgroup v2; the setting is left out' });
    } else {
      memory.kernel = resources.kernelMemory;
      warnings.push({
        code: 'KERNEL_MEMORY_IGNORED',
        field: 'resources.kernelMemory',
        message: 'kernel memory limits are deprecated by the kernel and ignored by runc 1.1 and later; the limit is written to the config but will likely not apply',
      });
    }
  }
  if (resources.memorySwappiness !== undefined) {
    if (unified) {
      warnings.push({ code: 'SWAPPINESS_UNSUPPORTED', field: 'resources.memorySwappiness', message: 'memory.swappiness does not exist on cgroup v2; the setting is left out' });
    } else {
      memory.swappiness = resources.memorySwappiness;
    }
  }
  if (resources.oomKillDisable !== undefined) {
    if (unified && resources.oomKillDisable) {
      warnings.push({ code: 'OOM_KILL_DISABLE_UNSUPPORTED', field: 'resources.oomKillDisable', message: 'the OOM killer cannot be disabled on cgroup v2; the setting is left out' });
    } else if (!unified) {
      memory.disableOOMKiller = resources.oomKillDisable;
    }
  }
  if (Object.keys(memory).length > 0) result.memory = memory;

  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (resources.cpuShares !== undefined) cpu.shares = resources.cpuShares;
  if (resources.cpus !== undefined) {
    cpu.period = cpusPeriodMicroseconds;
    cpu.quota = Math.round(resources.cpus * cpusPeriodMicroseconds);
  }
  if (resources.cpuPeriod !== undefined) cpu.period = resources.cpuPeriod;
  if (resources.cpuQuota !== undefined) cpu.quota = resources.cpuQuota;
  if (resources.cpusetCpus !== undefined) cpu.cpus = resources.cpusetCpus;
  if (resources.cpusetMems !== undefined) cpu.mems = resources.cpusetMems;
  if (Object.keys(cpu).length > 0) result.cpu = cpu;

  if (resources.blkioWeight !== undefined) {
    if (context.blkioWeightSupported) {
      result.blockIO = { weight: resources.blkioWeight };
    } else {
      warnings.push({
        code: 'BLKIO_WEIGHT_UNSUPPORTED',
        field: 'resources.blkioWeight',
        message: `no I/O scheduler with weights (BFQ) on this host; blkio weight ${resources.blkioWeight} is left out`,
      });
    }
  }

  // Docker: 0 and -1 both mean unlimited; runc writes "max" for a negative limit.
  if (resources.pidsLimit !== undefined) result.pids = { limit: resources.pidsLimit > 0 ? resources.pidsLimit : -1 };

  return { resources: result, warnings };
}

/** `ulimits` -> OCI `process.rlimits` (`nofile` -> `RLIMIT_NOFILE`). */
/**
 * RLIM_INFINITY in a config object. The real value, 2^64 - 1, cannot be held by a JavaScript
 * number; 2^64 can, exactly, and is outside uint64, so it cannot mean anything else:
 * `serializeRuntimeSpec` writes it as 18446744073709551615.
 */
export const rlimitInfinity = 2 ** 64;

export function toOciRlimits(resources: Resources): OciRlimit[] {
  const value = (limit: number) => (limit === -1 ? rlimitInfinity : limit);
  return (resources.ulimits ?? []).map((limit) => ({ type: `RLIMIT_${limit.name.toUpperCase()}` as OciRlimit['type'], soft: value(limit.soft), hard: value(limit.hard) }));
}
