import { chmod, lchown, lstat, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdMap } from '@execdriver/spec';
import { NamespaceError, hasErrorCode } from './errors.js';
import { listFileCapabilities, setFileCapabilities, type FileCapabilities } from './file-capabilities.js';
import { toHostId, validateIdMaps } from './id-map.js';

export interface TreeMapping {
  uidMappings: readonly IdMap[];
  gidMappings: readonly IdMap[];
}

export interface ChownProgress {
  done: number;
  total: number;
}

export interface ChownTreeOptions {
  onProgress?: (progress: ChownProgress) => void;
  signal?: AbortSignal;
  /** Where the completion marker goes; default `<rootfs>/.execdriver-idmap.json` (skipped by the walk). */
  markerPath?: string;
  /** Restore file capabilities with getcap/setcap (libcap2-bin); default true. */
  preserveCapabilities?: boolean;
  /** Entries changed at once; default 64. */
  concurrency?: number;
}

export interface ChownTreeResult {
  /** False when the marker said the tree was already prepared for these maps. */
  changed: boolean;
  /** Entries (inodes) changed by this call. */
  entries: number;
  /** True when an interrupted earlier call was finished. */
  resumed: boolean;
}

/** One inode of the tree, as found before anything changes. */
interface Entry {
  path: string;
  key: string;
  uid: number;
  gid: number;
  mode: number;
  isFile: boolean;
  capabilities?: FileCapabilities;
}

interface JournalRecord {
  key: string;
  uid: number;
  gid: number;
  mode: number;
  capabilities?: FileCapabilities;
}

const chunkSize = 256;

/**
 * Prepares a root filesystem for a remapped container: every file, directory and symlink owned by
 * container id u:g becomes owned by host id toHostId(u):toHostId(g), with lchown (symlinks are never
 * followed; the walk never leaves the tree). Each inode is changed once (hard links), and the
 * setuid/setgid bits and file capabilities that chown clears are put back.
 *
 * Every id is checked before anything changes (an unmapped id raises ID_NOT_MAPPED naming the
 * path). A journal records each batch before it is applied, so an interrupted call (crash, abort)
 * is finished by the next call without mapping anything twice; a marker written last makes later
 * calls with the same maps return at once (and calls with other maps fail with ALREADY_MAPPED).
 */
export async function chownTreeToMapping(rootfs: string, maps: TreeMapping, options: ChownTreeOptions = {}): Promise<ChownTreeResult> {
  const uidMappings = validateIdMaps(maps.uidMappings, 'uid mapping');
  const gidMappings = validateIdMaps(maps.gidMappings, 'gid mapping');
  const mapping = { uidMappings, gidMappings };
  const markerPath = options.markerPath ?? join(rootfs, '.execdriver-idmap.json');
  const journalPath = `${markerPath}.journal`;
  checkAborted(options.signal, rootfs);

  const marker = await readJson(markerPath);
  if (marker !== undefined) {
    if (sameMapping(marker, mapping)) return { changed: false, entries: 0, resumed: false };
    throw new NamespaceError('ALREADY_MAPPED', `${rootfs} was already prepared for ${JSON.stringify(marker)} (marker ${markerPath})`, {
      value: marker,
    });
  }

  const journal = await readJournal(journalPath, mapping, rootfs);
  const entries = await walk(rootfs, new Set([markerPath, journalPath]), options.signal);
  if (options.preserveCapabilities ?? true) {
    const files = new Set(entries.filter((entry) => entry.isFile).map((entry) => entry.path));
    const capabilities = await listFileCapabilities(rootfs, files);
    for (const entry of entries) {
      const found = capabilities.get(entry.path);
      if (found) entry.capabilities = found;
    }
  }

  // Decide everything before changing anything.
  const work: { entry: Entry; original: JournalRecord; alreadyOwned: boolean }[] = [];
  for (const entry of entries) {
    if (journal.done.has(entry.key)) continue;
    const pending = journal.pending.get(entry.key);
    const original: JournalRecord = pending ?? {
      key: entry.key,
      uid: entry.uid,
      gid: entry.gid,
      mode: entry.mode,
      ...(entry.capabilities ? { capabilities: entry.capabilities } : {}),
    };
    const target = mapIds(original, mapping, entry.path);
    const alreadyOwned = pending !== undefined && entry.uid === target.uid && entry.gid === target.gid;
    work.push({ entry, original, alreadyOwned });
  }

  const handle = await open(journalPath, 'a');
  try {
    if (journal.fresh) await appendLine(handle, { uidMappings, gidMappings });
    const concurrency = options.concurrency ?? 64;
    let done = 0;
    for (let start = 0; start < work.length; start += chunkSize) {
      checkAborted(options.signal, rootfs);
      const chunk = work.slice(start, start + chunkSize);
      await appendLine(handle, { chunk: chunk.map((item) => item.original) });
      for (let offset = 0; offset < chunk.length; offset += concurrency) {
        await Promise.all(chunk.slice(offset, offset + concurrency).map((item) => applyOne(item.entry, item.original, mapping, item.alreadyOwned)));
      }
      await appendLine(handle, { done: chunk.length });
      done += chunk.length;
      options.onProgress?.({ done, total: work.length });
    }
  } finally {
    await handle.close();
  }

  const temporary = `${markerPath}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ uidMappings, gidMappings })}\n`);
  await rename(temporary, markerPath);
  await rm(journalPath, { force: true });
  return { changed: true, entries: work.length, resumed: !journal.fresh };
}

