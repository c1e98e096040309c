// The OCI runtime as a choice (issue 15): `info` says the default (crun on pure cgroup v2 where it
// is installed, runc otherwise), `--runtime` on run/create, and runtimes refused cleanly.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroupMode } from '@execdriver/cgroups';
import { createHarness, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];
const cgroupMode = detectCgroupMode('/sys/fs/cgroup');
const crunInstalled = spawnSync('sh', ['-c', 'command -v crun']).status === 0;

beforeAll(async () => {
  harness = await createHarness('runtime');
  cli = harness.cli;
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

describe('the OCI runtime', () => {
  it('info names the default runtime and every one on PATH, with why one cannot run here', async () => {
    const info = JSON.parse((await cli(['info', '--format', 'json'])).stdout) as { DefaultRuntime: string; Runtime: string; Runtimes: Record<string, { path: string; problem?: string }> };
    const expected = cgroupMode === 'unified' && crunInstalled ? 'crun' : 'runc';
    expect(info.DefaultRuntime).toBe(expected);
    expect(info.Runtime).toBe(expected);
    expect(info.Runtimes.runc?.path).toMatch(/\/runc$/);
    expect(info.Runtimes.crun !== undefined).toBe(crunInstalled);
    if (info.Runtimes.crun) expect(info.Runtimes.crun.problem !== undefined).toBe(cgroupMode === 'hybrid');
    const text = (await cli(['info'])).stdout;
    expect(text).toContain(`Default Runtime: ${expected}\n`);
  });

  it('--runtime runc runs the container with runc, and inspect says so (HostConfig.Runtime)', async () => {
    expect(await cli(['run', '--rm', '--runtime', 'runc', 'busybox', 'sh', '-c', 'exit 3'])).toMatchObject({ exitCode: 3 });
    expect(await cli(['create', '--name', 'with-runc', '--runtime', 'runc', 'busybox', 'true'])).toMatchObject({ exitCode: 0 });
    expect(await cli(['start', '-a', 'with-runc'])).toMatchObject({ exitCode: 0 });
    const [inspect] = JSON.parse((await cli(['inspect', 'with-runc'])).stdout) as [{ HostConfig: { Runtime: string } }];
    expect(inspect.HostConfig.Runtime).toBe('runc');
    expect(await cli(['rm', 'with-runc'])).toMatchObject({ exitCode: 0 });
  });

  it('--runtime crun on hybrid cgroups is refused with exit 125 naming crun and why, leaving no container, cgroup, mount or state', async () => {
    const result = await cli(['run', '--name', 'with-crun', '--runtime', 'crun', 'busybox', 'true']);
    if (crunInstalled && cgroupMode === 'hybrid') {
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toMatch(/crun .*cannot run containers on this host: crun does not support hybrid cgroups/);
    } else if (crunInstalled) {
      expect(result.exitCode).toBe(0);
      expect(await cli(['rm', 'with-crun'])).toMatchObject({ exitCode: 0 });
    } else {
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toContain('"crun" not found');
    }
    expect((await cli(['ps', '-a', '-q'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });

  it('--runtime /no/such is refused with exit 125 naming it, leaving nothing', async () => {
    for (const command of ['run', 'create']) {
      const result = await cli([command, '--runtime', '/no/such', 'busybox', 'true']);
      expect(result.exitCode).toBe(125);
      expect(result.stderr).toContain('"/no/such" not found');
    }
    expect((await cli(['ps', '-a', '-q'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });
});
