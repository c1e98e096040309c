// The OCI runtime as a choice, on this host's real cgroups: the default (crun on pure cgroup v2
// where it is installed, runc otherwise), a container's own runtime, and runtimes refused cleanly.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectCgroupMode } from '@execdriver/cgroups';
import { findLeftovers, removeCgroupDirs, temporaryBusyboxRootfs } from '@execdriver/testkit';
import { findExecutable } from './host-facts.js';
import { createDriver, DriverError, type Driver } from './index.js';

const prefix = `execdriver-test-runtime-${process.pid}`;
const cgroupMode = detectCgroupMode('/sys/fs/cgroup');
const crunInstalled = findExecutable('crun') !== undefined;

async function rejection(promise: Promise<unknown>): Promise<DriverError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

describe('the OCI runtime is a choice', () => {
  let driver: Driver;
  let stateRoot: string;
  let rootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>>;
  let counter = 0;
  const ids: string[] = [];
  const nextId = () => {
    counter += 1;
    const id = `rt-${process.pid}-${counter}`;
    ids.push(id);
    return id;
  };

  beforeAll(async () => {
    stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-runtime-'));
    rootfs = await temporaryBusyboxRootfs();
    driver = await createDriver({ stateRoot, cgroupsPathPrefix: prefix });
  });

  afterAll(async () => {
    for (const id of ids) await driver.clean(id).catch(() => undefined);
    removeCgroupDirs(prefix);
    await rm(stateRoot, { recursive: true, force: true });
    await rootfs.remove();
  });

  /** Nothing of the container: no record, no cgroup, no mount, no state under any runtime's root. */
  async function expectNothingLeft(id: string): Promise<void> {
    expect(existsSync(join(stateRoot, 'containers', id))).toBe(false);
    for (const runtime of ['runc', 'crun', 'youki']) expect(existsSync(join(stateRoot, runtime, id))).toBe(false);
    expect(findLeftovers(id)).toEqual([]);
    expect(await readdir(join(stateRoot, 'containers'))).not.toContain(id);
  }

  test('the default is crun on pure cgroup v2 where it is installed, runc otherwise; runtimes() says which and why', async () => {
    const expected = cgroupMode === 'unified' && crunInstalled ? 'crun' : 'runc';
    const runtimes = await driver.runtimes();
    expect(runtimes.default.name).toBe(expected);
    expect(driver.name()).toMatch(new RegExp(`^${expected}-\\d+\\.\\d+`));
    expect(runtimes.available.map((entry) => entry.name)).toContain('runc');
    const crun = runtimes.available.find((entry) => entry.name === 'crun');
    expect(crun !== undefined).toBe(crunInstalled);
    if (crun) expect(crun.problem !== undefined).toBe(cgroupMode === 'hybrid');
  });

  test('runtime runc: the container runs with runc, recorded as its runtime', async () => {
    const id = nextId();
    await expect(driver.run({ id, rootfs: rootfs.rootfs, process: { args: ['sh', '-c', 'exit 3'] } }, {}, {}, { runtime: 'runc' })).resolves.toEqual({ exitCode: 3, oomKilled: false });
    const summary = await driver.inspect(id);
    expect(summary.runtime).toEqual({ name: 'runc', path: findExecutable('runc') });
    await driver.clean(id);
    await expectNothingLeft(id);
  });

  test('runtime crun: refused with RUNTIME_UNSUPPORTED naming it and why on hybrid cgroups, leaving nothing; runs on pure v2', async () => {
    const id = nextId();
    const command = { id, rootfs: rootfs.rootfs, process: { args: ['sh', '-c', 'exit 4'] } };
    if (crunInstalled && cgroupMode === 'hybrid') {
      const error = await rejection(driver.run(command, {}, {}, { runtime: 'crun' }));
      expect(error.code).toBe('RUNTIME_UNSUPPORTED');
      expect(error.message).toContain('crun');
      expect(error.message).toContain('hybrid');
      expect(error.reason).toBe('crun');
      await expectNothingLeft(id);
      await expect(driver.inspect(id)).rejects.toMatchObject({ code: 'CONTAINER_NOT_FOUND' });
    } else if (crunInstalled) {
      await expect(driver.run(command, {}, {}, { runtime: 'crun' })).resolves.toEqual({ exitCode: 4, oomKilled: false });
      expect((await driver.inspect(id)).runtime.name).toBe('crun');
      await driver.clean(id);
      await expectNothingLeft(id);
    } else {
      const error = await rejection(driver.run(command, {}, {}, { runtime: 'crun' }));
      expect(error.code).toBe('RUNC_MISSING');
      await expectNothingLeft(id);
    }
  });

  test('a runtime that is not there is RUNC_MISSING naming it, leaving nothing', async () => {
    for (const runtime of ['/no/such', 'no-such-runtime']) {
      const id = nextId();
      const error = await rejection(driver.run({ id, rootfs: rootfs.rootfs, process: { args: ['true'] } }, {}, {}, { runtime }));
      expect(error.code).toBe('RUNC_MISSING');
      expect(error.message).toContain(runtime);
      expect(error.path).toBe(runtime);
      await expectNothingLeft(id);
    }
    // As the driver's default: refused when the driver is made.
    const error = await rejection(createDriver({ stateRoot, runtime: '/no/such' }));
    expect(error.code).toBe('RUNC_MISSING');
    expect(error.message).toContain('/no/such');
  });

  test('a container keeps its runtime: a driver whose default runtime fails every command still kills and removes it with its own', async () => {
    const id = nextId();
    const started = await driver.start({ id, rootfs: rootfs.rootfs, process: { args: ['sleep', '1000'] } }, { logs: true }, {}, { runtime: 'runc' });
    // A runtime that says it is runc and fails everything else: if the second driver used its default, kill and clean would fail.
    const broken = join(stateRoot, 'broken-runtime');
    await writeFile(broken, '#!/bin/sh\nif [ "$1" = --version ]; then echo "runc version 9.9.9"; exit 0; fi\necho "broken runtime" >&2\nexit 1\n', { mode: 0o755 });
    const second = await createDriver({ stateRoot, cgroupsPathPrefix: prefix, runtime: broken });
    expect(second.name()).toBe('runc-9.9.9');
    expect((await second.inspect(id)).runtime.path).toBe(findExecutable('runc'));
    await second.kill(id, 'KILL');
    await expect(started.exited).resolves.toMatchObject({ exitCode: 137 });
    await second.clean(id);
    await expectNothingLeft(id);
  });
});
