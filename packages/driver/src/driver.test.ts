// The driver over a fake runc and hand-written state: no root, no containers. Real containers:
// driver.real.test.ts.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { parseCommand } from '@execdriver/spec';
import { createFakeRunc } from './__fixtures__/fake-runc.js';
import { writeContainer } from './__fixtures__/fake-state.js';
import { createDriver, DriverError, type Driver } from './index.js';
import { processStartTime } from './process-identity.js';
import { StateStore, type ContainerRecord } from './state-store.js';

let fake: Awaited<ReturnType<typeof createFakeRunc>>;
let stateRoot: string;
let cgroupRoot: string;
let driver: Driver;

beforeAll(async () => {
  fake = await createFakeRunc();
});
afterAll(async () => {
  await fake.remove();
});
beforeEach(async () => {
  stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-driver-fake-'));
  cgroupRoot = join(stateRoot, 'cgroup');
  await mkdir(join(cgroupRoot, 'memory'), { recursive: true });
  driver = await createDriver({ runc: fake.command, stateRoot, cgroupRoot, cgroupsPathPrefix: 'execdriver-fake' });
});
afterEach(async () => {
  await fake.answer();
  await rm(stateRoot, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>, code: string): Promise<DriverError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DriverError);
  expect((error as DriverError).code, (error as Error).message).toBe(code);
  return error as DriverError;
}

