import type { EngineEvent } from './events.js';
import { EngineError } from './errors.js';

/** Docker's event filters: each key's values are OR-ed, keys are AND-ed. */
export type EventFilters = Partial<Record<EventFilterKey, string[]>>;

export const eventFilterKeys = ['container', 'event', 'type', 'label', 'image', 'scope'] as const;
export type EventFilterKey = (typeof eventFilterKeys)[number];

/**
 * Parses `key=value` filter texts (`--filter container=web --filter event=die`).
 * @throws EngineError INVALID_REQUEST for a text without `=` or an unknown key
 */
export function parseEventFilters(texts: readonly string[]): EventFilters {
  const filters: EventFilters = {};
  for (const text of texts) {
    const index = text.indexOf('=');
    if (index <= 0) throw new EngineError('INVALID_REQUEST', `bad format of filter (expected name=value): ${text}`);
    const key = text.slice(0, index).trim().toLowerCase();
    if (!(eventFilterKeys as readonly string[]).includes(key)) throw new EngineError('INVALID_REQUEST', `invalid filter '${key}'`);
    (filters[key as EventFilterKey] ??= []).push(text.slice(index + 1).trim());
  }
  return filters;
}

/** An id or name given in full or as a prefix (Docker's FuzzyMatch). */
function fuzzy(values: readonly string[], candidate: string | undefined): boolean {
  return candidate !== undefined && candidate !== '' && values.some((value) => candidate === value || candidate.startsWith(value));
}

/** `busybox` matches `busybox`, `busybox:latest` and `docker.io/library/busybox:latest`. */
function imageMatches(values: readonly string[], image: string | undefined): boolean {
  if (image === undefined) return false;
  const strip = (reference: string) => reference.replace(/^(docker\.io\/)?(library\/)?/, '').replace(/:latest$/, '');
  return values.some((value) => image === value || strip(image) === strip(value) || image.startsWith(value));
}

/** Whether the event passes every filter (Docker's `events.Filter.Include`). */
export function matchesEventFilters(event: EngineEvent, filters: EventFilters): boolean {
  const attributes = event.Actor.Attributes;
  if (filters.type?.length && !filters.type.includes(event.Type)) return false;
  if (filters.scope?.length && !filters.scope.includes('local')) return false;
  if (filters.event?.length) {
    // `exec_create: sh -c ...` is matched by `exec_create`.
    const action = event.Action.split(':')[0]!.trim();
    if (!filters.event.includes(action) && !filters.event.includes(event.Action)) return false;
  }
  if (filters.container?.length) {
    if (event.Type !== 'container' || !(fuzzy(filters.container, event.Actor.ID) || fuzzy(filters.container, attributes.name))) return false;
  }
  if (filters.image?.length) {
    const image = event.Type === 'image' ? (attributes.name ?? event.Actor.ID) : attributes.image;
    if (!(imageMatches(filters.image, image) || (event.Type === 'image' && fuzzy(filters.image, event.Actor.ID)))) return false;
  }
  if (filters.label?.length) {
    for (const label of filters.label) {
      const index = label.indexOf('=');
      const key = index < 0 ? label : label.slice(0, index);
      if (!(key in attributes)) return false;
      if (index >= 0 && attributes[key] !== label.slice(index + 1)) return false;
    }
  }
  return true;
}
