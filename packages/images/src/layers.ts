import { execFile } from 'node:child_process';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from './errors.js';

/** A container's own layer in its directory: `<dir>/{upper,work,rootfs}`. */
export function containerLayerPaths(dir: string) {
  return { dir, upper: join(dir, 'upper'), work: join(dir, 'work'), rootfs: join(dir, 'rootfs') };
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], (error, _stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message, { cause: error }));
      else resolve();
    });
  });
}

/**
 * Gives a container a writable root: an overlayfs of the image's root filesystem (read-only
 * lower layer) and the container's upper directory, mounted at `<dir>/rootfs`. Mounting again
 * an existing layer (a restart) keeps what the container wrote. `owner`: the (remapped) root of
 * the container, which the merged root's top directory belongs to.
 * @throws ImageError MOUNT_FAILED naming the path
 */
export async function mountContainerLayer(dir: string, lowerRootfs: string, owner?: { uid: number; gid: number }): Promise<string> {
  const paths = containerLayerPaths(dir);
  for (const path of [lowerRootfs, paths.dir]) {
    if (/[:,\\]/.test(path)) throw new ImageError('MOUNT_FAILED', `cannot use ${path} in an overlay mount: it contains ':', ',' or '\\'`);
  }
  if ((await mountPointsUnder(paths.rootfs)).includes(paths.rootfs)) return paths.rootfs;
  await mkdir(paths.upper, { recursive: true, mode: 0o755 });
  await mkdir(paths.work, { recursive: true, mode: 0o700 });
  await mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
  if (owner) await chown(paths.upper, owner.uid, owner.gid);
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerRootfs},upperdir=${paths.upper},workdir=${paths.work}`, paths.rootfs]);
  } catch (error) {
    throw new ImageError('MOUNT_FAILED', `cannot mount the overlay root filesystem at ${paths.rootfs}: ${(error as Error).message}`, { cause: error });
  }
  return paths.rootfs;
}

/** Mount points at or below `path`, from `<procRoot>/self/mountinfo` (octal escapes decoded). */
export async function mountPointsUnder(path: string, procRoot = '/proc'): Promise<string[]> {
  const text = await readFile(join(procRoot, 'self/mountinfo'), 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))))
    .filter((point) => point === path || point.startsWith(`${path}/`));
}

/** Unmounts everything at or below `dir` (deepest first; lazily when busy). */
export async function unmountUnder(dir: string, procRoot = '/proc'): Promise<void> {
  const points = (await mountPointsUnder(dir, procRoot)).sort((a, b) => b.length - a.length);
  for (const point of points) {
    try {
      await run('umount', [point]);
    } catch {
      await run('umount', ['-l', point]).catch((error: unknown) => {
        throw new ImageError('MOUNT_FAILED', `cannot unmount ${point}: ${(error as Error).message}`, { cause: error });
      });
    }
  }
}

/** Unmounts the container's layer (when mounted) and removes its directory. Idempotent. */
export async function removeContainerLayer(dir: string, procRoot = '/proc'): Promise<void> {
  await unmountUnder(dir, procRoot);
  // A layer unmounted lazily (its container's last process still going) may still change under the
  // removal (overlay's work directory): ENOTEMPTY/EBUSY are retried a few times before they count.
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}
