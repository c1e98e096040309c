import { readFile, writeFile } from 'node:fs/promises';
import { idMapsSchema, type IdMap } from '@execdriver/spec';
import { NamespaceError, hasErrorCode } from './errors.js';
import { parseId } from './passwd.js';

/**
 * Checks a whole uid or gid mapping as the kernel would: 1 to 340 ranges, size at least 1, ends
 * within 2^32-1, no overlap on the container side or the host side. Returns the maps; throws
 * INVALID_ID_MAP naming the offending range.
 */
export function validateIdMaps(maps: readonly IdMap[], what = 'ID mapping'): IdMap[] {
  const result = idMapsSchema.safeParse(maps);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const index = typeof issue.path[0] === 'number' ? issue.path[0] : undefined;
  const offending = index === undefined ? maps : maps[index];
  const where = index === undefined ? '' : ` (range ${index}: ${JSON.stringify(offending)})`;
  throw new NamespaceError('INVALID_ID_MAP', `invalid ${what}: ${issue.message}${where}`, { value: offending, cause: result.error });
}

/** The host id that container id `id` maps to; ID_NOT_MAPPED when no range holds it. */
export function toHostId(maps: readonly IdMap[], id: number): number {
  for (const map of maps) {
    if (id >= map.containerId && id - map.containerId < map.size) return map.hostId + (id - map.containerId);
  }
  throw new NamespaceError('ID_NOT_MAPPED', `container id ${id} is not mapped by ${formatRanges(maps)}`, { value: id });
}

/** The container id that host id `id` appears as; ID_NOT_MAPPED when no range holds it. */
export function toContainerId(maps: readonly IdMap[], id: number): number {
  for (const map of maps) {
    if (id >= map.hostId && id - map.hostId < map.size) return map.containerId + (id - map.hostId);
  }
  throw new NamespaceError('ID_NOT_MAPPED', `host id ${id} is not mapped by ${formatRanges(maps)}`, { value: id });
}

function formatRanges(maps: readonly IdMap[]): string {
  if (maps.length === 0) return 'an empty mapping';
  return maps.map((map) => `${map.containerId}->${map.hostId}+${map.size}`).join(', ');
}

/**
 * Parses the /proc/<pid>/uid_map (gid_map) format: one range per line, three whitespace-separated
 * decimal fields `container-id host-id size` (user_namespaces(7)). Blank lines are skipped; a
 * malformed line raises INVALID_FORMAT with its number. Does not validate overlaps (see validateIdMaps).
 */
export function parseIdMap(text: string): IdMap[] {
  const maps: IdMap[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const fields = line.trim().split(/\s+/);
    const [containerId, hostId, size] = fields.map(parseId);
    if (fields.length !== 3 || containerId === undefined || hostId === undefined || size === undefined) {
      throw new NamespaceError('INVALID_FORMAT', `id map line ${index + 1}: expected "container-id host-id size": ${JSON.stringify(line)}`, {
        value: { line: index + 1, text: line },
      });
    }
    maps.push({ containerId, hostId, size });
  });
  return maps;
}

/** Formats maps in the uid_map format, one `container-id host-id size` line each (validated first). */
export function formatIdMap(maps: readonly IdMap[]): string {
  return validateIdMaps(maps).map((map) => `${map.containerId} ${map.hostId} ${map.size}\n`).join('');
}

export type IdMapKind = 'uid' | 'gid';

/** Reads `${procRoot}/${pid}/uid_map` or `gid_map`. */
export async function readIdMap(pid: number | 'self', kind: IdMapKind, options: { procRoot?: string } = {}): Promise<IdMap[]> {
  const path = `${options.procRoot ?? '/proc'}/${pid}/${kind}_map`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = hasErrorCode(error, 'ENOENT', 'ESRCH') ? 'PROCESS_NOT_FOUND' : 'READ_FAILED';
    throw new NamespaceError(code, `cannot read ${path}`, { value: path, cause: error });
  }
  return parseIdMap(text);
}

/**
 * Writes `${procRoot}/${pid}/uid_map` or `gid_map` in one write(2), as the kernel requires (the
 * file can be written once per namespace). For gid_map of an unprivileged writer, setgroups must
 * be denied first; runc does all this itself, this is for tools that create namespaces directly.
 */
export async function writeIdMap(pid: number, kind: IdMapKind, maps: readonly IdMap[], options: { procRoot?: string } = {}): Promise<void> {
  const path = `${options.procRoot ?? '/proc'}/${pid}/${kind}_map`;
  const text = formatIdMap(maps);
  try {
    await writeFile(path, text, { flag: 'r+' });
  } catch (error) {
    const code = hasErrorCode(error, 'ENOENT', 'ESRCH') ? 'PROCESS_NOT_FOUND' : 'INVALID_ID_MAP';
    throw new NamespaceError(code, `cannot write ${JSON.stringify(text)} to ${path}`, { value: path, cause: error });
  }
}
