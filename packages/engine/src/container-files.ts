import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { containerLayerPaths, remappedImageRootfs } from '@execdriver/images';
import { toHostId } from '@execdriver/namespaces';
import { isActive } from './container.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { runInRoot, spawnInRoot } from './in-root.js';
import { scanTarFile, type TarEntry } from './tar-entries.js';
import { exitOf } from './volume-mounts.js';
import { compareText } from './compare-text.js';

/**
 * The filesystem operations of Docker's `cp`, `export`, `diff` (and the Engine API's archive
 * endpoints), on running and stopped containers alike. Every path inside the container is
 * resolved and opened by a host busybox confined to the container's root (see in-root.ts);
 * whole-root walks (export, diff) start from the engine's own directories and never follow a
 * symlink (GNU tar's openat traversal), so nothing outside the container is read or written.
 */

export type PathKind = 'file' | 'directory' | 'symlink' | 'missing';

const statScript = `
kind() { if [ -L "$1" ]; then echo symlink; elif [ -d "$1" ]; then echo directory; elif [ -e "$1" ]; then echo file; else echo missing; fi; }
p="$1"
if [ "$2" = 1 ] && [ -L "$p" ]; then p=$(readlink -f "$p") || p=/nonexistent-target; fi
echo "$(kind "$p") $(kind "$(dirname "$p")") $p"
`;

async function withRoot<T>(engine: Engine, reference: string, use: (root: string, context: { remapOwner: { uid: number; gid: number } | undefined; containerId: string }) => Promise<T>): Promise<T> {
  const container = await engine.find(reference);
  const wasActive = isActive(container);
  const root = await engine.mountRootfs(container.record);
  const remap = container.record.command.userNamespace;
  const remapOwner = remap ? { uid: toHostId(remap.uidMappings, 0), gid: toHostId(remap.gidMappings, 0) } : undefined;
  try {
    return await use(root, { remapOwner, containerId: container.id });
  } finally {
    if (!wasActive && container.record.rootfsMode === 'overlay') {
      const now = await engine.find(container.id).catch(() => undefined);
      if (now && !isActive(now)) await engine.releaseLayer(container.id).catch(() => undefined);
    }
  }
}

