import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { expect, test, vi } from 'vitest';

// A host without node-pty's native binary: importing the module throws, as a missing .node does.
vi.mock('@lydell/node-pty', () => {
  throw new Error('Cannot find module pty.node');
});

test('without node-pty the package imports and its pipes work; a terminal is PTY_UNAVAILABLE', async () => {
  const terminal = await import('./index.js');
  const child = spawn('/bin/sh', ['-c', 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const stdin = new PassThrough();
  const piped = terminal.pipeStdio(child, { stdin, stdout });
  stdin.end('no tty needed\n');
  await piped;
  expect(text).toBe('no tty needed\n');
  const error = await terminal.openTerminal('/bin/sh').catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(terminal.TerminalError);
  expect((error as InstanceType<typeof terminal.TerminalError>).code).toBe('PTY_UNAVAILABLE');
});
