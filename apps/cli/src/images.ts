import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile, copyFile, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { chownTreeToMapping, toHostId, type TreeMapping } from '@execdriver/namespaces';
import { CliError, usageError } from './errors.js';

/** What `images` lists and `run` starts from: `<dataRoot>/images/<dir>/{rootfs,image.json}`. */
export interface ImageRecord {
  /** `name` or `name:tag`. */
  reference: string;
  createdAt: string;
  /** `busybox (host /bin/busybox)` or `import <file>`. */
  source: string;
  /** The default COMMAND when `run` is given none. */
  cmd?: string[];
  sizeBytes: number;
}

export interface Image extends ImageRecord {
  rootfs: string;
}

/** The built-in image, made from the host's static busybox on first use. */
export const builtinImage = 'busybox';

const namePattern = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `busybox`, `busybox:latest` -> `busybox`; `alpine:3.19` -> directory `alpine+3.19` (no `:` in overlay options). */
export function parseImageReference(reference: string): { reference: string; directory: string } {
  const [name, tag, ...rest] = reference.split(':');
  if (name === undefined || !namePattern.test(name) || rest.length > 0 || (tag !== undefined && !tagPattern.test(tag))) {
    throw usageError(`invalid image name ${JSON.stringify(reference)}: expected name[:tag] with lowercase letters, digits, '_', '.', '-'`);
  }
  if (tag === undefined || tag === 'latest') return { reference: name, directory: name };
  return { reference: `${name}:${tag}`, directory: `${name}+${tag}` };
}

function imagesDir(dataRoot: string): string {
  return join(dataRoot, 'images');
}