function checkAborted(signal: AbortSignal | undefined, rootfs: string): void {
  if (signal?.aborted) {
    throw new NamespaceError('ABORTED', `preparing ${rootfs} was aborted; call again to finish it`, { value: rootfs, cause: signal.reason });
  }
}

function mapIds(original: JournalRecord, mapping: TreeMapping, path: string): { uid: number; gid: number } {
  try {
    return { uid: toHostId(mapping.uidMappings, original.uid), gid: toHostId(mapping.gidMappings, original.gid) };
  } catch (error) {
    if (error instanceof NamespaceError) {
      throw new NamespaceError(error.code, `${path} is owned by ${original.uid}:${original.gid}: ${error.message}`, { value: path, cause: error });
    }
    throw error;
  }
}

async function applyOne(entry: Entry, original: JournalRecord, mapping: TreeMapping, alreadyOwned: boolean): Promise<void> {
  const target = mapIds(original, mapping, entry.path);
  try {
    if (!alreadyOwned) await lchown(entry.path, target.uid, target.gid);
    // chown(2) clears setuid/setgid on non-directories and drops security.capability: put them back.
    if (entry.isFile && (original.mode & 0o6000) !== 0) await chmod(entry.path, original.mode & 0o7777);
  } catch (error) {
    throw new NamespaceError('CHOWN_FAILED', `cannot change ${entry.path} to ${target.uid}:${target.gid}`, { value: entry.path, cause: error });
  }
  if (entry.isFile && original.capabilities) await setFileCapabilities(entry.path, original.capabilities);
}

/** Every inode under rootfs (rootfs itself first), not following symlinks; hard links once. */
async function walk(rootfs: string, skip: ReadonlySet<string>, signal: AbortSignal | undefined): Promise<Entry[]> {
  const entries: Entry[] = [];
  const seen = new Set<string>();
  const directories = [rootfs];
  const visit = async (path: string): Promise<boolean> => {
    let stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      throw new NamespaceError('READ_FAILED', `cannot stat ${path}`, { value: path, cause: error });
    }
    const key = `${stats.dev}:${stats.ino}`;
    if (seen.has(key)) return false;
    seen.add(key);
    entries.push({ path, key, uid: stats.uid, gid: stats.gid, mode: stats.mode, isFile: stats.isFile() });
    return stats.isDirectory();
  };
  if (!(await visit(rootfs))) {
    throw new NamespaceError('READ_FAILED', `${rootfs} is not a directory`, { value: rootfs });
  }
  while (directories.length > 0) {
    checkAborted(signal, rootfs);
    const directory = directories.pop()!;
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      throw new NamespaceError('READ_FAILED', `cannot list ${directory}`, { value: directory, cause: error });
    }
    const paths = names.map((name) => join(directory, name)).filter((path) => !skip.has(path));
    for (let offset = 0; offset < paths.length; offset += 64) {
      const batch = paths.slice(offset, offset + 64);
      const isDirectory = await Promise.all(batch.map(visit));
      batch.forEach((path, index) => {
        if (isDirectory[index]) directories.push(path);
      });
    }
  }
  return entries;
}

async function appendLine(handle: FileHandle, value: unknown): Promise<void> {
  await handle.write(`${JSON.stringify(value)}\n`);
  await handle.datasync();
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw new NamespaceError('READ_FAILED', `cannot read ${path}`, { value: path, cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new NamespaceError('INVALID_FORMAT', `${path} is not JSON`, { value: path, cause: error });
  }
}

function sameMapping(value: unknown, mapping: TreeMapping): boolean {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return JSON.stringify(record.uidMappings) === JSON.stringify(mapping.uidMappings) && JSON.stringify(record.gidMappings) === JSON.stringify(mapping.gidMappings);
}

/**
 * Reads the journal of an interrupted call: inodes of finished batches (done), and the originals of
 * the batch that was being applied (pending: each may or may not have been changed).
 */
async function readJournal(
  path: string,
  mapping: TreeMapping,
  rootfs: string,
): Promise<{ fresh: boolean; done: Set<string>; pending: Map<string, JournalRecord> }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return { fresh: true, done: new Set(), pending: new Map() };
    throw new NamespaceError('READ_FAILED', `cannot read ${path}`, { value: path, cause: error });
  }
  const lines = text.split('\n').filter((line) => line !== '');
  const parsed: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      parsed.push(JSON.parse(line));
    } catch (error) {
      // Only the last line can be torn (the write was cut short): nothing of that batch was applied.
      if (index === lines.length - 1) break;
      throw new NamespaceError('INVALID_FORMAT', `${path} line ${index + 1} is not JSON`, { value: path, cause: error });
    }
  }
  if (parsed.length === 0) return { fresh: true, done: new Set(), pending: new Map() };
  if (!sameMapping(parsed[0], mapping)) {
    throw new NamespaceError('ALREADY_MAPPED', `${rootfs} is half prepared for ${JSON.stringify(parsed[0])} (journal ${path}); finish it with those maps`, {
      value: parsed[0],
    });
  }
  // A batch without its `done` line may be partly applied; a later call journals those originals
  // again, so keep the first record of each until a `done` line covers it.
  const done = new Set<string>();
  const pending = new Map<string, JournalRecord>();
  let current: string[] = [];
  for (const item of parsed.slice(1)) {
    const record = item as { chunk?: JournalRecord[]; done?: number };
    if (record.chunk) {
      current = record.chunk.map((entry) => entry.key);
      for (const entry of record.chunk) if (!pending.has(entry.key)) pending.set(entry.key, entry);
    } else if (record.done !== undefined) {
      for (const key of current) {
        pending.delete(key);
        done.add(key);
      }
      current = [];
    }
  }
  return { fresh: false, done, pending };
}