describe('state writes and exit records', () => {
  test('concurrent writes of one record never share a temp file', async () => {
    const store = new StateStore(stateRoot);
    await store.create('w1');
    const record: ContainerRecord = {
      id: 'w1', bundle: store.paths('w1').dir, rootfs: '/', cgroupsPath: '/x/w1', createdAt: 'now', logs: false, fifos: false, tty: false,
      command: parseCommand({ id: 'w1', rootfs: '/', process: { args: ['true'] } }), labels: {}, warnings: [],
    };
    await Promise.all(Array.from({ length: 20 }, (_, index) => store.write({ ...record, labels: { n: String(index) } })));
    expect((await store.read('w1'))?.id).toBe('w1');
  });

  test('an exit seen by many readers at once is recorded once, under the lock, also while clean() runs', async () => {
    for (let round = 0; round < 5; round += 1) {
      const id = `exited-${round}`;
      await writeContainer(stateRoot, id, { exitCode: '3\n' });
      const readers = Array.from({ length: 4 }, () => driver.inspect(id).then((summary) => summary.exitCode, (error: unknown) => error));
      const cleaned = driver.clean(id);
      const results = await Promise.all(readers);
      await cleaned;
      for (const result of results) {
        if (result instanceof Error) expect((result as DriverError).code, result.message).toBe('CONTAINER_NOT_FOUND');
        else expect(result).toBe(3);
      }
      expect(existsSync(join(stateRoot, 'containers', id))).toBe(false);
    }
    await writeContainer(stateRoot, 'exited-many', { exitCode: '3\n' });
    const summaries = await Promise.all(Array.from({ length: 8 }, () => driver.inspect('exited-many')));
    expect(new Set(summaries.map((summary) => `${summary.status} ${summary.exitCode}`))).toEqual(new Set(['stopped 3']));
  });

  test('a container whose recorded process is gone, its exit not yet recorded, is stopped without asking runc', async () => {
    const child = spawn('true');
    await new Promise((resolve) => child.on('exit', resolve));
    // A pid that ran and ended; its start time as it would have been recorded.
    await writeContainer(stateRoot, 'just-exited', { record: { pid: child.pid!, pidStartTime: '1' } });
    // runc still has its state (it has not released the container yet).
    await mkdir(join(stateRoot, 'runc', 'just-exited'), { recursive: true });
    const before = (await fake.calls()).length;
    expect(await driver.inspect('just-exited')).toMatchObject({ status: 'stopped', pid: undefined });
    expect((await fake.calls()).slice(before).filter((call) => call.includes(' state '))).toEqual([]);
  });

  test('a container whose process is gone while its shim is still writing the exit code is read with that exit code, never as unknown', async () => {
    const dir = join(stateRoot, 'containers', 'pending-exit');
    await mkdir(dir, { recursive: true });
    // The shim (a `sh`, started first) writes the exit code a moment after the container's process ended.
    const shim = spawn('/bin/sh', ['-c', 'sleep 0.3; printf "7\\n" > "$1"', 'shim', join(dir, 'exit-code')], { stdio: 'ignore' });
    const shimExited = new Promise((resolve) => shim.once('exit', resolve));
    const container = spawn('sleep', ['0.05'], { stdio: 'ignore' });
    const containerStartTime = processStartTime(container.pid!)!;
    await new Promise((resolve) => container.once('exit', resolve));
    await writeContainer(stateRoot, 'pending-exit', { record: { pid: container.pid!, pidStartTime: containerStartTime, shimPid: shim.pid! } });
    try {
      expect(await driver.inspect('pending-exit')).toMatchObject({ status: 'stopped', exitCode: 7 });
    } finally {
      shim.kill('SIGKILL');
      await shimExited;
    }
    // A shim that is gone without writing it (killed): unknown at once, no wait.
    await writeContainer(stateRoot, 'lost-exit', { record: { pid: container.pid!, pidStartTime: containerStartTime, shimPid: shim.pid! } });
    const started = Date.now();
    expect(await driver.inspect('lost-exit')).toMatchObject({ status: 'stopped', exitCode: undefined });
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('a garbage exit-code file is an unknown exit, 255, never 0, and inspect and list agree', async () => {
    await writeContainer(stateRoot, 'garbage-exit', { exitCode: 'garbage\n' });
    await writeContainer(stateRoot, 'negative-exit', { exitCode: '-1\n' });
    expect(await driver.inspect('garbage-exit')).toMatchObject({ status: 'stopped', exitCode: 255 });
    const listed = await driver.list();
    expect(listed.map((summary) => [summary.id, summary.exitCode])).toEqual([['garbage-exit', 255], ['negative-exit', 255]]);
    const record = JSON.parse(await readFile(join(stateRoot, 'containers/garbage-exit/container.json'), 'utf8'));
    expect(record.exitCode).toBe(255);
    await expect(driver.wait('negative-exit')).resolves.toEqual({ exitCode: 255, oomKilled: false });
  });
});

describe('one broken record breaks only its container', () => {
  beforeEach(async () => {
    await writeContainer(stateRoot, 'good', { exitCode: '0\n' });
    const empty = await writeContainer(stateRoot, 'empty');
    await writeFile(join(empty, 'container.json'), '');
    const garbage = await writeContainer(stateRoot, 'garbage');
    await writeFile(join(garbage, 'container.json'), '{"id": "garbage", "bund');
    const wrong = await writeContainer(stateRoot, 'wrong-shape');
    await writeFile(join(wrong, 'container.json'), '{"id": "wrong-shape"}');
    const fifo = await writeContainer(stateRoot, 'fifo');
    await rm(join(fifo, 'container.json'));
    execFileSync('mkfifo', [join(fifo, 'container.json')]);
    await mkdir(join(stateRoot, 'containers', 'not an id'));
    await mkdir(join(stateRoot, 'containers', '.hidden'));
  });

  test('list() returns every good container; includeBroken lists the broken ones with what is wrong', async () => {
    expect((await driver.list()).map((summary) => summary.id)).toEqual(['good']);
    const all = await driver.list({ includeBroken: true });
    expect(all.map((entry) => `${entry.id} ${entry.status}`)).toEqual(['empty broken', 'fifo broken', 'garbage broken', 'good stopped', 'wrong-shape broken']);
    const fifo = all.find((entry) => entry.id === 'fifo');
    expect(fifo).toMatchObject({ status: 'broken', path: join(stateRoot, 'containers/fifo/container.json') });
    expect(fifo && 'error' in fifo ? fifo.error : '').toContain('not a regular file');
  }, 5000);

  test.each([
    ['empty', 'is empty'],
    ['garbage', 'is not JSON'],
    ['wrong-shape', 'is not a container record'],
    ['fifo', 'not a regular file'],
  ])('inspect(%s) is CONTAINER_BROKEN naming the file', async (id, problem) => {
    const error = await rejection(driver.inspect(id), 'CONTAINER_BROKEN');
    expect(error.path).toBe(join(stateRoot, 'containers', id, 'container.json'));
    expect(error.message).toContain(error.path);
    expect(error.message).toContain(problem);
    await expect(driver.info(id).isRunning()).rejects.toThrow(DriverError);
  });

  test('clean() removes a broken container', async () => {
    for (const id of ['empty', 'garbage', 'wrong-shape', 'fifo']) {
      await driver.clean(id);
      expect(existsSync(join(stateRoot, 'containers', id))).toBe(false);
    }
    expect((await driver.list({ includeBroken: true })).map((entry) => entry.id)).toEqual(['good']);
  });
});

describe('clean() when runc cannot help', () => {
  test('a broken record: the cgroup found from the id is emptied (its processes killed) and what is left is CLEAN_INCOMPLETE', async () => {
    const dir = await writeContainer(stateRoot, 'orphan');
    await writeFile(join(dir, 'container.json'), 'garbage');
    // A stand-in for the container's process, listed in its cgroup (a fixture, so it stays listed).
    const sleeper = spawn('sleep', ['100'], { stdio: 'ignore' });
    const gone = new Promise((resolve) => sleeper.once('exit', (_code, signal) => resolve(signal)));
    const cgroup = join(cgroupRoot, 'memory/execdriver-fake/orphan');
    await mkdir(cgroup, { recursive: true });
    await writeFile(join(cgroup, 'cgroup.procs'), `${sleeper.pid}\n`);
    const error = await rejection(driver.clean('orphan'), 'CLEAN_INCOMPLETE');
    await expect(gone).resolves.toBe('SIGKILL');
    expect(error.message).toContain(cgroup);
    expect(existsSync(dir)).toBe(false);
  }, 15_000);

  test('an empty cgroup and runc\'s state are removed when runc cannot delete; runc\'s failure is kept when something is left', async () => {
    await writeContainer(stateRoot, 'stuck', { running: false });
    await mkdir(join(stateRoot, 'runc/stuck'), { recursive: true });
    await writeFile(join(stateRoot, 'runc/stuck/state.json'), '{"trunc');
    await mkdir(join(cgroupRoot, 'memory/execdriver-fake/stuck'), { recursive: true });
    await fake.answer({ command: 'delete', exit: 1, logMessage: 'load state: unexpected end of JSON input' });
    await driver.clean('stuck');
    expect(existsSync(join(stateRoot, 'runc/stuck'))).toBe(false);
    expect(existsSync(join(cgroupRoot, 'memory/execdriver-fake/stuck'))).toBe(false);

    await writeContainer(stateRoot, 'stuck2');
    await mkdir(join(stateRoot, 'runc/stuck2'), { recursive: true });
    const cgroup = join(cgroupRoot, 'memory/execdriver-fake/stuck2');
    await mkdir(cgroup, { recursive: true });
    await writeFile(join(cgroup, 'memory.limit_in_bytes'), '1');
    const error = await rejection(driver.clean('stuck2'), 'CLEAN_INCOMPLETE');
    expect(error.message).toContain('load state: unexpected end of JSON input');
    expect(error.message).toContain(cgroup);
    expect((error.cause as DriverError).code).toBe('RUNC_FAILED');
    expect(error.runc?.runcMessage).toBe('load state: unexpected end of JSON input');
  });
});

describe('exec', () => {
  test('a tty exec with consoleSize 0x0 (what Docker clients send) runs with the default size', async () => {
    await writeContainer(stateRoot, 'box', { running: true });
    expect((await driver.inspect('box')).status).toBe('running');
    await expect(driver.exec('box', { args: ['sh'], tty: true, consoleSize: { width: 0, height: 0 } })).resolves.toBe(0);
    await expect(driver.exec('box', { args: ['true'] })).resolves.toBe(0);
    const exec = (await fake.calls()).filter((call) => call.includes(' exec '));
    expect(exec).toHaveLength(2);
    expect(exec[0]).toMatch(/ exec --process \S+process-\S+\.json --tty --pid-file \S+ box$/);
  });

  test('runc\'s failure to start the process keeps runc\'s message, classified (COMMAND_NOT_FOUND)', async () => {
    await writeContainer(stateRoot, 'box', { running: true });
    await fake.answer({ command: 'exec', exit: 1, logMessage: 'exec failed: unable to start container process: exec: "nope": executable file not found in $PATH' });
    const error = await rejection(driver.exec('box', { args: ['nope'] }), 'COMMAND_NOT_FOUND');
    expect(error.message).toContain('executable file not found');
    expect(error.runc?.args).toContain('exec');
  });
});

test('the hook script is written once, never rewritten in place, and replaced whole when it differs', async () => {
  const path = join(stateRoot, 'hook.sh');
  const first = await lstat(path);
  expect(first.mode & 0o7777).toBe(0o700);
  // A second driver on the same root (every CLI command makes one) leaves the file alone.
  await createDriver({ runc: fake.command, stateRoot, cgroupRoot, cgroupsPathPrefix: 'execdriver-fake' });
  const second = await lstat(path);
  expect([second.ino, second.mtimeMs]).toEqual([first.ino, first.mtimeMs]);
  // Another text or mode: replaced by a new file (a rename), never truncated under a running hook.
  await writeFile(path, '#!/bin/sh\nexit 0\n');
  await chmod(path, 0o755);
  const changed = await lstat(path);
  await createDriver({ runc: fake.command, stateRoot, cgroupRoot, cgroupsPathPrefix: 'execdriver-fake' });
  const replaced = await lstat(path);
  expect(replaced.ino).not.toBe(changed.ino);
  expect(replaced.mode & 0o7777).toBe(0o700);
  expect(await readFile(path, 'utf8')).toContain('execdriver hook bridge');
  expect(readdirSync(stateRoot).filter((name) => name.endsWith('.tmp'))).toEqual([]);
});
