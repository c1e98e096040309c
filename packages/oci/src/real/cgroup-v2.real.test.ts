// A real container on a pure cgroup v2 kernel (the VM tool named by EXECDRIVER_V2VM, see
// tooling/scripts/test-v2vm.sh): the v1-named OCI resources from a 'unified' config become
// memory.max, memory.swap.max, memory.low, cpu.max, cpu.weight, pids.max.
// Without EXECDRIVER_V2VM the suite is skipped (and says so), except under CI=true, where it fails.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createBusyboxRootfs, v2vmTool } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntimeSpec } from '../runtime-spec.js';
import { expectValidSpec, script, sections, testCommand } from '../__fixtures__/harness.js';

const vm = v2vmTool();
const mib = 1024 * 1024;
if (vm.skip) console.warn(`oci cgroup v2 suite ${vm.skip}`);

describe.skipIf(vm.skip !== undefined)(vm.skip ?? 'a unified config on a pure cgroup v2 kernel (EXECDRIVER_V2VM)', () => {
  // The VM mounts empty tmpfs over /tmp, /var/tmp, /run and /root: the work dir lives elsewhere.
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp('/var/lib/execdriver-oci-v2-');
  });
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  test('resources of a unified config as cgroup v2 files, with v1-only settings as warnings', async () => {
    if (vm.error !== undefined) throw new Error(vm.error);
    const rootfs = await createBusyboxRootfs(join(workDir, 'rootfs'));
    const command = testCommand({
      rootfs,
      resources: { memory: 64 * mib, memorySwap: 96 * mib, memoryReservation: 16 * mib, memorySwappiness: 10, cpus: 0.5, cpuShares: 1024, pidsLimit: 42 },
      process: {
        args: script({
          fs: 'grep " /sys/fs/cgroup " /proc/self/mounts | cut -d" " -f3',
          max: 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/memory.low',
          cpu: 'cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpu.weight',
          pids: 'cat /sys/fs/cgroup/pids.max',
          swappiness: 'ls /sys/fs/cgroup/memory.swappiness 2>&1 || echo ABSENT',
        }),
      },
    });
    const { spec, warnings } = createRuntimeSpec(command, { cgroupMode: 'unified' });
    expectValidSpec(spec);
    expect(warnings.map((warning) => warning.code)).toEqual(['SWAPPINESS_UNSUPPORTED']);
    await writeFile(join(workDir, 'config.json'), JSON.stringify(spec));
    // runc's state root must be on the guest's tmpfs: its exec fifo does not work over 9p.
    const { stdout } = await promisify(execFile)(vm.path ?? '', ['runc', '--root', '/run/execdriver-oci-runc', 'run', '--bundle', workDir, command.id], {
      cwd: workDir,
      env: { ...process.env, V2VM_WORKDIR: workDir },
      timeout: 120_000,
    });
    const out = sections(stdout);
    expect(out.fs, stdout).toBe('cgroup2');
    expect(out.max!.split('\n')).toEqual([String(64 * mib), String(32 * mib), String(16 * mib)]);
    // cpu.shares 1024 -> cpu.weight 39 by runc's conversion (1 + ((shares - 2) * 9999) / 262142).
    expect(out.cpu!.split('\n')).toEqual(['50000 100000', '39']);
    expect(out.pids).toBe('42');
    expect(out.swappiness).toMatch(/ABSENT$/);
  }, 180_000);
});

