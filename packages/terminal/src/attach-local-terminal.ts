import type { Readable, Writable } from 'node:stream';
import { DetachKeyScanner, defaultDetachKeys, parseDetachKeys } from './detach-keys.js';
import { TerminalError } from './errors.js';
import type { Terminal } from './open-terminal.js';

export interface AttachLocalTerminalOptions {
  /** The person's keyboard (default `process.stdin`). */
  stdin?: Readable;
  /** The person's screen (default `process.stdout`); never ended. */
  stdout?: Writable;
  /** Docker-format detach sequence (default `ctrl-p,ctrl-q`); false: no detaching by keys. */
  detachKeys?: string | false;
  /** Aborting ends the attachment (rejects with ATTACH_ABORTED); the program keeps running. */
  signal?: AbortSignal;
}

export type AttachResult =
  | { reason: 'exited'; exitCode: number; signal: NodeJS.Signals | null }
  | { reason: 'detached' };

/** Signals that end an attachment; while attached, their handlers restore the terminal first. */
const interruptSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface KeyboardStream {
  isTTY: true;
  isRaw: boolean;
  setRawMode(mode: boolean): unknown;
}

interface ScreenStream {
  isTTY: true;
  getWindowSize(): [number, number];
}

function isKeyboard(stream: Readable): stream is Readable & KeyboardStream {
  const candidate = stream as Readable & Partial<KeyboardStream>;
  return candidate.isTTY === true && typeof candidate.setRawMode === 'function';
}

function isScreen(stream: Writable): stream is Writable & ScreenStream {
  const candidate = stream as Writable & Partial<ScreenStream>;
  return candidate.isTTY === true && typeof candidate.getWindowSize === 'function';
}

/**
 * Connects the person at this keyboard to `terminal` until the program exits or the person
 * detaches. When `stdin` is a terminal it is put in raw mode (so ctrl-c, ctrl-z and friends reach
 * the program) and restored on every way out: exit, detach, stream error, abort, and SIGINT,
 * SIGTERM or SIGHUP sent to this process. For those signals, handlers are installed only while
 * attached; when no other handler is left, the signal is raised again after the terminal is
 * restored, so its default action (ending this process) still happens. The program's window
 * follows `stdout`'s size (SIGWINCH). When `stdin` is not a terminal, bytes are simply piped,
 * without raw mode or detach keys, and the end of `stdin` is typed as ctrl-d (end of file).
 *
 * Detaching leaves the program running and `terminal.output` unread (so it blocks once the
 * buffers fill, until someone reads it).
 *
 * @example
 * const terminal = openTerminal('sh', []);
 * const result = await attachLocalTerminal(terminal);
 * if (result.reason === 'exited') process.exitCode = result.exitCode;
 */
