// Needs root: chattr +i (CAP_LINUX_IMMUTABLE) on an ext4 state root.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { parseCommand } from '@execdriver/spec';
import { DriverError } from './errors.js';
import { StateStore, type ContainerRecord } from './state-store.js';

let root: string;
const immutable: string[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'execdriver-store-real-'));
});
afterAll(async () => {
  for (const path of immutable) execFileSync('chattr', ['-i', path]);
  await rm(root, { recursive: true, force: true });
});

/** A minimal record of a container `id` in `store`. */
function recordOf(store: StateStore, id: string): ContainerRecord {
  return {
    id, bundle: store.paths(id).dir, rootfs: '/', cgroupsPath: `/execdriver/${id}`, createdAt: new Date().toISOString(),
    logs: false, fifos: false, tty: false, command: parseCommand({ id, rootfs: '/', process: { args: ['true'] } }), labels: {}, warnings: [],
  };
}

test('an immutable record (chattr +i) is PERMISSION_DENIED naming the file, never a misleading ENOTDIR', async () => {
  const store = new StateStore(root);
  await store.init();
  await store.create('c1');
  const record = recordOf(store, 'c1');
  await store.write(record);
  const path = store.paths('c1').record;
  try {
    execFileSync('chattr', ['+i', path]);
  } catch {
    return; // a file system without attributes: nothing to prove here
  }
  immutable.push(path);
  const removal = await store.remove('c1').catch((error: unknown) => error);
  expect(removal).toBeInstanceOf(DriverError);
  expect((removal as DriverError).code).toBe('PERMISSION_DENIED');
  expect((removal as DriverError).path).toBe(path);
  expect((removal as DriverError).message).not.toContain('ENOTDIR');
  const write = await store.write({ ...record, exitCode: 0 }).catch((error: unknown) => error);
  expect((write as DriverError).code).toBe('PERMISSION_DENIED');
  expect((write as DriverError).message).toContain(path);
  execFileSync('chattr', ['-i', path]);
  immutable.pop();
  await store.remove('c1');
});

test('a process still writing into a container directory by path neither fails its removal nor brings it back', async () => {
  const store = new StateStore(await mkdtemp(join(root, 'late-')));
  await store.init();
  for (let round = 0; round < 5; round += 1) {
    const id = `late-${round}`;
    await store.create(id);
    const { dir, exitCode } = store.paths(id);
    for (const name of ['config.json', 'container.json', 'runc.log', 'hosts', 'hostname']) writeFileSync(join(dir, name), 'x'.repeat(1000));
    // As the shim and a log holder do as a container ends: files (re)written by path, here without pause.
    // (`true`, not `:`: a failed redirection on a special built-in would end the shell.)
    const writer = spawn('/bin/sh', ['-c', 'while true; do printf "137\\n" > "$1" 2>/dev/null; true > "$1.tmp" 2>/dev/null; done', 'writer', exitCode], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.remove(id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(existsSync(dir)).toBe(false);
      expect(writer.exitCode).toBeNull(); // still writing, into nothing
    } finally {
      writer.kill('SIGKILL');
    }
  }
  expect(readdirSync(join(store.root, 'containers'))).toEqual([]);
});

test('a directory left aside by a removal that died is no container, and goes once it has been aside a minute', async () => {
  const store = new StateStore(await mkdtemp(join(root, 'aside-')));
  await store.init();
  await store.create('kept');
  const aside = join(store.root, 'containers', '.removing-gone-0123abcd');
  mkdirSync(join(aside, 'sub'), { recursive: true });
  writeFileSync(join(aside, 'sub', 'container.json'), '{}');
  expect(await store.ids()).toEqual(['kept']);
  expect(existsSync(aside)).toBe(true); // young: maybe a removal under way in another process
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.now() + 61_000);
    expect(await store.ids()).toEqual(['kept']);
  } finally {
    vi.useRealTimers();
  }
  expect(existsSync(aside)).toBe(false);
  await store.remove('kept');
  expect(readdirSync(join(store.root, 'containers'))).toEqual([]);
});

test('an exit record written after the container was removed by another process says CONTAINER_NOT_FOUND, and makes nothing', async () => {
  const store = new StateStore(await mkdtemp(join(root, 'gone-')));
  await store.init();
  await store.create('gone');
  const record = recordOf(store, 'gone');
  await store.write(record);
  await store.remove('gone');
  const write = await store.write({ ...record, exitCode: 137 }).catch((error: unknown) => error);
  expect((write as DriverError).code).toBe('CONTAINER_NOT_FOUND');
  expect(readdirSync(join(store.root, 'containers'))).toEqual([]);
});
