// Needs root: chattr +i (CAP_LINUX_IMMUTABLE) on an ext4 state root.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
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

test('an immutable record (chattr +i) is PERMISSION_DENIED naming the file, never a misleading ENOTDIR', async () => {
  const store = new StateStore(root);
  await store.init();
  await store.create('c1');
  const record: ContainerRecord = {
    id: 'c1', bundle: store.paths('c1').dir, rootfs: '/', cgroupsPath: '/execdriver/c1', createdAt: new Date().toISOString(),
    logs: false, fifos: false, tty: false, command: parseCommand({ id: 'c1', rootfs: '/', process: { args: ['true'] } }), labels: {}, warnings: [],
  };
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
