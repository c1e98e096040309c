import { execFile } from 'node:child_process';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './errors.js';

/** A container's own files: `<dataRoot>/containers/<id>/{upper,work,rootfs}`. */
export function containerDataPaths(dataRoot: string, id: string) {
  const dir = join(dataRoot, 'containers', id);
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
 * Gives the container a writable root: an overlayfs of the image's root filesystem (read-only
 * lower layer) and a per-container upper directory, mounted at `<dataRoot>/containers/<id>/rootfs`.
 */
export async function mountContainerRootfs(dataRoot: string, id: string, imageRootfs: string, owner?: { uid: number; gid: number }): Promise<string> {
  const paths = containerDataPaths(dataRoot, id);
  for (const path of [imageRootfs, paths.dir]) {
    if (/[:,\\]/.test(path)) throw new CliError('MOUNT_FAILED', `cannot use ${path} in an overlay mount: it contains ':', ',' or '\\'`);
  }
  await mkdir(paths.upper, { recursive: true, mode: 0o755 });
  await mkdir(paths.work, { recursive: true, mode: 0o700 });
  await mkdir(paths.rootfs, { recursive: true, mode: 0o755 });
  // The merged root takes the upper directory's owner: the (remapped) root of the container.
  if (owner) await chown(paths.upper, owner.uid, owner.gid);
  try {
    await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${imageRootfs},upperdir=${paths.upper},workdir=${paths.work}`, paths.rootfs]);
  } catch (error) {
    await rm(paths.dir, { recursive: true, force: true }).catch(() => undefined);
    throw new CliError('MOUNT_FAILED', `cannot mount the overlay root filesystem of ${id} at ${paths.rootfs}: ${(error as Error).message}`, { cause: error });
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

/** Unmounts the container's root (when mounted) and removes its files. Idempotent. */
export async function removeContainerRootfs(dataRoot: string, id: string, procRoot = '/proc'): Promise<void> {
  const paths = containerDataPaths(dataRoot, id);
  const points = (await mountPointsUnder(paths.dir, procRoot)).sort((a, b) => b.length - a.length);
  for (const point of points) {
    try {
      await run('umount', [point]);
    } catch {
      await run('umount', ['-l', point]).catch((error: unknown) => {
        throw new CliError('MOUNT_FAILED', `cannot unmount ${point}: ${(error as Error).message}`, { cause: error });
      });
    }
  }
  await rm(paths.dir, { recursive: true, force: true });
}
