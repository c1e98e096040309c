import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutputReader } from './__fixtures__/output-reader.js';
import { attachLocalTerminal } from './attach-local-terminal.js';
import { TerminalError } from './errors.js';
import { openTerminal, type Terminal } from './open-terminal.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const person = fileURLToPath(new URL('./__fixtures__/attach-person.mjs', import.meta.url));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', PS1: 'inner$ ' };
const cooked = 'icanon=true echo=true isig=true';
const raw = 'icanon=false echo=false isig=false';
const opened: Terminal[] = [];

beforeAll(() => {
  // The fixture runs in a plain node process, so it imports the built package: build it now.
  const build = spawnSync('pnpm', ['run', 'build'], { cwd: packageDir, encoding: 'utf8' });
  expect(build.status, build.stderr + build.stdout).toBe(0);
});

afterEach(() => {
  for (const terminal of opened.splice(0)) if (!terminal.closed) terminal.close();
});

/** Starts the fixture under an OUTER terminal playing the person's terminal; waits until attached. */
async function startPerson(mode: string) {
  const outer = await openTerminal(process.execPath, [person, mode], { env, cols: 100, rows: 30 });
  opened.push(outer);
  const screen = new OutputReader(outer.output);
  const before = await screen.waitFor(/BEFORE (.*?) raw=false listeners=([\d,]+)/);
  expect(before[1]).toBe(cooked);
  const during = await screen.waitFor(/DURING ([^\r\n]*)/);
  expect(during[1]).toBe(raw);
  return { outer, screen, listenersBefore: before[2] };
}

/** The fixture's report after the attachment ended: outcome, and the outer terminal's mode. */
async function afterReport(screen: OutputReader, listenersBefore: string | undefined) {
  const outcome = JSON.parse((await screen.waitFor(/OUTCOME (\{.*\})\r*\n/))[1] ?? 'null');
  const after = await screen.waitFor(/AFTER (.*?) raw=(\w+) listeners=([\d,]+)/);
  expect({ mode: after[1], raw: after[2], listeners: after[3] }).toEqual({ mode: cooked, raw: 'false', listeners: listenersBefore });
  return outcome;
}

