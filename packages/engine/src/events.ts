import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeSync, mkdirSync, constants } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesEventFilters, type EventFilters } from './event-filters.js';
import { nowNanoseconds } from './event-time.js';

/** Docker's event types. */
export type EventType = 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config' | 'builder';

/**
 * One event, shaped as Docker's API (`/events`): `Actor.Attributes` holds the container's name,
 * image and labels, `exitCode` on die, `signal` on kill. `timeNano` is a bigint (a Number cannot
 * hold nanoseconds since 1970 exactly); `eventToJson` writes it as Docker does, as an integer.
 */
export interface EngineEvent {
  Type: EventType;
  /** `create`, `start`, `die`, ... and `exec_create: sh -c ...` for execs, as Docker spells them. */
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Seconds since the epoch. */
  time: number;
  timeNano: bigint;
}

/** What a caller gives `append`: the time is the journal's. */
export type EventInput = Pick<EngineEvent, 'Type' | 'Action' | 'Actor'>;

export interface ReadEventsOptions {
  /** Nanoseconds since the epoch: events at or after. */
  since?: bigint;
  /** Nanoseconds since the epoch: events at or before. */
  until?: bigint;
  filters?: EventFilters;
}

export interface FollowEventsOptions extends ReadEventsOptions {
  /** Past events (from `since`) come first; without `since` (and `until`), only new ones. */
  signal?: AbortSignal;
  /** How often the journal is looked at (default 100 ms). */
  pollMs?: number;
}

export interface EventJournalOptions {
  /** Past this size the journal is renamed to `journal.1.jsonl` (the older one is dropped). Default 4 MiB. */
  maxBytes?: number;
}

/**
 * Docker's JSON of an event, as `/events` and `{{json .}}` give it: the legacy `status`, `id`,
 * `from` of container and image events, then `Type`, `Action`, `Actor`, `scope`, `time`, `timeNano`.
 */
export function eventToJson(event: EngineEvent): string {
  const legacy: Record<string, string> = {};
  if (event.Type === 'container' || event.Type === 'image') {
    legacy.status = event.Action;
    legacy.id = event.Actor.ID;
    if (event.Type === 'container' && event.Actor.Attributes.image !== undefined) legacy.from = event.Actor.Attributes.image;
  }
  const body = JSON.stringify({ ...legacy, Type: event.Type, Action: event.Action, Actor: event.Actor, scope: event.scope, time: event.time, timeNano: 0 });
  return body.replace(/"timeNano":0}$/, `"timeNano":${event.timeNano}}`);
}

/** Parses one journal line; undefined for a torn or foreign line. */
export function parseEventLine(line: string): EngineEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<EngineEvent> & { timeNano?: unknown };
    if (typeof value.Type !== 'string' || typeof value.Action !== 'string' || typeof value.Actor?.ID !== 'string') return undefined;
    // The exact nanoseconds are in the text: a Number loses the last digits.
    const nano = /"timeNano":(\d+)}\s*$/.exec(line)?.[1];
    if (nano === undefined) return undefined;
    return { Type: value.Type, Action: value.Action, Actor: { ID: value.Actor.ID, Attributes: value.Actor.Attributes ?? {} }, scope: 'local', time: Number(value.time), timeNano: BigInt(nano) };
  } catch {
    return undefined;
  }
}

const defaultMaxBytes = 4 * 1024 * 1024;
const staleLockMs = 10_000;

/**
 * The events journal shared by every engine process (CLI runs, helpers, the daemon):
 * `<dir>/journal.jsonl`, one JSON line per event, each appended with one `write()` on an
 * O_APPEND descriptor, so lines of concurrent processes never interleave. Past `maxBytes` one
 * process (holding `rotate.lock`) renames it to `journal.1.jsonl`, keeping one old file. Readers
 * skip a torn last line (a writer killed mid-write, or one still writing).
 */
export class EventJournal {
  readonly dir: string;
  readonly path: string;
  readonly oldPath: string;
  readonly #maxBytes: number;

  constructor(dir: string, options: EventJournalOptions = {}) {
    this.dir = dir;
    this.path = join(dir, 'journal.jsonl');
    this.oldPath = join(dir, 'journal.1.jsonl');
    this.#maxBytes = options.maxBytes ?? defaultMaxBytes;
  }

