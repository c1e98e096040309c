import { PassThrough, type Writable } from 'node:stream';
import type { TerminalExit } from '@execdriver/terminal';
import type { ConsoleConnection } from './console-client.js';
import type { Engine } from './engine.js';
import { readLogs } from './read-logs.js';

/** How often the screen is looked for while the container runs (typing echoes within this). */
const screenPollMs = 25;

/**
 * The terminal of a running tty container started with `{ fifos: true }` (held by script(1) under
 * its shim, as execdriverd starts them), for attachLocalTerminal: its screen from the json-file
 * log as it grows (the daemon's copier writes it), keyboard bytes to its stdin FIFO, resizes to
 * the terminal itself. `exited` settles with its exit code; closing leaves it running.
 */
export async function connectHeldTerminal(engine: Engine, id: string, size: { cols: number; rows: number }): Promise<ConsoleConnection> {
  const input = await engine.openInput(id);
  await engine.resizeTerminal(id, size.cols, size.rows).catch(() => undefined);
  return new HeldTerminal(engine, id, input, size);
}

class HeldTerminal implements ConsoleConnection {
  readonly pid = 0;
  readonly output = new PassThrough();
  readonly exited: Promise<TerminalExit>;
  readonly failure = undefined;
  lost = false;
  readonly #engine: Engine;
  readonly #id: string;
  readonly #input: Writable | undefined;
  readonly #abort = new AbortController();
  #size: { cols: number; rows: number };
  #closed = false;

  constructor(engine: Engine, id: string, input: Writable | undefined, size: { cols: number; rows: number }) {
    this.#engine = engine;
    this.#id = id;
    this.#input = input;
    this.#size = size;
    const screen = (async () => {
      try {
        for await (const entry of readLogs(engine, id, { tail: 0, follow: true, pollMs: screenPollMs, signal: this.#abort.signal })) this.output.write(entry.log);
      } catch {
        // Removed meanwhile: what was read is all there is.
      }
      this.output.end();
    })();
    this.exited = (async () => {
      const status = await engine.wait(id).catch(() => undefined);
      await screen;
      this.#closed = true;
      this.#input?.end();
      if (!status) this.lost = true;
      return { exitCode: status?.exitCode ?? 125, signal: null };
    })();
  }

  get size() {
    return { ...this.#size };
  }

  get closed() {
    return this.#closed;
  }

  write(data: string | Uint8Array): void {
    if (!this.#closed) this.#input?.write(data);
  }

  resize(cols: number, rows: number): void {
    this.#size = { cols, rows };
    if (!this.#closed) void this.#engine.resizeTerminal(this.#id, cols, rows).catch(() => undefined);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#input?.end();
  }
}