/** What a path in the container is (symlinks followed when `follow`): its kind, its parent's, and the path resolved. */
async function statIn(root: string, busybox: string, path: string, follow: boolean): Promise<{ kind: PathKind; parent: PathKind; resolved: string }> {
  const result = await runInRoot({ busybox, root }, statScript, [path, follow ? '1' : '0']);
  const match = /^(\w+) (\w+) (.*)\n?$/.exec(result.stdout);
  if (result.exitCode !== 0 || !match) throw new EngineError('COPY_FAILED', `cannot look up ${path} in the container: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  return { kind: match[1] as PathKind, parent: match[2] as PathKind, resolved: match[3]! };
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text.trim().split('\n')[0] ?? '';
}

/**
 * A tar stream of a path in the container (Docker's GET /containers/{id}/archive): the entry
 * named after the path's last component, or its content for a path ending in `/.`.
 * @throws EngineError COPY_FAILED `Could not find the file <path> in container <name>`
 */
export async function archiveFromContainer(engine: Engine, reference: string, path: string, output: Writable, options: { followLink?: boolean } = {}): Promise<{ kind: PathKind }> {
  return withRoot(engine, reference, async (root) => {
    const contentsOnly = path.endsWith('/.') || path === '.';
    const info = await statIn(root, engine.busybox, contentsOnly ? path.slice(0, -1) || '/' : path.replace(/\/+$/, '') || '/', options.followLink ?? false);
    if (info.kind === 'missing') throw new EngineError('COPY_FAILED', `Could not find the file ${path} in container ${reference}`);
    if (path.endsWith('/') && info.kind === 'file') throw new EngineError('COPY_FAILED', `${path}: not a directory`);
    const source = options.followLink ? info.resolved : contentsOnly ? path.slice(0, -1) || '/' : path.replace(/\/+$/, '') || '/';
    const script = contentsOnly ? 'cd "$1" && exec tar -c -f - .' : 'exec tar -c -f - -C "$(dirname "$1")" "$(basename "$1")"';
    const reader = spawnInRoot({ busybox: engine.busybox, root, stdio: ['ignore', 'pipe', 'pipe'] }, script, [source]);
    const stderr = collect(reader);
    reader.stdout!.pipe(output);
    const code = await exitOf(reader);
    if (code !== 0) throw new EngineError('COPY_FAILED', `cannot copy ${path} from container ${reference}: ${stderr() || `exit ${code}`}`);
    return { kind: info.kind };
  });
}

/** What `HEAD /containers/{id}/archive` tells of a path (Docker's ContainerPathStat, its mode as Go's os.FileMode). */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  /** For a symlink: its target fully resolved inside the container (absolute); else empty. */
  linkTarget: string;
}

const pathStatScript = `
p="$1"
if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo missing; exit 0; fi
t=""
if [ -L "$p" ]; then t=$(readlink -f "$p") || t=""; fi
stat -c '%f %s %Y' "$p" || exit 1
date -r "$p" -u +%N 2>/dev/null || echo 0
printf '%s\n' "$t"
`;

/** Go's os.FileMode of a raw st_mode: type bits on top, permission and setuid/setgid/sticky bits. */
export function goFileMode(stMode: number): number {
  const type = stMode & 0o170000;
  const typeBits: Record<number, number> = { 0o040000: 2 ** 31, 0o120000: 2 ** 27, 0o010000: 2 ** 25, 0o140000: 2 ** 24, 0o060000: 2 ** 26, 0o020000: 2 ** 26 + 2 ** 21 };
  let mode = (typeBits[type] ?? 0) + (stMode & 0o777);
  if (stMode & 0o4000) mode += 2 ** 23;
  if (stMode & 0o2000) mode += 2 ** 22;
  if (stMode & 0o1000) mode += 2 ** 20;
  return mode;
}

/** A container path as Docker resolves it: absolute (relative ones from `/`), a trailing `/` or `/.` kept. */
function containerPath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * Docker's `HEAD /containers/{id}/archive?path=`: the path's last component is not followed (a
 * symlink is described as one, with its resolved target), unless the path ends in `/` or `/.`.
 * @throws EngineError COPY_FAILED `Could not find the file <path> in container <name>`
 */
export async function statContainerPath(engine: Engine, reference: string, path: string): Promise<ContainerPathStat> {
  return withRoot(engine, reference, async (root) => {
    const absolute = containerPath(path);
    const result = await runInRoot({ busybox: engine.busybox, root }, pathStatScript, [absolute]);
    if (result.exitCode !== 0) throw new EngineError('COPY_FAILED', `cannot stat ${path} in container ${reference}: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
    const [line = '', nanos = '0', linkTarget = ''] = result.stdout.split('\n');
    if (line === 'missing') throw new EngineError('COPY_FAILED', `Could not find the file ${path} in container ${reference}`);
    const [rawMode = '0', size = '0', seconds = '0'] = line.split(' ');
    const fraction = /^\d{9}$/.test(nanos) ? nanos.replace(/0+$/, '') : '';
    const mtime = `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
    const trimmed = absolute.replace(/\/+$/, '');
    const name = absolute === '/' ? '/' : posix.basename(absolute.endsWith('/.') ? absolute : trimmed) || '/';
    return { name, size: Number(size), mode: goFileMode(Number.parseInt(rawMode, 16)), mtime, linkTarget };
  });
}

const conflictScript = `
cd "$1" || exit 2
while IFS= read -r line; do
  k=\${line%"\${line#?}"}
  p=\${line#?}
  if [ "$k" = d ]; then
    if [ -L "$p" ] || { [ -e "$p" ] && [ ! -d "$p" ]; }; then echo "non-directory $p"; exit 0; fi
  elif [ ! -L "$p" ] && [ -d "$p" ]; then echo "directory $p"; exit 0; fi
done
`;

/** The first member that would replace a directory with a non-directory or the reverse, inside the root. */
async function firstConflict(root: string, busybox: string, directory: string, entries: readonly TarEntry[]): Promise<{ existing: 'directory' | 'non-directory'; path: string } | undefined> {
  const lines = entries
    .map((entry) => ({ ...entry, name: entry.name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '') }))
    .filter((entry) => entry.name !== '' && entry.name !== '.' && !entry.name.includes('\n'))
    .map((entry) => `${entry.directory ? 'd' : 'f'}${entry.name}\n`)
    .join('');
  const checker = spawnInRoot({ busybox, root, stdio: ['pipe', 'pipe', 'pipe'] }, conflictScript, [directory]);
  let stdout = '';
  checker.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const stderr = collect(checker);
  checker.stdin!.on('error', () => undefined);
  checker.stdin!.end(lines);
  const code = await exitOf(checker);
  if (code !== 0) throw new EngineError('COPY_FAILED', `cannot look into ${directory} of the container: ${stderr() || `exit ${code}`}`);
  const match = /^(directory|non-directory) (.*)\n?$/.exec(stdout);
  return match ? { existing: match[1] as 'directory' | 'non-directory', path: posix.join(directory, match[2]!) } : undefined;
}

/** Writes a request body to a private file, gunzipped when it is gzip (Docker takes identity or gzip tar streams). */
async function spoolArchive(input: Readable, dir: string): Promise<string> {
  const raw = join(dir, 'raw.tar');
  await pipeline(input, createWriteStream(raw, { mode: 0o600 }));
  const handle = await open(raw, 'r');
  const magic = Buffer.alloc(2);
  try {
    await handle.read(magic, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) return raw;
  const plain = join(dir, 'archive.tar');
  await pipeline(createReadStream(raw), createGunzip(), createWriteStream(plain, { mode: 0o600 })).catch((error: unknown) => {
    throw new EngineError('COPY_FAILED', `cannot decompress the archive: ${(error as Error).message}`, { cause: error });
  });
  return plain;
}

/**
 * Extracts a tar stream into a directory of the container (Docker's PUT /containers/{id}/archive
 * and `cp - CONTAINER:DIR`); the directory is resolved inside the container's root, symlinks
 * included, and nothing is written outside it.
 * Options (the API's): `noOverwriteDirNonDir` refuses an archive that would replace a directory
 * with a non-directory or the reverse, before anything is written; `asContainerRoot` makes every
 * member owned by the container's root (its remapped root in a user namespace), as Docker does
 * unless the client asks for `copyUIDGID`. Either option spools the archive to a private file first.
 * @throws EngineError COPY_FAILED when the destination is not a directory or the archive does not fit
 */
export async function extractToContainer(engine: Engine, reference: string, directory: string, input: Readable, options: { noOverwriteDirNonDir?: boolean; asContainerRoot?: boolean } = {}): Promise<void> {
  await withRoot(engine, reference, async (root, { remapOwner }) => {
    const target = containerPath(directory);
    const info = await statIn(root, engine.busybox, target, true);
    if (info.kind === 'missing') throw new EngineError('COPY_FAILED', `Could not find the file ${directory} in container ${reference}`);
    if (info.kind !== 'directory') throw new EngineError('COPY_FAILED', `extraction point ${directory} in container ${reference} is not a directory`);
    if (!options.noOverwriteDirNonDir && !options.asContainerRoot) {
      await untarIn(root, engine.busybox, target, input, reference);
      return;
    }
    const spool = await mkdtemp(join(tmpdir(), 'execdriver-archive-'));
    try {
      const file = await spoolArchive(input, spool);
      const handle = await open(file, 'r+');
      let entries: TarEntry[];
      try {
        entries = await scanTarFile(handle, options.asContainerRoot ? { owner: remapOwner ?? { uid: 0, gid: 0 } } : {});
      } finally {
        await handle.close();
      }
      if (options.noOverwriteDirNonDir) {
        const conflict = await firstConflict(root, engine.busybox, info.resolved, entries);
        if (conflict) {
          throw new EngineError('COPY_FAILED', conflict.existing === 'directory' ? `cannot overwrite directory "${conflict.path}" with non-directory` : `cannot overwrite non-directory "${conflict.path}" with directory`);
        }
      }
      await untarIn(root, engine.busybox, target, createReadStream(file), reference);
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  });
}

async function untarIn(root: string, busybox: string, directory: string, input: Readable, reference: string): Promise<void> {
  const writer = spawnInRoot({ busybox, root, stdio: ['pipe', 'ignore', 'pipe'] }, 'cd "$1" && exec tar -x -f - --numeric-owner', [directory]);
  const stderr = collect(writer);
  writer.stdin!.on('error', () => undefined);
  input.pipe(writer.stdin!);
  const code = await exitOf(writer);
  if (code !== 0) throw new EngineError('COPY_FAILED', `cannot copy into ${directory} of container ${reference}: ${stderr() || `exit ${code}`}`);
}

function transformLiteral(from: string, to: string): string {
  const pattern = from.replace(/[\\^$.*[\],]/g, (character) => `\\${character}`);
  const replacement = to.replace(/[\\&,]/g, (character) => `\\${character}`);
  return `--transform=s,^${pattern},${replacement},S`;
}

/**
 * `cp CONTAINER:SRC DEST` with Docker's rules: into an existing directory under SRC's name (its
 * content for `SRC/.`), over an existing file, or as DEST when it does not exist (its parent must).
 * Owners: the invoking user's (root), or kept with `archive` (`-a`).
 */
export async function copyFromContainer(engine: Engine, reference: string, source: string, destination: string, options: { followLink?: boolean; archive?: boolean } = {}): Promise<void> {
  const contentsOnly = source.endsWith('/.');
  const destInfo = await stat(destination).catch(() => undefined);
  let directory: string;
  let rename_: { from: string; to: string } | undefined;
  if (destInfo?.isDirectory()) directory = destination;
  else {
    if (destination.endsWith('/')) throw new EngineError('COPY_FAILED', `destination directory ${destination} does not exist`);
    const parent = dirname(destination);
    if (!(await stat(parent).catch(() => undefined))?.isDirectory()) throw new EngineError('COPY_FAILED', `destination directory ${parent} does not exist`);
    directory = parent;
    rename_ = { from: '', to: basename(destination) };
  }
  // Extracted in a private directory beside the destination, then moved into place (a rename on one filesystem).
  const staging = await mkdtemp(join(directory, '.execdriver-cp-'));
  try {
    const writer = spawn('tar', ['-x', '-f', '-', '-C', staging, '-p', ...(options.archive ? ['--same-owner', '--numeric-owner'] : ['--no-same-owner'])], { stdio: ['pipe', 'ignore', 'pipe'] });
    const stderr = collect(writer);
    writer.stdin!.on('error', () => undefined);
    const written = exitOf(writer);
    let kind: PathKind;
    try {
      ({ kind } = await archiveFromContainer(engine, reference, source, writer.stdin!, options));
    } finally {
      writer.stdin!.end();
    }
    const code = await written;
    if (code !== 0) throw new EngineError('COPY_FAILED', `cannot write ${destination}: ${stderr() || `exit ${code}`}`);
    if (destInfo && !destInfo.isDirectory() && kind === 'directory') throw new EngineError('COPY_FAILED', `cannot overwrite non-directory "${destination}" with directory "${source}"`);
    const entries = await readdir(staging);
    if (contentsOnly) {
      const target = rename_ ? destination : directory;
      await mkdir(target, { recursive: true });
      for (const entry of entries) await moveInto(join(staging, entry), join(target, entry));
    } else {
      for (const entry of entries) await moveInto(join(staging, entry), rename_ ? destination : join(directory, entry));
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Moves `from` to `to`: a directory onto an existing directory merges, anything else replaces. */
async function moveInto(from: string, to: string): Promise<void> {
  const [source, target] = await Promise.all([lstat(from), lstat(to).catch(() => undefined)]);
  if (source.isDirectory() && target?.isDirectory()) {
    for (const entry of await readdir(from)) await moveInto(join(from, entry), join(to, entry));
    return;
  }
  if (target?.isDirectory()) await rm(to, { recursive: true, force: true });
  await rename(from, to);
}

/**
 * `cp SRC CONTAINER:DEST` with Docker's rules. Files land owned by the container's root (its
 * remapped root in a user namespace), or with the source's owners with `archive` (`-a`).
 * @throws EngineError COPY_FAILED
 */
export async function copyToContainer(engine: Engine, reference: string, source: string, destination: string, options: { followLink?: boolean; archive?: boolean } = {}): Promise<void> {
  const contentsOnly = source.endsWith('/.');
  const sourceInfo = await (options.followLink ? stat(source) : lstat(source)).catch(() => undefined);
  if (!sourceInfo) throw new EngineError('COPY_FAILED', `lstat ${source}: no such file or directory`);
  const sourcePath = options.followLink ? await realpath(source) : source.replace(/\/+$/, '') || '/';
  const sourceName = basename(source.replace(/\/\.?$/, '')) || '/';
  await withRoot(engine, reference, async (root, { remapOwner }) => {
    const info = await statIn(root, engine.busybox, destination, true);
    let directory: string;
    let name: string;
    if (info.kind === 'directory') {
      directory = info.resolved;
      name = sourceName;
    } else if (info.kind === 'file') {
      if (sourceInfo.isDirectory()) throw new EngineError('COPY_FAILED', `cannot copy directory ${source} onto the file ${destination} in container ${reference}`);
      directory = posix.dirname(info.resolved);
      name = posix.basename(info.resolved);
    } else {
      if (destination.endsWith('/')) throw new EngineError('COPY_FAILED', `destination directory ${destination} does not exist in container ${reference}`);
      if (info.parent !== 'directory') throw new EngineError('COPY_FAILED', `Could not find the file ${posix.dirname(destination)} in container ${reference}`);
      directory = posix.dirname(info.resolved);
      name = posix.basename(info.resolved);
    }
    const owner = remapOwner ?? { uid: 0, gid: 0 };
    const ownership = options.archive ? ['--numeric-owner'] : [`--owner=${owner.uid}`, `--group=${owner.gid}`, '--numeric-owner'];
    const members = contentsOnly && sourceInfo.isDirectory() ? ['-C', sourcePath, transformLiteral('.', name), '.'] : ['-C', dirname(sourcePath), transformLiteral(basename(sourcePath), name), basename(sourcePath)];
    const reader = spawn('tar', ['-c', '-f', '-', ...ownership, ...members], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = collect(reader);
    const read = exitOf(reader);
    await untarIn(root, engine.busybox, directory, reader.stdout!, reference);
    const code = await read;
    if (code !== 0) throw new EngineError('COPY_FAILED', `cannot read ${source}: ${stderr() || `exit ${code}`}`);
  });
}

/**
 * `docker export`: the container's root filesystem as a tar stream (GNU tar from the engine's own
 * mount point, never following a symlink; numeric owners).
 */
export async function exportContainer(engine: Engine, reference: string, output: Writable): Promise<void> {
  await withRoot(engine, reference, async (root) => {
    const reader = spawn('tar', ['-c', '-f', '-', '-C', root, '--numeric-owner', '--one-file-system', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr = collect(reader);
    reader.stdout!.pipe(output);
    const code = await exitOf(reader);
    if (code !== 0) throw new EngineError('COPY_FAILED', `cannot export container ${reference}: ${stderr() || `exit ${code}`}`);
  });
}

/** One line of `docker diff`: A added, C changed, D deleted. */
export interface FilesystemChange {
  kind: 'A' | 'C' | 'D';
  path: string;
}

/**
 * `docker diff`: the container's writable layer against its image. A whiteout (a character device
 * 0/0 in the upper directory) is a deletion; a path also in the image is a change, else an addition.
 * (Opaque directories need the overlay's trusted.* xattrs, which Node cannot read: they show as changed.)
 */
export async function containerChanges(engine: Engine, reference: string): Promise<FilesystemChange[]> {
  const container = await engine.find(reference);
  const record = container.record;
  if (record.rootfsMode !== 'overlay') throw new EngineError('INVALID_REQUEST', `container ${reference} runs on a root filesystem directory of its own: it has no layer to compare`);
  const image = record.imageId ? await engine.images.get(record.imageId) : undefined;
  if (!image) throw new EngineError('INVALID_REQUEST', `the image of container ${record.name} (${record.image}) is gone`);
  const lower = record.command.userNamespace ? await remappedImageRootfs(image, record.command.userNamespace) : image.rootfs;
  const upper = containerLayerPaths(engine.containerDir(record.id)).upper;
  const listed = await new Promise<string[]>((resolve, reject) => {
    const find = spawn('find', [upper, '-mindepth', '1', '-printf', '%y %P\\0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    find.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    find.on('error', reject);
    find.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString().split('\0').filter((entry) => entry !== '')) : reject(new EngineError('INVALID_REQUEST', `cannot list the layer of container ${reference} (exit ${code})`))));
  }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
    throw error;
  });
  const changes: FilesystemChange[] = [];
  for (const line of listed) {
    const type = line.slice(0, 1);
    const relative = line.slice(2);
    const path = `/${relative}`;
    if (type === 'c') {
      const info = await lstat(join(upper, relative)).catch(() => undefined);
      if (info?.isCharacterDevice() && info.rdev === 0) {
        changes.push({ kind: 'D', path });
        continue;
      }
    }
    const inLower = await lstat(join(lower, relative)).then(() => true, () => false);
    changes.push({ kind: inLower ? 'C' : 'A', path });
  }
  changes.sort((a, b) => compareText(a.path, b.path));
  return changes;
}

/** Fills `target` with a copy of the container's root filesystem (for commit): GNU tar both ways, owners and modes kept. */
export async function copyContainerRootfs(engine: Engine, reference: string, target: string): Promise<void> {
  await withRoot(engine, reference, async (root) => {
    const reader = spawn('tar', ['-c', '-f', '-', '-C', root, '--numeric-owner', '--one-file-system', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const writer = spawn('tar', ['-x', '-f', '-', '-C', target, '--numeric-owner', '--same-owner', '-p'], { stdio: ['pipe', 'ignore', 'pipe'] });
    const readError = collect(reader);
    const writeError = collect(writer);
    reader.stdout!.pipe(writer.stdin!);
    const [readCode, writeCode] = await Promise.all([exitOf(reader), exitOf(writer)]);
    if (readCode !== 0 || writeCode !== 0) throw new EngineError('COPY_FAILED', `cannot copy the root filesystem of container ${reference}: ${readError() || writeError()}`);
  });
}
