import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isActive } from './container.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { parseRfc3339 } from './event-time.js';
import type { LogStream } from './json-file.js';
import { jsonFileLimits, jsonLogPath } from './log-config.js';

/** One entry of a container's log. */
export interface LogEntry {
  stream: LogStream;
  /** The bytes as the container wrote them, with the newline that ended the line. */
  log: Buffer;
  /** As recorded: RFC3339Nano in UTC. */
  time: string;
  /** The same, in nanoseconds since the epoch. */
  timeNano: bigint;
  /** Docker's `--details` attributes (from `--log-opt labels=`/`env=`); empty here when none were asked for. */
  attributes: Record<string, string>;
}

export interface ReadLogsOptions {
  /** Only entries at or after (nanoseconds since the epoch). */
  since?: bigint;
  /** Only entries before (nanoseconds since the epoch). */
  until?: bigint;
  /** The last `tail` entries (of those within since/until); all when undefined. */
  tail?: number;
  /** Goes on with new entries until the container stopped (or `signal` aborts). */
  follow?: boolean;
  /** Which streams (default both). */
  stdout?: boolean;
  stderr?: boolean;
  signal?: AbortSignal;
  pollMs?: number;
  /**
   * With `follow`: awaited once the container is seen stopped, before the last looks (the writer of
   * its log finishing its last lines). Resolving `true` says the log is complete: one last look ends it.
   */
  settled?: () => Promise<boolean | void>;
}

function parseEntry(line: string): LogEntry | undefined {
  try {
    const value = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown; attrs?: Record<string, string> };
    if (typeof value.log !== 'string' || (value.stream !== 'stdout' && value.stream !== 'stderr') || typeof value.time !== 'string') return undefined;
    const timeNano = parseRfc3339(value.time) ?? 0n;
    return { stream: value.stream, log: Buffer.from(value.log, 'utf8'), time: value.time, timeNano, attributes: value.attrs ?? {} };
  } catch {
    return undefined;
  }
}

function readRange(fd: number, offset: number): Buffer {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (let position = offset; ; ) {
    const bytes = readSync(fd, buffer, 0, buffer.length, position);
    if (bytes === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, bytes)));
    position += bytes;
  }
  return Buffer.concat(chunks);
}

function readFile(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch {
    return Buffer.alloc(0);
  }
  try {
    return readRange(fd, 0);
  } finally {
    closeSync(fd);
  }
}

/** Entries of complete lines; the rest (a line being written) is returned to wait for its end. */
function entriesOf(text: string): { entries: LogEntry[]; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { entries: [], rest: text };
  const entries: LogEntry[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    const entry = line === '' ? undefined : parseEntry(line);
    if (entry) entries.push(entry);
  }
  return { entries, rest: text.slice(end + 1) };
}

/**
 * A container's log as Docker's `logs` reads its json-file: the rotated files oldest first, then
 * the current one; `since`, `until`, `tail`, the streams asked for; with `follow`, new entries
 * as they are written (through rotations), until the container stopped. What the CLI prints
 * and the daemon frames for the API.
 * @throws EngineError NO_SUCH_CONTAINER; LOGS_UNAVAILABLE for a container with log driver none
 */
export async function* readLogs(engine: Engine, reference: string, options: ReadLogsOptions = {}): AsyncGenerator<LogEntry> {
  const container = await engine.find(reference);
  const config = container.record.logConfig;
  if (config?.Type === 'none') throw new EngineError('LOGS_UNAVAILABLE', `configured logging driver does not support reading (container ${container.name} logs with driver none)`);
  const path = jsonLogPath(engine.containerDir(container.id), container.id);
  const files = config ? jsonFileLimits(config).maxFiles : 1;
  const wanted = (entry: LogEntry) =>
    (options.since === undefined || entry.timeNano >= options.since) &&
    (options.until === undefined || entry.timeNano < options.until) &&
    (entry.stream === 'stdout' ? options.stdout !== false : options.stderr !== false);

  // The current file is opened first, so nothing written after the old files were read is lost.
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch {
    fd = undefined;
  }
  try {
    const past: LogEntry[] = [];
    for (let index = files - 1; index >= 1; index -= 1) past.push(...entriesOf(readFile(`${path}.${index}`).toString('utf8')).entries.filter(wanted));
    let offset = 0;
    let rest = '';
    if (fd !== undefined) {
      const chunk = readRange(fd, 0);
      offset = chunk.length;
      const parsed = entriesOf(chunk.toString('utf8'));
      rest = parsed.rest;
      past.push(...parsed.entries.filter(wanted));
    }
    const shown = options.tail === undefined ? past : options.tail === 0 ? [] : past.slice(-options.tail);
    for (const entry of shown) yield entry;
    if (!options.follow) return;

    const pollMs = options.pollMs ?? 100;
    let stoppedChecks = 0;
    for (;;) {
      if (options.signal?.aborted) return;
      if (options.until !== undefined && BigInt(Date.now()) * 1_000_000n >= options.until) return;
      let grew = false;
      if (fd === undefined) {
        try {
          fd = openSync(path, constants.O_RDONLY);
          offset = 0;
          rest = '';
        } catch {
          fd = undefined;
        }
      }
      if (fd !== undefined) {
        // Truncated in place (max-file 1): start over.
        if (fstatSync(fd).size < offset) {
          offset = 0;
          rest = '';
        }
        const chunk = readRange(fd, offset);
        offset += chunk.length;
        if (chunk.length > 0) {
          grew = true;
          const parsed = entriesOf(rest + chunk.toString('utf8'));
          rest = parsed.rest;
          for (const entry of parsed.entries) if (wanted(entry)) yield entry;
        } else {
          // Rotated: our descriptor is the old file, read to its end; go on with the new one.
          let currentIno: number | undefined;
          try {
            currentIno = statSync(path).ino;
          } catch {
            currentIno = undefined;
          }
          if (currentIno !== undefined && currentIno !== fstatSync(fd).ino) {
            closeSync(fd);
            fd = undefined;
            continue;
          }
        }
      }
      if (!grew) {
        const current = await engine.find(container.id).catch(() => undefined);
        // Stopped: one more look after the writer had time to flush its last lines.
        if (!current || !isActive(current)) {
          if (stoppedChecks === 0 && options.settled && (await options.settled()) === true) {
            // The writer says its last lines are written: one more look, at once, is the end.
            stoppedChecks = 2;
            continue;
          }
          stoppedChecks += 1;
          if (stoppedChecks > 2) return;
        } else stoppedChecks = 0;
        await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
      }
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
