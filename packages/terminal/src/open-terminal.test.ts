import { afterEach, describe, expect, it } from 'vitest';
import { OutputReader } from './__fixtures__/output-reader.js';
import { TerminalError } from './errors.js';
import { openTerminal, type Terminal } from './open-terminal.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', PS1: '$ ', HOME: '/root' };
const opened: Terminal[] = [];

async function open(file: string, args: string[] = [], size: { cols?: number; rows?: number } = {}) {
  const terminal = await openTerminal(file, args, { env, ...size });
  opened.push(terminal);
  return { terminal, reader: new OutputReader(terminal.output) };
}

afterEach(() => {
  for (const terminal of opened.splice(0)) {
    if (!terminal.closed) terminal.close();
  }
});

async function expectRejection(action: () => Promise<unknown>, code: TerminalError['code'], message: RegExp) {
  await expect(action()).rejects.toSatisfy((error: unknown) => {
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as TerminalError).code).toBe(code);
    expect((error as TerminalError).message).toMatch(message);
    return true;
  });
}

function expectTerminalError(action: () => unknown, code: TerminalError['code'], message: RegExp) {
  try {
    action();
    expect.unreachable(`expected ${code}`);
  } catch (error) {
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as TerminalError).code).toBe(code);
    expect((error as TerminalError).message).toMatch(message);
  }
}

describe('openTerminal with a shell', () => {
  it('runs commands typed into it and returns the exit code', async () => {
    const { terminal, reader } = await open('/bin/sh');
    terminal.write('echo "round-$((20+22))"; tty\r');
    await reader.waitFor(/round-42\r\n\/dev\/pts\/\d+/);
    terminal.write('exit 3\r');
    expect(await terminal.exited).toEqual({ exitCode: 3, signal: null });
    expect(terminal.closed).toBe(true);
    expect(terminal.output.readableEnded || terminal.output.readableLength === 0).toBe(true);
  });

  it('passes the window size to the program and follows resizes', async () => {
    const { terminal, reader } = await open('/bin/sh', [], { cols: 90, rows: 30 });
    terminal.write('stty size\r');
    await reader.waitFor(/30 90\r\n/);
    const mark = reader.text.length;
    terminal.resize(132, 50);
    expect(terminal.size).toEqual({ cols: 132, rows: 50 });
    terminal.write('stty size\r');
    await reader.waitFor(/50 132\r\n/, { from: mark });
    terminal.write('exit\r');
    expect(await terminal.exited).toEqual({ exitCode: 0, signal: null });
  });

  it('delivers ctrl-c to the program as SIGINT', async () => {
    const { terminal, reader } = await open('/bin/sh', ['-c', 'trap "echo got-INT; exit 7" INT; echo ready; while :; do sleep 0.1; done']);
    await reader.waitFor(/ready/);
    terminal.write('\x03');
    await reader.waitFor(/got-INT/);
    expect(await terminal.exited).toEqual({ exitCode: 7, signal: null });
  });

  it('reports a program killed by a signal', async () => {
    const { terminal } = await open('/bin/sh', ['-c', 'kill -TERM $$']);
    expect(await terminal.exited).toEqual({ exitCode: 128 + 15, signal: 'SIGTERM' });
  });

  it('close() hangs up the program and refuses later use', async () => {
    const { terminal, reader } = await open('/bin/sh');
    terminal.write('echo "u"p\r');
    await reader.waitFor(/\bup\r\n/);
    terminal.close();
    terminal.close();
    expect(terminal.closed).toBe(true);
    expect(await terminal.exited).toEqual({ exitCode: 128 + 1, signal: 'SIGHUP' });
    expectTerminalError(() => terminal.write('x'), 'TERMINAL_CLOSED', /cannot write to the terminal of \/bin\/sh \(pid \d+\)/);
    expectTerminalError(() => terminal.resize(10, 10), 'TERMINAL_CLOSED', /cannot resize/);
  });

  it('holds the program back while nobody reads its output, and loses nothing', async () => {
    const size = 4_000_000;
    const terminal = await openTerminal('head', ['-c', String(size), '/dev/zero'], { env });
    opened.push(terminal);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Nobody read yet: the program must be blocked on its writes, not finished.
    expect(terminal.closed).toBe(false);
    expect(() => process.kill(terminal.pid, 0)).not.toThrow();
    expect(terminal.output.readableLength).toBeLessThanOrEqual(128 * 1024);
    let received = 0;
    terminal.output.on('data', (chunk: Buffer) => (received += chunk.length));
    expect(await terminal.exited).toEqual({ exitCode: 0, signal: null });
    expect(received).toBe(size);
  });

  it('refuses bad sizes and missing programs', async () => {
    await expectRejection(() => openTerminal('/bin/sh', [], { cols: 0, rows: 24 }), 'INVALID_SIZE', /invalid window size 0x24/);
    await expectRejection(() => openTerminal('no-such-program-here', [], { env }), 'SPAWN_FAILED', /"no-such-program-here": not found/);
    await expectRejection(() => openTerminal('/etc/passwd', [], { env }), 'SPAWN_FAILED', /"\/etc\/passwd"/);
    const { terminal } = await open('/bin/sh');
    expectTerminalError(() => terminal.resize(1.5, 10), 'INVALID_SIZE', /1\.5x10/);
    expectTerminalError(() => terminal.resize(80, 70_000), 'INVALID_SIZE', /80x70000/);
  });
});