  /** Appends one event, now; returns it. Synchronous, so an event is in the journal before the call returns. */
  append(input: EventInput): EngineEvent {
    const timeNano = nowNanoseconds();
    const event: EngineEvent = { Type: input.Type, Action: input.Action, Actor: { ID: input.Actor.ID, Attributes: { ...input.Actor.Attributes } }, scope: 'local', time: Number(timeNano / 1_000_000_000n), timeNano };
    const line = Buffer.from(`${eventToJson(event)}\n`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
    try {
      if (fstatSync(fd).size + line.length > this.#maxBytes && this.#rotate()) {
        closeSync(fd);
        fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
      }
      writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
    return event;
  }

  /** Renames the journal to the old one, under a lock file; false when another process holds it. */
  #rotate(): boolean {
    const lock = join(this.dir, 'rotate.lock');
    let lockFd: number;
    try {
      lockFd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch {
      // Held, or left by a process killed while holding it: a stale one is broken for the next writer.
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleLockMs) unlinkSync(lock);
      } catch {
        // Gone meanwhile.
      }
      return false;
    }
    try {
      // Another process may have rotated between our open and the lock: look again.
      if (statSync(this.path).size <= this.#maxBytes / 2) return true;
      renameSync(this.path, this.oldPath);
      return true;
    } catch {
      return false;
    } finally {
      closeSync(lockFd);
      rmSync(lock, { force: true });
    }
  }

  /** The events in the journal (the old file, then the current one) that match, oldest first. */
  read(options: ReadEventsOptions = {}): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const path of [this.oldPath, this.path]) {
      const text = readWhole(path);
      for (const event of parseLines(text)) if (wanted(event, options)) events.push(event);
    }
    return events;
  }

  /**
   * Past events (from `since`, up to `until`) then new ones as they are appended, until `until`
   * passes or `signal` aborts. Without `since` and `until`, only events appended from now on.
   * Follows the journal through rotations (it keeps the descriptor of the file it reads).
   */
  async *follow(options: FollowEventsOptions = {}): AsyncGenerator<EngineEvent> {
    const pollMs = options.pollMs ?? 100;
    const past = options.since !== undefined || options.until !== undefined;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let fd = openSync(this.path, constants.O_RDONLY | constants.O_CREAT, 0o600);
    let ino = fstatSync(fd).ino;
    let offset = 0;
    let pending = '';
    try {
      if (past) {
        for (const event of parseLines(readWhole(this.oldPath))) if (wanted(event, options)) yield event;
      } else offset = fstatSync(fd).size;
      for (;;) {
        const chunk = readFrom(fd, offset);
        offset += chunk.length;
        const text = pending + chunk.toString('utf8');
        const end = text.lastIndexOf('\n');
        pending = end < 0 ? text : text.slice(end + 1);
        if (end >= 0) {
          for (const event of parseLines(text.slice(0, end + 1))) {
            if (options.until !== undefined && event.timeNano > options.until) return;
            if (wanted(event, options)) yield event;
          }
        }
        if (options.signal?.aborted) return;
        if (options.until !== undefined && nowNanoseconds() > options.until) return;
        // Rotated: finish the old file (done above, it is still our descriptor), then the new one.
        let current: number | undefined;
        try {
          current = statSync(this.path).ino;
        } catch {
          current = undefined;
        }
        if (current !== undefined && current !== ino && chunk.length === 0) {
          closeSync(fd);
          fd = openSync(this.path, constants.O_RDONLY);
          ino = fstatSync(fd).ino;
          offset = 0;
          pending = '';
          continue;
        }
        if (chunk.length === 0) await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => undefined);
      }
    } finally {
      closeSync(fd);
    }
  }
}

function wanted(event: EngineEvent, options: ReadEventsOptions): boolean {
  if (options.since !== undefined && event.timeNano < options.since) return false;
  if (options.until !== undefined && event.timeNano > options.until) return false;
  return options.filters === undefined || matchesEventFilters(event, options.filters);
}

function readWhole(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY);
  } catch {
    return '';
  }
  try {
    return readFrom(fd, 0).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function readFrom(fd: number, offset: number): Buffer {
  const chunks: Buffer[] = [];
  let position = offset;
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    const bytes = readSync(fd, buffer, 0, buffer.length, position);
    if (bytes === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, bytes)));
    position += bytes;
  }
  return Buffer.concat(chunks);
}

/** Complete lines only: a last line without its newline is torn (or still being written). */
function* parseLines(text: string): Generator<EngineEvent> {
  const end = text.lastIndexOf('\n');
  if (end < 0) return;
  for (const line of text.slice(0, end).split('\n')) {
    if (line === '') continue;
    const event = parseEventLine(line);
    if (event) yield event;
  }
}
