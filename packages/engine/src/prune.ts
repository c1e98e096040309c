import { imageEvent } from './container-events.js';
import { isActive, type Container } from './container.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { parseTimestamp } from './event-time.js';
import type { ContainerFilters } from './filter-containers.js';
import { treeBytes, writableLayerSize } from './layer-size.js';

/** Docker's `containers/prune` answer. */
export interface ContainersPruneReport {
  /** Full ids of the removed containers. */
  containersDeleted: string[];
  spaceReclaimedBytes: number;
}

/** One entry of Docker's `images/prune` answer: a reference untagged or an image deleted (`sha256:<id>`). */
export type ImageDeleteEntry = { untagged: string } | { deleted: string };

export interface ImagesPruneReport {
  imagesDeleted: ImageDeleteEntry[];
  spaceReclaimedBytes: number;
}

export interface VolumesPruneReport {
  volumesDeleted: string[];
  spaceReclaimedBytes: number;
}

/** The filter keys of Docker's prune endpoints (containers and images): `until`, `label`, `label!`. */
export const pruneFilterKeys = ['until', 'label', 'label!'] as const;

function checkPruneFilters(filters: ContainerFilters, keys: readonly string[]): void {
  for (const key of Object.keys(filters)) if (!keys.includes(key)) throw new EngineError('INVALID_REQUEST', `invalid filter '${key}'`);
}

function labelsMatch(labels: Readonly<Record<string, string>>, filters: ContainerFilters): boolean {
  const has = (text: string) => {
    const equals = text.indexOf('=');
    const key = equals === -1 ? text : text.slice(0, equals);
    return key in labels && (equals === -1 || labels[key] === text.slice(equals + 1));
  };
  return (filters.label ?? []).every(has) && !(filters['label!'] ?? []).some(has);
}

/** `until=<timestamp|duration>`: made before that time (every value must hold). @throws EngineError INVALID_REQUEST */
function createdBefore(created: string, filters: ContainerFilters): boolean {
  const createdNs = BigInt(Date.parse(created)) * 1_000_000n;
  return (filters.until ?? []).every((text) => {
    let limit: bigint;
    try {
      limit = parseTimestamp(text);
    } catch (error) {
      throw new EngineError('INVALID_REQUEST', `invalid filter 'until=${text}': ${(error as Error).message}`, { cause: error });
    }
    return createdNs < limit;
  });
}

/** Whether a container counts as stopped for prune (Docker: not running; created and dead ones too). */
function prunable(container: Container): boolean {
  return !isActive(container);
}

/**
 * Docker's `container prune` (`POST /containers/prune`): removes every stopped container that
 * matches `filters` (`until`, `label`, `label!`), each journaled `destroy`. Its writable layer's
 * size counts as reclaimed. A container that cannot be removed is skipped (Docker logs it).
 * @throws EngineError INVALID_REQUEST for an unknown filter or a bad `until`
 */
export async function pruneContainers(engine: Engine, filters: ContainerFilters = {}): Promise<ContainersPruneReport> {
  checkPruneFilters(filters, pruneFilterKeys);
  const { containers } = await engine.list();
  const report: ContainersPruneReport = { containersDeleted: [], spaceReclaimedBytes: 0 };
  for (const container of containers) {
    if (!prunable(container) || !labelsMatch(container.record.labels, filters) || !createdBefore(container.record.created, filters)) continue;
    const size = container.record.rootfsMode === 'overlay' ? await writableLayerSize(engine, container.id) : 0;
    try {
      await engine.remove(container.id);
    } catch {
      continue;
    }
    report.containersDeleted.push(container.id);
    report.spaceReclaimedBytes += size;
  }
  return report;
}

/**
 * Docker's `image prune` (`POST /images/prune`): dangling images (no reference) that no
 * container uses; with `all`, every image no container uses. Filters: `until`, `label`, `label!`
 * (on the image's config labels). Journals `untag` and `delete` for each.
 * @throws EngineError INVALID_REQUEST for an unknown filter
 */
export async function pruneImages(engine: Engine, options: { all?: boolean; filters?: ContainerFilters } = {}): Promise<ImagesPruneReport> {
  const filters = options.filters ?? {};
  checkPruneFilters(filters, [...pruneFilterKeys, 'dangling']);
  let all = options.all ?? false;
  for (const value of filters.dangling ?? []) {
    if (!/^(true|false|1|0)$/.test(value)) throw new EngineError('INVALID_REQUEST', `invalid filter 'dangling=${value}'`);
    if (value === 'false' || value === '0') all = true;
  }
  const users = await engine.imageUsers();
  const { images } = await engine.images.list();
  const report: ImagesPruneReport = { imagesDeleted: [], spaceReclaimedBytes: 0 };
  for (const image of images) {
    if (users.some((user) => user.imageId === image.id)) continue;
    if (!all && image.references.length > 0) continue;
    if (!labelsMatch(image.config.Labels ?? {}, filters) || !createdBefore(image.created, filters)) continue;
    let removed: { untagged: string[]; deleted: string[] };
    try {
      removed = await engine.images.remove(image.id, { force: true, users });
    } catch {
      continue;
    }
    for (const name of removed.untagged) {
      engine.events.append(imageEvent(`sha256:${image.id}`, 'untag', name));
      report.imagesDeleted.push({ untagged: name });
    }
    for (const id of removed.deleted) {
      engine.events.append(imageEvent(`sha256:${id}`, 'delete'));
      report.imagesDeleted.push({ deleted: `sha256:${id}` });
      report.spaceReclaimedBytes += image.sizeBytes;
    }
  }
  return report;
}

/** Which containers (ids) mount each volume, from their records (stopped ones too, as Docker counts them). */
export async function volumeUsers(engine: Engine): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  const { containers } = await engine.list();
  for (const container of containers) for (const volume of container.record.volumes ?? []) users.set(volume.name, [...(users.get(volume.name) ?? []), container.id]);
  return users;
}

/**
 * Docker's `volume prune` (`POST /volumes/prune`): anonymous volumes no container uses; with
 * `all`, every unused volume. Filters: `label`, `label!`. Journals `destroy` (type volume).
 */
export async function pruneVolumes(engine: Engine, options: { all?: boolean; filters?: ContainerFilters } = {}): Promise<VolumesPruneReport> {
  const filters = options.filters ?? {};
  checkPruneFilters(filters, ['label', 'label!', 'all']);
  const all = (options.all ?? false) || (filters.all ?? []).some((value) => value === 'true' || value === '1');
  const users = await volumeUsers(engine);
  const report: VolumesPruneReport = { volumesDeleted: [], spaceReclaimedBytes: 0 };
  for (const volume of await engine.volumes.list()) {
    if (users.has(volume.name) || (!volume.anonymous && !all) || !labelsMatch(volume.labels, filters)) continue;
    const size = await treeBytes(volume.mountpoint);
    try {
      await engine.volumes.remove(volume.name, []);
    } catch {
      continue;
    }
    engine.events.append({ Type: 'volume', Action: 'destroy', Actor: { ID: volume.name, Attributes: { driver: 'local' } } });
    report.volumesDeleted.push(volume.name);
    report.spaceReclaimedBytes += size;
  }
  return report;
}
