// A host without node-pty's native binary: everything without a terminal still works.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { createFakeRunc } from './__fixtures__/fake-runc.js';
import { writeContainer } from './__fixtures__/fake-state.js';

// node-pty as @execdriver/terminal resolves it (the driver does not depend on it itself).
const pty = vi.hoisted(async () => {
  const { createRequire } = await import('node:module');
  return createRequire(new URL('../../terminal/package.json', import.meta.url)).resolve('@lydell/node-pty');
});
vi.mock(await pty, () => {
  throw new Error('Cannot find module ../build/Release/pty.node');
});

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

test('the driver imports and runs without node-pty; a tty is TERMINAL_FAILED (PTY_UNAVAILABLE)', async () => {
  const { createDriver, DriverError } = await import('./index.js');
  const fake = await createFakeRunc();
  const stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-no-pty-'));
  cleanups.push(() => fake.remove(), () => rm(stateRoot, { recursive: true, force: true }));
  const driver = await createDriver({ runc: fake.command, stateRoot, cgroupRoot: join(stateRoot, 'cgroup') });
  await writeContainer(stateRoot, 'box', { running: true });
  await expect(driver.exec('box', { args: ['true'] })).resolves.toBe(0);
  const error = await driver.exec('box', { args: ['sh'], tty: true }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DriverError);
  expect(error).toMatchObject({ code: 'TERMINAL_FAILED', reason: 'PTY_UNAVAILABLE' });
});
