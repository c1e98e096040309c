// Real container under a pseudo-terminal: process.tty -> terminal: true and TERM=xterm.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn as spawnPty } from '@lydell/node-pty';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createRuntimeSpec } from '../runtime-spec.js';
import { createContainerLab, expectValidSpec } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
beforeAll(async () => {
  lab = await createContainerLab('terminal');
});
afterAll(async () => {
  await lab?.cleanup();
});

test('tty: the process runs on a terminal with TERM=xterm', async () => {
  const command = lab.command({ process: { args: ['sh', '-c', 'tty; echo "TERM=$TERM"; stty size'], tty: true, consoleSize: { height: 33, width: 101 } } });
  const { spec } = createRuntimeSpec(command);
  expectValidSpec(spec);
  expect(spec.process?.consoleSize).toEqual({ height: 33, width: 101 });
  const bundle = join(lab.scratch, `${command.id}-bundle`);
  await mkdir(bundle, { recursive: true });
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
  try {
    // runc run in the foreground resizes the container's console to its own terminal (here 101x33 too).
    const pty = spawnPty('runc', ['--root', lab.runcRoot, 'run', '--bundle', bundle, command.id], { cols: 101, rows: 33, name: 'xterm' });
    let output = '';
    pty.onData((data) => (output += data));
    const exitCode = await new Promise<number>((resolve) => pty.onExit(({ exitCode: code }) => resolve(code)));
    expect(exitCode, output).toBe(0);
    const lines = output.split(/\r?\n/).map((line) => line.trim());
    expect(lines).toContain('/dev/pts/0');
    expect(lines).toContain('TERM=xterm');
    expect(lines).toContain('33 101');
  } finally {
    spawnSync('runc', ['--root', lab.runcRoot, 'delete', '-f', command.id]);
  }
});