export async function attachLocalTerminal(terminal: Terminal, options: AttachLocalTerminalOptions = {}): Promise<AttachResult> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const detachKeys = options.detachKeys === false ? undefined : parseDetachKeys(options.detachKeys ?? defaultDetachKeys);
  const keyboard = isKeyboard(stdin) ? stdin : undefined;
  const screen = isScreen(stdout) ? stdout : undefined;
  const scanner = keyboard !== undefined && detachKeys !== undefined ? new DetachKeyScanner(detachKeys) : undefined;
  const abortSignal = options.signal;

  return new Promise<AttachResult>((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(new TerminalError('ATTACH_ABORTED', `attaching to pid ${terminal.pid} was aborted`, { cause: abortSignal.reason }));
      return;
    }
    let settled = false;
    const wasFlowing = stdin.readableFlowing === true;
    const wasRaw = keyboard?.isRaw ?? false;

    const finish = (outcome: { result: AttachResult } | { error: TerminalError }, reraise?: NodeJS.Signals) => {
      if (settled) return;
      settled = true;
      stdin.off('data', onInput);
      stdin.off('end', onInputEnd);
      stdin.off('error', onInputError);
      stdout.off('error', onScreenError);
      terminal.output.off('end', onOutputEnd);
      terminal.output.unpipe(stdout);
      for (const name of interruptSignals) process.off(name, onInterrupt);
      if (screen !== undefined) process.off('SIGWINCH', onWindowChange);
      abortSignal?.removeEventListener('abort', onAbort);
      if (!wasFlowing) stdin.pause();
      let restoreError: TerminalError | undefined;
      if (keyboard !== undefined) {
        try {
          keyboard.setRawMode(wasRaw);
        } catch (error) {
          restoreError = new TerminalError('STREAM_FAILED', `cannot restore the mode of the keyboard terminal (raw ${wasRaw})`, { cause: error });
        }
      }
      if (reraise !== undefined && process.listenerCount(reraise) === 0) process.kill(process.pid, reraise);
      if ('error' in outcome) reject(outcome.error);
      else if (restoreError !== undefined) reject(restoreError);
      else resolve(outcome.result);
    };

    const onInput = (chunk: Buffer | string) => {
      if (terminal.closed) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (scanner === undefined) {
        terminal.write(bytes);
        return;
      }
      const { forward, detached } = scanner.scan(bytes);
      if (forward.length > 0) terminal.write(forward);
      if (detached) finish({ result: { reason: 'detached' } });
    };
    const onInputEnd = () => {
      if (!terminal.closed) terminal.write('\x04');
    };
    const onInputError = (error: Error) => {
      finish({ error: new TerminalError('STREAM_FAILED', `cannot read the keyboard input for pid ${terminal.pid}`, { cause: error }) });
    };
    const onScreenError = (error: Error) => {
      finish({ error: new TerminalError('STREAM_FAILED', `cannot write the output of pid ${terminal.pid}`, { cause: error }) });
    };
    const onInterrupt = (signal: NodeJS.Signals) => {
      finish({ error: new TerminalError('ATTACH_INTERRUPTED', `${signal} ended the attachment to pid ${terminal.pid}; the program keeps running`) }, signal);
    };
    const onAbort = () => {
      finish({ error: new TerminalError('ATTACH_ABORTED', `attaching to pid ${terminal.pid} was aborted`, { cause: abortSignal?.reason }) });
    };
    const onWindowChange = () => {
      if (screen === undefined || terminal.closed) return;
      const [cols, rows] = screen.getWindowSize();
      try {
        terminal.resize(cols, rows);
      } catch (error) {
        if (!terminal.closed) finish({ error: error instanceof TerminalError ? error : new TerminalError('RESIZE_FAILED', `cannot resize pid ${terminal.pid}`, { cause: error }) });
      }
    };
    const onOutputEnd = () => {
      // The output ends only after the program exited, so `exited` is about to settle.
      terminal.exited.then(
        ({ exitCode, signal }) => finish({ result: { reason: 'exited', exitCode, signal } }),
        (error: unknown) => finish({ error: new TerminalError('STREAM_FAILED', `lost track of pid ${terminal.pid}`, { cause: error }) }),
      );
    };

    for (const name of interruptSignals) process.on(name, onInterrupt);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    stdout.on('error', onScreenError);
    stdin.on('error', onInputError);
    if (keyboard !== undefined) {
      try {
        keyboard.setRawMode(true);
      } catch (error) {
        finish({ error: new TerminalError('STREAM_FAILED', 'cannot put the keyboard terminal in raw mode', { cause: error }) });
        return;
      }
    }
    if (screen !== undefined) {
      process.on('SIGWINCH', onWindowChange);
      onWindowChange();
      if (settled) return;
    }
    if (terminal.output.readableEnded) onOutputEnd();
    else {
      terminal.output.on('end', onOutputEnd);
      terminal.output.pipe(stdout, { end: false });
    }
    stdin.on('data', onInput);
    stdin.on('end', onInputEnd);
    stdin.resume();
  });
}
