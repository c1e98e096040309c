import type { IPty } from '@lydell/node-pty';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { constants } from 'node:os';
import { Readable } from 'node:stream';
import { TerminalError } from './errors.js';
import { loadPty } from './pty-module.js';
import { resolveExecutable } from './resolve-executable.js';
import { assertWindowSize, type WindowSize } from './window-size.js';

export interface OpenTerminalOptions {
  /** Columns of the initial window size (default 80). */
  cols?: number;
  /** Rows of the initial window size (default 24). */
  rows?: number;
  /** The program's whole environment (default `process.env`). `TERM` defaults to `xterm`. */
  env?: Record<string, string | undefined>;
  /** Working directory of the program (default `process.cwd()`). */
  cwd?: string;
}

/** How the program under a terminal ended. */
export interface TerminalExit {
  /** The exit status, or 128 + the signal number when a signal killed it (as shells report it). */
  exitCode: number;
  /** The signal that killed the program, or null when it exited. */
  signal: NodeJS.Signals | null;
}

/** A program running under a pseudo-terminal; this side holds the terminal's master end. */
export interface Terminal {
  /** Process id of the program started (for `runc run`, of runc itself). */
  readonly pid: number;
  /**
   * Everything the program writes to its terminal, as bytes. Ends after the program exits and its
   * last output was read. Backpressure holds: while nobody reads, the program blocks on writes.
   */
  readonly output: Readable;
  /** Settles once the program has exited and all its output is in `output` (which then ends). */
  readonly exited: Promise<TerminalExit>;
  /** The window size last set. */
  readonly size: WindowSize;
  /** True once the program exited or `close()` was called. */
  readonly closed: boolean;
  /** Types into the terminal: the program reads these bytes from its terminal. */
  write(data: string | Uint8Array): void;
  /** Sets the window size; the program gets SIGWINCH. */
  resize(cols: number, rows: number): void;
  /**
   * Closes this side of the terminal (the master end); the kernel sends SIGHUP to the program.
   * Idempotent. A program that ignores SIGHUP (a container's PID 1) keeps running: stop it by
   * other means. `exited` still settles when it ends.
   */
  close(): void;
}

/** node-pty's Unix terminals have these though its typings omit them. */
interface UnixPty {
  /** Closes the master, then sends SIGHUP. */
  destroy(): void;
  /** Path of the terminal's slave end, e.g. /dev/pts/3. */
  ptsName: string;
}

/** How often to look whether the program has exited (see `#watchExit`). */
const exitPollMs = 25;
/** After the program exited, how long output must stay quiet before the slave end is let go. */
const drainQuietMs = 15;

/**
 * Runs `file` with `args` under a new pseudo-terminal, as the session leader with the terminal
 * as its controlling terminal. node-pty (its native binary) is loaded on the first call, so the
 * rest of this package works on hosts without it; there the promise rejects with PTY_UNAVAILABLE.
 *
 * @example
 * const terminal = await openTerminal('sh', [], { cols: 100, rows: 30 });
 * terminal.output.pipe(process.stdout);
 * terminal.write('echo hello; exit 3\r');
 * const { exitCode } = await terminal.exited; // 3
 */
export async function openTerminal(file: string, args: readonly string[] = [], options: OpenTerminalOptions = {}): Promise<Terminal> {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  assertWindowSize(cols, rows);
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (resolveExecutable(file, env.PATH, cwd) === undefined) {
    throw new TerminalError('SPAWN_FAILED', `cannot start ${JSON.stringify(file)}: not found or not executable (cwd ${cwd})`);
  }
  const { spawn: spawnPty } = await loadPty();
  let pty: IPty;
  try {
    pty = spawnPty(file, [...args], { name: env.TERM ?? 'xterm', cols, rows, env, cwd, encoding: null });
  } catch (error) {
    throw new TerminalError('SPAWN_FAILED', `cannot start ${JSON.stringify(file)} under a terminal`, { cause: error });
  }
  let slave: number | undefined;
  try {
    slave = holdSlave((pty as IPty & Partial<UnixPty>).ptsName);
  } catch (error) {
    pty.kill('SIGKILL');
    throw new TerminalError('SPAWN_FAILED', `cannot open the slave end of the terminal of ${JSON.stringify(file)}`, { cause: error });
  }
  return new PtyTerminal(pty, file, { cols, rows }, slave);
}

