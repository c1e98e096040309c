// The runc client against a fake runc binary: no root, no containers.
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createFakeRunc } from './__fixtures__/fake-runc.js';
import { DriverError } from './errors.js';
import { runtimeInfo } from './host-facts.js';
import { Runc, runcEnvironment } from './runc.js';

let fake: Awaited<ReturnType<typeof createFakeRunc>>;
let root: string;
beforeAll(async () => {
  fake = await createFakeRunc();
  root = await mkdtemp(join(tmpdir(), 'execdriver-runc-client-'));
});
afterAll(async () => {
  await fake.remove();
  await rm(root, { recursive: true, force: true });
});
afterEach(async () => {
  await fake.answer();
  delete process.env.NOTIFY_SOCKET;
});

async function rejection(promise: Promise<unknown>): Promise<DriverError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DriverError);
  return error as DriverError;
}

describe('runc failures', () => {
  test('carry the args, exit code, stderr and runc\'s last log message', async () => {
    const runc = new Runc({ command: fake.command, root });
    await fake.answer({ command: 'kill', exit: 1, stderr: 'time="x" level=error msg="container not running"\n', logMessage: 'container not running' });
    const log = join(root, 'kill.log');
    const error = await rejection(runc.kill('c1', 'SIGTERM', { log }));
    expect(error.code).toBe('RUNC_FAILED');
    expect(error.message).toBe('runc kill c1 SIGTERM failed: container not running');
    expect(error.runc).toEqual({
      args: ['--root', root, '--log', log, '--log-format', 'json', 'kill', 'c1', 'SIGTERM'],
      exitCode: 1,
      stderr: 'time="x" level=error msg="container not running"\n',
      runcMessage: 'container not running',
    });
  });

  test('without a log file, the message comes from stderr', async () => {
    const runc = new Runc({ command: fake.command, root });
    await fake.answer({ exit: 2, stderr: 'cannot delete: busy\n' });
    const error = await rejection(runc.delete('c1', { force: true }));
    expect(error.runc).toMatchObject({ exitCode: 2, runcMessage: 'cannot delete: busy' });
    expect(error.runc?.args.slice(-3)).toEqual(['delete', '--force', 'c1']);
  });

  test('a runc that is not there is RUNC_MISSING', async () => {
    const error = await rejection(new Runc({ command: join(root, 'no-runc') }).version());
    expect(error.code).toBe('RUNC_MISSING');
  });

  test('NOTIFY_SOCKET never reaches runc', async () => {
    process.env.NOTIFY_SOCKET = '/run/systemd/notify';
    expect(runcEnvironment().NOTIFY_SOCKET).toBeUndefined();
    await new Runc({ command: fake.command, root }).pause('c1');
    const calls = await fake.calls();
    expect(calls.at(-1)).toBe(`--root ${root} pause c1`);
    expect(calls.join('\n')).not.toContain('NOTIFY_SOCKET');
  });
});

describe('long-lived runc processes', () => {
  test('run goes through the shim, which records the exit status; exec is spawned directly; neither sees NOTIFY_SOCKET', async () => {
    process.env.NOTIFY_SOCKET = '/run/systemd/notify';
    const runc = new Runc({ command: fake.command, root });
    await fake.answer({ command: 'run', exit: 7, stdout: 'out\n', stderr: 'err\n' });
    const files = { stdout: join(root, 'stdout.log'), stderr: join(root, 'stderr.log') };
    const exitFile = join(root, 'exit-code');
    const run = await runc.run('c1', { bundle: '/b', keep: true, pidFile: '/b/pid', log: join(root, 'run.log'), exitFile }, { kind: 'files', ...files });
    await expect(run.exited).resolves.toBe(7);
    expect(await readFile(exitFile, 'utf8')).toBe('7\n');
    expect(await readFile(files.stdout, 'utf8')).toBe('out\n');
    expect(await readFile(files.stderr, 'utf8')).toBe('err\n');
    expect(run.args).toEqual([fake.command, '--root', root, '--log', join(root, 'run.log'), '--log-format', 'json', 'run', '--bundle', '/b', '--keep', '--pid-file', '/b/pid', 'c1']);
    await fake.answer({ command: 'exec', exit: 3 });
    const exec = await runc.exec('c1', { processFile: '/p.json', log: join(root, 'exec.log') }, { kind: 'pipes', stdin: false, stdout: false, stderr: false });
    await expect(exec.exited).resolves.toBe(3);
    const calls = await fake.calls();
    expect(calls.slice(-2)).toEqual([run.args.slice(1).join(' '), exec.args.slice(1).join(' ')]);
    expect(calls.join('\n')).not.toContain('NOTIFY_SOCKET');
  });
});

describe('runc state', () => {
  const state = { ociVersion: '1.0.2-dev', id: 'c1', pid: 4242, status: 'running', bundle: '/b', rootfs: '/b/rootfs', created: '2024-01-01T00:00:00.123456789Z', owner: '' };

  test('is decoded', async () => {
    await fake.answer({ command: 'state', stdout: JSON.stringify(state) });
    await expect(new Runc({ command: fake.command, root }).state('c1')).resolves.toMatchObject({ id: 'c1', pid: 4242, status: 'running' });
  });

  test.each([
    ['not JSON', 'container c1 is running'],
    ['a bad status', JSON.stringify({ ...state, status: 'sleeping' })],
    ['running without a pid', JSON.stringify({ ...state, pid: 0 })],
  ])('%s is RUNC_FAILED saying so', async (_name, stdout) => {
    await fake.answer({ command: 'state', stdout });
    const error = await rejection(new Runc({ command: fake.command, root }).state('c1'));
    expect(error.code).toBe('RUNC_FAILED');
    expect(error.message).toContain('runc state c1 printed no valid container state');
  });
});

describe('runc version and features', () => {
  const features = { ociVersionMin: '1.0.0', ociVersionMax: '1.0.2-dev', hooks: ['prestart'], mountOptions: ['ro'], linux: { namespaces: ['pid', 'mount'] } };

  test('are asked once per binary and remembered in the state root', async () => {
    const stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-runc-info-'));
    await fake.answer({ features });
    const before = (await fake.calls()).length;
    const first = await runtimeInfo(fake.command, stateRoot);
    expect(first).toMatchObject({ name: 'runc', path: fake.command, version: '1.1.5-fake' });
    expect(first.features?.linux?.namespaces).toEqual(['pid', 'mount']);
    expect((await fake.calls()).slice(before)).toEqual(['--version', 'features']);
    await expect(runtimeInfo(fake.command, stateRoot)).resolves.toEqual(first);
    expect((await fake.calls()).length).toBe(before + 2);
    // Another binary (here: the same one, changed) is asked again.
    await utimes(fake.command, new Date(), new Date(Date.now() + 5000));
    await runtimeInfo(fake.command, stateRoot);
    expect((await fake.calls()).length).toBe(before + 4);
    await rm(stateRoot, { recursive: true, force: true });
  });

  test('a runc without `features` gives undefined features', async () => {
    const stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-runc-info-'));
    await expect(runtimeInfo(fake.command, stateRoot)).resolves.toEqual({ name: 'runc', path: fake.command, version: '1.1.5-fake', features: undefined });
    await rm(stateRoot, { recursive: true, force: true });
  });
});