describe('attachLocalTerminal from an outer terminal', () => {
  it('the check sees raw mode when it is left on (control)', async () => {
    const outer = await openTerminal(process.execPath, [person, 'control'], { env });
    opened.push(outer);
    const screen = new OutputReader(outer.output);
    const after = await screen.waitFor(/AFTER (.*?) raw=(\w+)/);
    expect([after[1], after[2]]).toEqual([raw, 'true']);
  });

  it('program exit: passes keys and ctrl-c through, follows SIGWINCH, returns the exit code, restores the mode', async () => {
    const { outer, screen, listenersBefore } = await startPerson('exit');
    outer.write('stty size\r');
    await screen.waitFor(/30 100\r*\n/);
    let mark = screen.text.length;
    outer.resize(77, 21);
    await new Promise((resolve) => setTimeout(resolve, 100));
    outer.write('stty size\r');
    await screen.waitFor(/21 77\r*\n/, { from: mark });
    mark = screen.text.length;
    outer.write('echo "ar""med"; sleep 30\r');
    await screen.waitFor(/armed\r*\n/, { from: mark });
    await new Promise((resolve) => setTimeout(resolve, 100));
    outer.write('\x03');
    outer.write('echo "after-$?"\r');
    await screen.waitFor(/after-130\r*\n/, { from: mark });
    outer.write('exit 3\r');
    expect(await afterReport(screen, listenersBefore)).toEqual({ result: { reason: 'exited', exitCode: 3, signal: null } });
    await screen.waitFor(/DONE/);
    expect(await outer.exited).toEqual({ exitCode: 0, signal: null });
  });

  it('detach keys: leave the program running and restore the mode', async () => {
    const { outer, screen, listenersBefore } = await startPerson('detach');
    outer.write('echo "typed-$((1+1))"\r');
    await screen.waitFor(/typed-2\r*\n/);
    // ctrl-p alone is passed on (held back until the next key shows it is no detach)...
    outer.write('\x10');
    outer.write('zz\r');
    await screen.waitFor(/\x10zz: not found/);
    // ...while ctrl-p ctrl-q detaches.
    outer.write('\x10\x11');
    expect(await afterReport(screen, listenersBefore)).toEqual({ result: { reason: 'detached' } });
    await screen.waitFor(/INNER alive=true answered=true/);
    await screen.waitFor(/DONE/);
  });

  it('custom detach keys in Docker format', async () => {
    const { outer, screen, listenersBefore } = await startPerson('custom-keys');
    outer.write('\x10\x11yy\r');
    await screen.waitFor(/\x10yy: not found/);
    outer.write('\x18q');
    expect(await afterReport(screen, listenersBefore)).toEqual({ result: { reason: 'detached' } });
    await screen.waitFor(/INNER alive=true answered=true/);
  });

  it('stream error: rejects with STREAM_FAILED and restores the mode', async () => {
    const { screen, listenersBefore } = await startPerson('error');
    const outcome = await afterReport(screen, listenersBefore);
    expect(outcome.error).toMatchObject({ code: 'STREAM_FAILED', message: expect.stringMatching(/cannot read the keyboard input/) });
    await screen.waitFor(/INNER alive=true answered=true/);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s while attached: restores the mode, leaves the program running', async (signal) => {
    const { outer, screen, listenersBefore } = await startPerson(`keep-${signal}`);
    process.kill(outer.pid, signal);
    const outcome = await afterReport(screen, listenersBefore);
    expect(outcome.error).toMatchObject({ code: 'ATTACH_INTERRUPTED', message: expect.stringContaining(`${signal} ended the attachment`) });
    await screen.waitFor(/INNER alive=true answered=true/);
  });

  it('SIGTERM with no other handler: the default action still ends the process after restoring', async () => {
    const { outer } = await startPerson('exit');
    process.kill(outer.pid, 'SIGTERM');
    expect(await outer.exited).toEqual({ exitCode: 143, signal: 'SIGTERM' });
  });
});

describe('attachLocalTerminal without a terminal', () => {
  it('simply pipes, and the end of stdin is end-of-file for the program', async () => {
    const terminal = await openTerminal('/bin/sh', ['-c', 'stty -ixon -echo; echo ready; od -An -c; exit 6'], { env });
    opened.push(terminal);
    const stdin = new PassThrough();
    let screen = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        screen += chunk.toString();
        // ctrl-p ctrl-q is no detach sequence when stdin is not a terminal: it reaches the program.
        if (screen.includes('ready')) stdin.end('a\x10\x11b\n');
        callback();
      },
    });
    expect(await attachLocalTerminal(terminal, { stdin, stdout })).toEqual({ reason: 'exited', exitCode: 6, signal: null });
    expect(screen.replace(/\s+/g, ' ')).toContain('a 020 021 b \\n');
  });

  it('rejects bad detach keys before touching anything', async () => {
    const terminal = await openTerminal('/bin/sh', [], { env });
    opened.push(terminal);
    const error = await attachLocalTerminal(terminal, { stdin: new PassThrough(), stdout: new PassThrough(), detachKeys: 'ctrl-1' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as TerminalError).code).toBe('INVALID_DETACH_KEYS');
  });

  it('an AbortSignal ends the attachment with ATTACH_ABORTED', async () => {
    const terminal = await openTerminal('/bin/sh', [], { env });
    opened.push(terminal);
    const controller = new AbortController();
    const attached = attachLocalTerminal(terminal, { stdin: new PassThrough(), stdout: new PassThrough(), signal: controller.signal });
    controller.abort(new Error('user left'));
    const error = await attached.catch((caught: unknown) => caught);
    expect((error as TerminalError).code).toBe('ATTACH_ABORTED');
    expect(terminal.closed).toBe(false);
  });
});