export async function findImage(dataRoot: string, reference: string): Promise<Image | undefined> {
  const { directory } = parseImageReference(reference);
  const dir = join(imagesDir(dataRoot), directory);
  const text = await readFile(join(dir, 'image.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return { ...(JSON.parse(text) as ImageRecord), rootfs: join(dir, 'rootfs') };
}

/** The image, made first when it is the built-in `busybox`. */
export async function requireImage(dataRoot: string, reference: string, options: { busybox?: string } = {}): Promise<Image> {
  const found = await findImage(dataRoot, reference);
  if (found) return found;
  const { reference: normalized } = parseImageReference(reference);
  if (normalized === builtinImage) return createBusyboxImage(dataRoot, options.busybox);
  throw new CliError('NO_SUCH_IMAGE', `no such image: ${reference} (import a root filesystem tarball with "execdriver import FILE ${normalized}")`);
}

export async function listImages(dataRoot: string): Promise<Image[]> {
  const entries = await readdir(imagesDir(dataRoot)).catch(() => [] as string[]);
  const images: Image[] = [];
  for (const entry of entries.sort()) {
    if (entry.startsWith('.')) continue;
    const text = await readFile(join(imagesDir(dataRoot), entry, 'image.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) images.push({ ...(JSON.parse(text) as ImageRecord), rootfs: join(imagesDir(dataRoot), entry, 'rootfs') });
  }
  return images;
}

export async function removeImage(dataRoot: string, reference: string): Promise<void> {
  const { directory } = parseImageReference(reference);
  const dir = join(imagesDir(dataRoot), directory);
  if (!(await findImage(dataRoot, reference))) throw new CliError('NO_SUCH_IMAGE', `no such image: ${reference}`);
  await rm(dir, { recursive: true, force: true });
}

/** Builds into a temporary directory beside the images, then renames it into place (atomic; a racing builder's result wins). */
async function installImage(dataRoot: string, reference: string, build: (rootfs: string) => Promise<Omit<ImageRecord, 'reference' | 'createdAt' | 'sizeBytes'>>): Promise<Image> {
  const { reference: normalized, directory } = parseImageReference(reference);
  if (/[:,\\]/.test(dataRoot)) throw new CliError('IMAGE_FAILED', `data root ${dataRoot} must not contain ':', ',' or '\\' (overlayfs options)`);
  await mkdir(imagesDir(dataRoot), { recursive: true, mode: 0o711 });
  const temporary = await mkdtemp(join(imagesDir(dataRoot), `.tmp-${directory}-`));
  try {
    const rootfs = join(temporary, 'rootfs');
    await mkdir(rootfs, { mode: 0o755 });
    const details = await build(rootfs);
    const record: ImageRecord = { reference: normalized, createdAt: new Date().toISOString(), sizeBytes: await treeSize(rootfs), ...details };
    await writeFile(join(temporary, 'image.json'), `${JSON.stringify(record, null, 2)}\n`);
    await chmod(temporary, 0o755);
    const target = join(imagesDir(dataRoot), directory);
    try {
      await rename(temporary, target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      await rm(temporary, { recursive: true, force: true });
    }
    const image = await findImage(dataRoot, normalized);
    if (!image) throw new CliError('IMAGE_FAILED', `image ${normalized} vanished right after it was made in ${target}`);
    return image;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (error instanceof CliError) throw error;
    throw new CliError('IMAGE_FAILED', `cannot make image ${normalized}: ${(error as Error).message}`, { cause: error });
  }
}

async function treeSize(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await treeSize(join(path, entry));
  return total;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

const passwd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const group = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
staff:x:50:
users:x:100:
nogroup:x:65534:
`;

/**
 * The built-in `busybox` image: the host's static busybox (`/bin/busybox` from busybox-static)
 * with one symlink per applet where `busybox --list-full` puts it, /etc/passwd and /etc/group as
 * the busybox image has them, and empty /proc /sys /dev /tmp (1777) /root.
 */
export async function createBusyboxImage(dataRoot: string, busybox = '/bin/busybox'): Promise<Image> {
  const found = await stat(busybox).catch(() => undefined);
  if (!found?.isFile()) {
    throw new CliError('IMAGE_FAILED', `cannot make the busybox image: ${busybox} is missing (install it with "apt-get install -y busybox-static")`);
  }
  return installImage(dataRoot, builtinImage, async (rootfs) => {
    const applets = (await run(busybox, ['--list-full'])).split('\n').map((line) => line.trim()).filter((line) => line !== '');
    for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'root', 'tmp', 'var/tmp', 'home', 'var/spool/mail', 'var/www']) {
      await mkdir(join(rootfs, dir), { recursive: true, mode: 0o755 });
    }
    await chmod(join(rootfs, 'tmp'), 0o1777);
    await chmod(join(rootfs, 'var/tmp'), 0o1777);
    await chmod(join(rootfs, 'root'), 0o700);
    await copyFile(busybox, join(rootfs, 'bin/busybox'));
    await chmod(join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of applets) {
      if (applet.includes('..') || applet.startsWith('/') || applet === 'bin/busybox') continue;
      await mkdir(join(rootfs, dirname(applet)), { recursive: true, mode: 0o755 });
      await symlink('/bin/busybox', join(rootfs, applet)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
    }
    await writeFile(join(rootfs, 'etc/passwd'), passwd, { mode: 0o644 });
    await writeFile(join(rootfs, 'etc/group'), group, { mode: 0o644 });
    await writeFile(join(rootfs, 'etc/hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n', { mode: 0o644 });
    await writeFile(join(rootfs, 'etc/hostname'), 'busybox\n', { mode: 0o644 });
    await writeFile(join(rootfs, 'etc/resolv.conf'), '', { mode: 0o644 });
    return { source: `busybox (host ${busybox})`, cmd: ['sh'] };
  });
}

export interface ImportProgress {
  readBytes: number;
  totalBytes: number | undefined;
}

/**
 * Imports a root filesystem tarball (`docker export` output, plain or gzip) as image `reference`:
 * the file is streamed through tar (as root: owners, modes, devices kept) while `onProgress` reports
 * bytes read. `-` reads standard input.
 */
/** What tar said, in one line: `X does not look like a tar archive` for a file that is not one. */
export function tarFailure(file: string, stderr: string, code: number): string {
  if (/does not look like a tar archive/i.test(stderr)) return `${file} does not look like a tar archive (plain or gzip)`;
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^tar: /, '').trim())
    .filter((line) => line !== '' && !/^Exiting with failure status/.test(line) && !/^Error is not recoverable/.test(line));
  return `tar could not extract ${file}: ${lines[0] ?? `exit ${code}`}`;
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}

/**
 * tar's stdin as the end of the import pipeline. GNU tar exits at the end-of-archive marker,
 * before the archive's trailing padding is read, so writing the rest fails with EPIPE: once tar
 * stopped reading, the rest is read and dropped (the progress still counts every byte), and
 * whether the import worked is tar's exit code. If tar exits with a failure, the pipeline stops.
 */
function tarInput(stdin: Writable, exited: Promise<number>): Writable {
  let stopped = false;
  let failedCode: number | undefined;
  let wake: (() => void) | undefined;
  stdin.on('error', (error) => {
    if (isClosedPipe(error)) stopped = true;
    wake?.();
  });
  void exited.then(
    (code) => {
      stopped = true;
      if (code !== 0) failedCode = code;
      wake?.();
    },
    () => undefined,
  );
  const settle = (callback: (error?: Error | null) => void) => {
    if (failedCode !== undefined) callback(new Error(`tar exited with ${failedCode}`));
    else callback();
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (stopped || stdin.destroyed) return settle(callback);
      if (stdin.write(chunk)) return callback();
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        wake = undefined;
        settle(callback);
      };
      wake = done;
      stdin.once('drain', done);
      stdin.once('close', done);
    },
    final(callback) {
      if (stopped || stdin.destroyed) return settle(callback);
      stdin.end(() => settle(callback));
    },
  });
}

export async function importImage(
  dataRoot: string,
  file: string,
  reference: string,
  options: { onProgress?: (progress: ImportProgress) => void; stdin?: NodeJS.ReadableStream; cmd?: string[] } = {},
): Promise<Image> {
  parseImageReference(reference);
  if (await findImage(dataRoot, reference)) throw new CliError('IMAGE_FAILED', `image ${reference} already exists: remove it first with "execdriver rmi ${reference}"`);
  let totalBytes: number | undefined;
  if (file !== '-') {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new CliError('IMAGE_FAILED', `cannot import ${file}: no such file`);
    totalBytes = info.size;
  }
  return installImage(dataRoot, reference, async (rootfs) => {
    const source = file === '-' ? (options.stdin ?? process.stdin) : createReadStream(file);
    let readBytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        readBytes += chunk.length;
        options.onProgress?.({ readBytes, totalBytes });
        callback(null, chunk);
      },
    });
    const tar = spawn('tar', ['-x', '-f', '-', '-C', rootfs, '--numeric-owner', '--same-owner', '-p'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => resolve(code ?? 1));
    });
    const sink = tarInput(tar.stdin, exited);
    try {
      const chunks = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const head = await chunks.next();
      const firstChunk = head.done ? Buffer.alloc(0) : Buffer.from(head.value);
      async function* all(): AsyncGenerator<Buffer> {
        if (firstChunk.length > 0) yield firstChunk;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield Buffer.from(next.value);
      }
      const gzip = firstChunk[0] === 0x1f && firstChunk[1] === 0x8b;
      if (gzip) await pipeline(Readable.from(all()), counter, createGunzip(), sink);
      else await pipeline(Readable.from(all()), counter, sink);
    } catch (error) {
      const code = await exited.catch(() => 1);
      if (code !== 0) throw new Error(tarFailure(file, stderr, code), { cause: error });
      tar.kill();
      throw new Error(`reading ${file}: ${(error as Error).message}`, { cause: error });
    }
    const code = await exited;
    if (code !== 0) throw new Error(tarFailure(file, stderr, code));
    if (readBytes === 0) throw new Error(`${file} is empty`);
    return { source: `import ${file}`, ...(options.cmd ? { cmd: options.cmd } : {}) };
  });
}

/**
 * The image's root filesystem as a user namespace with these mappings sees it (dockerd's
 * --userns-remap does the same): a copy whose owners are shifted into the mapped host ids, made
 * once per mapping under `<image>/userns/<uid>-<gid>/rootfs` (atomically) and reused.
 */
export async function remappedImageRootfs(image: Image, mapping: TreeMapping): Promise<string> {
  const rootUid = toHostId([...mapping.uidMappings], 0);
  const rootGid = toHostId([...mapping.gidMappings], 0);
  const dir = join(dirname(image.rootfs), 'userns', `${rootUid}-${rootGid}`);
  const rootfs = join(dir, 'rootfs');
  if (await stat(rootfs).then(() => true, () => false)) return rootfs;
  await mkdir(dirname(dir), { recursive: true, mode: 0o711 });
  const temporary = await mkdtemp(`${dir}.tmp-`);
  try {
    await run('cp', ['-a', image.rootfs, join(temporary, 'rootfs')]);
    await chownTreeToMapping(join(temporary, 'rootfs'), mapping, { markerPath: join(temporary, 'idmap.json') });
    await chmod(temporary, 0o711);
    await rename(temporary, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(temporary, { recursive: true, force: true });
    });
    return rootfs;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw new CliError('IMAGE_FAILED', `cannot prepare image ${image.reference} for user namespace root ${rootUid}:${rootGid}: ${(error as Error).message}`, { cause: error });
  }
}
