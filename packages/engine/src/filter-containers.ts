import { isActive, type Container, type ContainerState } from './container.js';
import { EngineError } from './errors.js';
import { findOne } from './lookup.js';
import { healthFilterValue } from './docker-view.js';

/** Docker's `ps --filter` keys (`containers/json?filters=`) that the engine knows. */
export const containerFilterKeys = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'volume', 'is-task', 'health'] as const;

const healthValues: readonly string[] = ['starting', 'healthy', 'unhealthy', 'none'];

const statuses: readonly string[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'] satisfies readonly (ContainerState | 'removing')[];

/** Filters as Docker's API carries them: key -> values (`{"label": ["a=b"], "status": ["exited"]}`). */
export type ContainerFilters = Readonly<Record<string, readonly string[]>>;

/**
 * `key=value` texts (`ps -f`) as ContainerFilters.
 * @throws EngineError INVALID_REQUEST naming the text
 */
export function parseContainerFilters(texts: readonly string[]): Record<string, string[]> {
  const filters: Record<string, string[]> = {};
  for (const text of texts) {
    const equals = text.indexOf('=');
    if (equals <= 0) throw new EngineError('INVALID_REQUEST', `bad format of filter (expected name=value): ${JSON.stringify(text)}`);
    const key = text.slice(0, equals).trim().toLowerCase();
    (filters[key] ??= []).push(text.slice(equals + 1));
  }
  return filters;
}

function nameMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return name.includes(pattern);
  }
}

function imageMatches(reference: string, container: Container): boolean {
  const { image, imageId } = container.record;
  const bare = (text: string) => text.replace(/:latest$/, '');
  if (bare(image) === bare(reference)) return true;
  const hex = reference.replace(/^sha256:/, '');
  return imageId !== undefined && /^[0-9a-f]+$/.test(hex) && imageId.startsWith(hex);
}

/**
 * Docker's container filters over a listing: values of one key OR, keys AND; every `label` must
 * match (`key` or `key=value`); `before`/`since` name a container of the listing; `exited` only
 * matches exited containers; `volume` a mount's source or destination.
 * @throws EngineError INVALID_REQUEST naming an unknown key or bad value; NO_SUCH_CONTAINER for before/since
 */
export function filterContainers(containers: readonly Container[], filters: ContainerFilters): Container[] {
  for (const [key, values] of Object.entries(filters)) {
    if (!(containerFilterKeys as readonly string[]).includes(key)) throw new EngineError('INVALID_REQUEST', `invalid filter '${key}'`);
    for (const value of values) {
      if (key === 'status' && !statuses.includes(value)) throw new EngineError('INVALID_REQUEST', `invalid filter 'status=${value}': Unrecognised filter value for status: ${value}`);
      if (key === 'health' && !healthValues.includes(value)) throw new EngineError('INVALID_REQUEST', `invalid filter 'health=${value}': Unrecognised filter value for health: ${value}`);
      if (key === 'exited' && !/^-?\d+$/.test(value)) throw new EngineError('INVALID_REQUEST', `invalid filter 'exited=${value}': the exit code must be an integer`);
    }
  }
  const created = (reference: string) => findOne(reference, containers).record.created;
  const before = filters.before?.map(created);
  const since = filters.since?.map(created);
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters[key];
    return values === undefined || values.length === 0 || values.some(test);
  };
  return containers.filter((container) => {
    const { record } = container;
    if (!any('id', (value) => container.id.startsWith(value))) return false;
    if (!any('name', (value) => nameMatches(value.replace(/^\//, ''), container.name))) return false;
    if (!any('status', (value) => value === container.state)) return false;
    if (!any('exited', (value) => container.state === 'exited' && container.exitCode === Number(value))) return false;
    if (!any('ancestor', (value) => imageMatches(value, container))) return false;
    if (!any('is-task', (value) => value === 'false')) return false;
    if (!any('health', (value) => value === healthFilterValue(container))) return false;
    if (!any('volume', (value) => record.command.mounts.some((mount) => mount.destination === value || (mount.type === 'bind' && mount.source === value)))) return false;
    for (const label of filters.label ?? []) {
      const equals = label.indexOf('=');
      const key = equals === -1 ? label : label.slice(0, equals);
      if (!(key in record.labels)) return false;
      if (equals !== -1 && record.labels[key] !== label.slice(equals + 1)) return false;
    }
    if (before?.some((limit) => record.created >= limit)) return false;
    if (since?.some((limit) => record.created <= limit)) return false;
    return true;
  });
}

/** Whether `ps` without `-a` lists this container: running ones, or any once a status filter is given (Docker). */
export function listedByDefault(container: Container, filters: ContainerFilters): boolean {
  return isActive(container) || filters.status !== undefined || filters.exited !== undefined;
}