class PtyTerminal implements Terminal {
  readonly pid: number;
  readonly output: Readable;
  readonly exited: Promise<TerminalExit>;
  readonly #pty: IPty & Partial<UnixPty>;
  readonly #file: string;
  #size: WindowSize;
  #closed = false;
  #slave: number | undefined;
  #exitPoll: NodeJS.Timeout | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  #draining = false;

  constructor(pty: IPty, file: string, size: WindowSize, slave: number | undefined) {
    this.#pty = pty;
    this.#file = file;
    this.#size = size;
    this.pid = pty.pid;
    this.#slave = slave;
    // Reading is paused whenever the consumer's buffer is full, so the kernel's terminal buffer
    // fills and the program blocks: memory stays bounded by highWaterMark.
    this.output = new Readable({ highWaterMark: 64 * 1024, read: () => pty.resume() });
    pty.onData((data: string | Buffer) => {
      if (!this.output.push(typeof data === 'string' ? Buffer.from(data) : data) && !this.#draining) pty.pause();
      if (this.#draining) this.#releaseSlaveWhenQuiet();
    });
    this.exited = new Promise((resolve) => {
      // node-pty reports the exit only after the master reached its end, so all output was pushed.
      pty.onExit(({ exitCode, signal }) => {
        this.#closed = true;
        this.#stopWatching();
        this.output.push(null);
        resolve(toTerminalExit(exitCode, signal));
      });
    });
    if (this.#slave !== undefined) this.#watchExit();
  }

  /**
   * Works around node-pty losing the last few KiB of output on Linux when the program exits
   * right after writing (microsoft/node-pty#72, #726): the master sees end-of-file while data is
   * still queued. We hold the slave end open so that cannot happen, look for the program's exit,
   * read what is left (past backpressure: at most the kernel's buffer), and only then let go of
   * the slave, so the master ends cleanly.
   */
  #watchExit(): void {
    this.#exitPoll = setInterval(() => {
      if (isAlive(this.pid)) return;
      clearInterval(this.#exitPoll);
      this.#draining = true;
      this.#pty.resume();
      this.#releaseSlaveWhenQuiet();
    }, exitPollMs);
    this.#exitPoll.unref();
  }

  #releaseSlaveWhenQuiet(): void {
    clearTimeout(this.#drainTimer);
    this.#drainTimer = setTimeout(() => this.#releaseSlave(), drainQuietMs);
  }

  #releaseSlave(): void {
    if (this.#slave === undefined) return;
    closeSync(this.#slave);
    this.#slave = undefined;
  }

  #stopWatching(): void {
    clearInterval(this.#exitPoll);
    clearTimeout(this.#drainTimer);
    this.#releaseSlave();
  }

  get size(): WindowSize {
    return { ...this.#size };
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(data: string | Uint8Array): void {
    this.#assertOpen('write to');
    this.#pty.write(typeof data === 'string' ? data : (Buffer.from(data.buffer, data.byteOffset, data.byteLength) as unknown as string));
  }

  resize(cols: number, rows: number): void {
    assertWindowSize(cols, rows);
    this.#assertOpen('resize');
    try {
      this.#pty.resize(cols, rows);
    } catch (error) {
      throw new TerminalError('RESIZE_FAILED', `cannot resize the terminal of ${this.#file} (pid ${this.pid}) to ${cols}x${rows}`, { cause: error });
    }
    this.#size = { cols, rows };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatching();
    if (typeof this.#pty.destroy === 'function') this.#pty.destroy();
    else this.#pty.kill('SIGHUP');
  }

  #assertOpen(action: string): void {
    if (this.#closed) {
      throw new TerminalError('TERMINAL_CLOSED', `cannot ${action} the terminal of ${this.#file} (pid ${this.pid}): it is closed`);
    }
  }
}

function toTerminalExit(exitCode: number, signalNumber: number | undefined): TerminalExit {
  if (signalNumber === undefined || signalNumber === 0) return { exitCode, signal: null };
  const signal = (Object.keys(constants.signals) as NodeJS.Signals[]).find((name) => constants.signals[name] === signalNumber);
  return { exitCode: 128 + signalNumber, signal: signal ?? null };
}

/** Opens the terminal's slave end without making it our controlling terminal. */
function holdSlave(ptsName: string | undefined): number | undefined {
  if (ptsName === undefined) return undefined;
  return openSync(ptsName, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists (reused by another user's process); only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
