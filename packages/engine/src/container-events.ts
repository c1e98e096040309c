import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeSignal } from '@execdriver/driver';
import type { Container } from './container.js';
import type { EventInput, EventJournal } from './events.js';
import type { ContainerRecord } from './record.js';

/** A container event: Docker's attributes (labels, `image`, `name`) and the action's own (`exitCode`, `signal`, `execID`). */
export function containerEvent(record: Pick<ContainerRecord, 'id' | 'name' | 'image' | 'labels'>, action: string, extra: Record<string, string> = {}): EventInput {
  return { Type: 'container', Action: action, Actor: { ID: record.id, Attributes: { ...record.labels, image: record.image, name: record.name, ...extra } } };
}

/** An image event (import, tag, untag, delete): the image's id and its name. */
export function imageEvent(id: string, action: string, name?: string): EventInput {
  return { Type: 'image', Action: action, Actor: { ID: id, Attributes: name === undefined ? {} : { name } } };
}

/** Docker's `signal` attribute: the signal's number (`9`), or the text as given when it is no signal known here. */
export function signalAttribute(signal: string | number): string {
  try {
    return String(normalizeSignal(signal).number);
  } catch {
    return String(signal);
  }
}

const markerPrefix = 'events-die-';

/**
 * Journals a stopped container's `oom` and `die`, once per run, whoever sees the end first (the
 * process that waited for it, a `ps` long after, a helper, the daemon): an exclusive marker file
 * `events-die-<run>` in the container's directory, made with O_EXCL, says the run's end is in
 * the journal; the markers of earlier runs go. Returns whether this call journaled it.
 */
export function journalExit(journal: EventJournal, containerDir: string, container: Container): boolean {
  if (container.state !== 'exited' && container.state !== 'dead') return false;
  const run = container.startedAt;
  if (run === undefined) return false;
  const marker = `${markerPrefix}${createHash('sha256').update(run).digest('hex').slice(0, 16)}`;
  try {
    closeSync(openSync(join(containerDir, marker), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch {
    // Journaled already (EEXIST), or the container's directory is gone: nothing to do.
    return false;
  }
  for (const entry of safeReaddir(containerDir)) {
    if (entry.startsWith(markerPrefix) && entry !== marker) rmSync(join(containerDir, entry), { force: true });
  }
  if (container.oomKilled) journal.append(containerEvent(container.record, 'oom'));
  journal.append(containerEvent(container.record, 'die', { exitCode: String(container.exitCode ?? 255) }));
  return true;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
