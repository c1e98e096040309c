import { closeSync, constants, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { formatRfc3339Nano, nowNanoseconds } from './event-time.js';
import type { JsonFileLimits } from './log-config.js';

export type LogStream = 'stdout' | 'stderr';

/** Docker's json-file buffers a line up to 16 KiB; a longer one is cut into entries without the newline. */
const maxLineBytes = 16 * 1024;

/**
 * Writes a container's output as Docker's json-file log: one line
 * `{"log":"...\n","stream":"stdout","time":"2024-01-01T00:00:00.123456789Z"}` per line of
 * output, in the order the lines arrive, rotated past `maxSizeBytes` to `<path>.1` ...
 * `<path>.<maxFiles-1>` (max-file 1: the file starts over). One writer per container at a time
 * (the process holding its output); writes are synchronous.
 */
export class JsonFileWriter {
  readonly path: string;
  readonly #limits: JsonFileLimits;
  readonly #pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  #fd: number | undefined;
  #size = 0;

  constructor(path: string, limits: JsonFileLimits) {
    this.path = path;
    this.#limits = limits;
  }

  /** Output of one stream: complete lines are written now, a partial line waits for its end (or `close`). */
  write(stream: LogStream, chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      this.#entry(stream, Buffer.concat([...this.#pending[stream], chunk.subarray(start, newline + 1)]));
      this.#pending[stream] = [];
      start = newline + 1;
    }
    if (start < chunk.length) {
      this.#pending[stream].push(Buffer.from(chunk.subarray(start)));
      const waiting = Buffer.concat(this.#pending[stream]);
      this.#pending[stream] = [];
      let offset = 0;
      for (; waiting.length - offset >= maxLineBytes; offset += maxLineBytes) this.#entry(stream, waiting.subarray(offset, offset + maxLineBytes));
      if (offset < waiting.length) this.#pending[stream].push(waiting.subarray(offset));
    }
  }

  /** A Writable for one stream (to hand to the driver), forwarding each chunk to `forward` too (and its end). */
  stream(stream: LogStream, forward?: NodeJS.WritableStream): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        try {
          this.write(stream, chunk);
        } catch {
          // A full disk must not stop the container's output from reaching the user.
        }
        if (forward && !forward.write(chunk)) forward.once('drain', () => callback());
        else callback();
      },
      final: (callback) => {
        this.flush(stream);
        if (forward) forward.end(() => callback());
        else callback();
      },
    });
  }

  /** Writes a partial line still waiting (at the end of the stream). */
  flush(stream: LogStream): void {
    if (this.#pending[stream].length === 0) return;
    const rest = Buffer.concat(this.#pending[stream]);
    this.#pending[stream] = [];
    this.#entry(stream, rest);
  }

  close(): void {
    this.flush('stdout');
    this.flush('stderr');
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #entry(stream: LogStream, line: Buffer): void {
    const text = `${JSON.stringify({ log: line.toString('utf8'), stream, time: formatRfc3339Nano(nowNanoseconds()) })}\n`;
    const bytes = Buffer.from(text);
    if (this.#fd === undefined) {
      this.#fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o640);
      this.#size = fstatSync(this.#fd).size;
    }
    const max = this.#limits.maxSizeBytes;
    if (max !== undefined && this.#size > 0 && this.#size + bytes.length > max) this.#rotate();
    writeSync(this.#fd!, bytes);
    this.#size += bytes.length;
  }

  #rotate(): void {
    closeSync(this.#fd!);
    const files = this.#limits.maxFiles;
    if (files > 1) {
      rmSync(`${this.path}.${files - 1}`, { force: true });
      for (let index = files - 2; index >= 1; index -= 1) {
        try {
          renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
        } catch {
          // Not there yet.
        }
      }
      renameSync(this.path, `${this.path}.1`);
      this.#fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_TRUNC, 0o640);
    } else {
      this.#fd = openSync(this.path, constants.O_WRONLY | constants.O_TRUNC | constants.O_CREAT, 0o640);
    }
    this.#size = 0;
  }
}
