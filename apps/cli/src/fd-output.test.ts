import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { fdOutput } from './fd-output.js';

const directory = mkdtempSync(join(tmpdir(), 'execdriver-fd-output-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

test('writes strings and bytes, in order, to the descriptor', () => {
  const file = join(directory, 'out');
  const fd = openSync(file, 'w');
  try {
    const output = fdOutput(fd, () => {
      throw new Error('not handed over');
    });
    expect(output.write('one\n')).toBe(true);
    output.write(Buffer.from('two\n'));
    output.write('x'.repeat(1 << 20));
  } finally {
    closeSync(fd);
  }
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('one\ntwo\nxxx')).toBe(true);
  expect(text.length).toBe(8 + (1 << 20));
});

// The parent's end of a child's stdin pipe: libuv makes it non-blocking.
function pipeTo(command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'ignore'] });
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  return { child, fd };
}

test('a reader that went away (EPIPE) is said once, and the output ends quietly', async () => {
  // The child closes its end of the pipe and lives on: nobody reads.
  const { child, fd } = pipeTo('sh', ['-c', 'exec 0<&- && touch "$0" && sleep 30', join(directory, 'closed')]);
  try {
    await vi.waitFor(() => expect(existsSync(join(directory, 'closed'))).toBe(true));
    let gone = 0;
    const output = fdOutput(
      fd,
      () => {
        throw new Error('not handed over');
      },
      () => (gone += 1),
    );
    expect(output.write('line\n')).toBe(false);
    expect(output.write('more\n')).toBe(false);
    expect(gone).toBe(1);
  } finally {
    child.kill('SIGKILL');
    child.stdin.destroy();
    await once(child, 'exit').catch(() => undefined);
  }
});

test('a full non-blocking pipe (EAGAIN) hands the rest over to the stream, in order', async () => {
  const { child, fd } = pipeTo('sleep', ['30']);
  try {
    const handed: Buffer[] = [];
    const output = fdOutput(fd, () => ({ write: (data) => handed.push(Buffer.from(data)) }));
    output.write(Buffer.alloc(1 << 20, 'a'));
    output.write('after');
    const rest = Buffer.concat(handed);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.length).toBeLessThan((1 << 20) + 5);
    expect(rest.subarray(-5).toString()).toBe('after');
  } finally {
    child.kill('SIGKILL');
    child.stdin.destroy();
    await once(child, 'exit').catch(() => undefined);
  }
});
