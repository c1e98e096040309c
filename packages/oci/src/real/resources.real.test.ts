import { existsSync } from 'node:fs';
// Real containers: resources and the cgroup path, read from the container's own cgroup files
// (this host is hybrid: cgroup v1 controllers; the container's cgroup namespace shows its own
// cgroup at /sys/fs/cgroup/<controller>).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntimeSpec } from '../runtime-spec.js';
import { createContainerLab, script, sections } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
beforeAll(async () => {
  lab = await createContainerLab('resources');
});
afterAll(async () => {
  await lab?.cleanup();
});

const mib = 1024 * 1024;

describe('resources on cgroup v1', () => {
  test('memory, cpu, cpuset, pids and blkio files of the container cgroup', async () => {
    const command = lab.command({
      resources: {
        memory: 64 * mib,
        memoryReservation: 32 * mib,
        memorySwap: 96 * mib,
        memorySwappiness: 10,
        oomKillDisable: true,
        kernelMemory: 16 * mib,
        cpuShares: 512,
        cpuQuota: 50_000,
        cpuPeriod: 200_000,
        cpusetCpus: '0',
        cpusetMems: '0',
        pidsLimit: 50,
        blkioWeight: 300,
      },
      process: {
        args: script({
          limit: 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
          soft: 'cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes',
          memsw: 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
          swappiness: 'cat /sys/fs/cgroup/memory/memory.swappiness',
          oom: 'grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control',
          kmem: 'cat /sys/fs/cgroup/memory/memory.kmem.limit_in_bytes',
          shares: 'cat /sys/fs/cgroup/cpu/cpu.shares',
          quota: 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us',
          cpuset: 'cat /sys/fs/cgroup/cpuset/cpuset.cpus /sys/fs/cgroup/cpuset/cpuset.mems',
          pids: 'cat /sys/fs/cgroup/pids/pids.max',
          blkio: 'cat /sys/fs/cgroup/blkio/blkio.weight 2>/dev/null || cat /sys/fs/cgroup/blkio/blkio.bfq.weight 2>/dev/null || true',
        }),
      },
    });
    // runc sets a weight through blkio.weight or blkio.bfq.weight: a host without BFQ has neither, and the weight is dropped with a warning.
    const blkioWeightSupported = existsSync('/sys/fs/cgroup/blkio/blkio.weight') || existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight');
    const { spec, warnings } = createRuntimeSpec(command, { blkioWeightSupported });
    expect(warnings.map((warning) => warning.code)).toEqual(['KERNEL_MEMORY_IGNORED', ...(blkioWeightSupported ? [] : ['BLKIO_WEIGHT_UNSUPPORTED'])]);
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.limit).toBe(String(64 * mib));
    expect(out.soft).toBe(String(32 * mib));
    expect(out.memsw).toBe(String(96 * mib));
    expect(out.swappiness).toBe('10');
    expect(out.oom).toBe('oom_kill_disable 1');
    // The warning is right: runc 1.1.5 ignores kernel memory, the kmem limit stays unlimited.
    expect(Number(out.kmem)).toBeGreaterThan(16 * mib);
    expect(result.stderr).toMatch(/Kernel memory settings are ignored/);
    expect(out.shares).toBe('512');
    expect(out.quota!.split('\n')).toEqual(['50000', '200000']);
    expect(out.cpuset!.split('\n')).toEqual(['0', '0']);
    expect(out.pids).toBe('50');
    expect(out.blkio).toBe(blkioWeightSupported ? '300' : '');
  });

  test('cpus 1.5 is a 150 ms quota per 100 ms; memory alone gets as much swap again (Docker)', async () => {
    const command = lab.command({
      resources: { cpus: 1.5, memory: 32 * mib, pidsLimit: 0 },
      process: {
        args: script({
          quota: 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us',
          memsw: 'cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes',
          pids: 'cat /sys/fs/cgroup/pids/pids.max',
        }),
      },
    });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.quota!.split('\n')).toEqual(['150000', '100000']);
    expect(out.memsw).toBe(String(64 * mib));
    expect(out.pids).toBe('max');
  });
});

describe('cgroupsPath', () => {
  test('cgroupParent/<id> in every v1 hierarchy (seen without a cgroup namespace)', async () => {
    const command = lab.command({ namespaces: { cgroup: { mode: 'host' } }, process: { args: ['cat', '/proc/self/cgroup'] } });
    const { spec } = createRuntimeSpec(command);
    expect(spec.linux?.cgroupsPath).toBe(`${lab.cgroupParent}/${command.id}`);
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const controller of ['memory', 'pids', 'cpu', 'devices', 'blkio', '']) {
      expect(result.stdout).toMatch(new RegExp(`^\\d+:${controller}:${lab.cgroupParent}/${command.id}$`, 'm'));
    }
  });
});
