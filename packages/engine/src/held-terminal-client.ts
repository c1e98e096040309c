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
 * the terminal itself (`keyboard: false`: none). `exited` settles with its exit code; closing leaves it running.
 */
export async function connectHeldTerminal(engine: Engine, id: string, size: { cols: number; rows: number }, options: { keyboard?: boolean } = {}): Promise<ConsoleConnection> {
  // A container made without -i takes no keyboard (as dockerd's attach).
  const input = options.keyboard === false ? undefined : await engine.openInput(id);
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
    const attachedAt = BigInt(Date.now() - 1000) * 1_000_000n;
    this.exited = (async () => {
      // Removed at its exit (--rm, by the daemon) before the wait saw it: the journal has its `die`.
      const exitCode = await engine.wait(id).then(
        (status) => status.exitCode,
        () => {
          const died = engine.events.read({ since: attachedAt, filters: { container: [id], event: ['die'] } }).at(-1);
          return died?.Actor.Attributes.exitCode === undefined ? undefined : Number(died.Actor.Attributes.exitCode);
        },
      );
      await screen;
      this.#closed = true;
      this.#input?.end();
      if (exitCode === undefined) this.lost = true;
      return { exitCode: exitCode ?? 125, signal: null };
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
