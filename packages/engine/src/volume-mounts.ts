import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { BindMount } from '@execdriver/spec';
import { EngineError } from './errors.js';
import { spawnInRoot } from './in-root.js';
import { checkVolumeName, type VolumeStore } from './volume-store.js';

/** A volume the request mounts: `-v name:/path[:ro]`, `-v /path` (anonymous) or `--mount type=volume,...`. */
export interface VolumeRequest {
  /** The volume's name; undefined for an anonymous volume. */
  source?: string;
  destination: string;
  readonly?: boolean;
  /** `volume-nocopy` / `-v name:/path:nocopy`: no copy-up of the image's content. */
  nocopy?: boolean;
}

/** A volume a container mounts, kept in its record (`volume rm` asks who uses a volume; `rm -v` removes anonymous ones). */
export interface ContainerVolume {
  name: string;
  destination: string;
  readonly: boolean;
  anonymous: boolean;
  nocopy: boolean;
}

/**
 * The container's volumes and their bind mounts (sources in the volume store), without touching
 * the disk: anonymous volumes get their 64-hex names here.
 * @throws EngineError INVALID_NAME, INVALID_REQUEST (a destination given twice)
 */
export function planVolumeMounts(store: VolumeStore, requests: readonly VolumeRequest[]): { volumes: ContainerVolume[]; mounts: BindMount[] } {
  const volumes: ContainerVolume[] = [];
  const seen = new Set<string>();
  for (const request of requests) {
    const destination = posix.normalize(request.destination);
    if (!destination.startsWith('/') || destination === '/') throw new EngineError('INVALID_REQUEST', `invalid volume destination ${JSON.stringify(request.destination)}: must be an absolute path other than /`);
    if (seen.has(destination)) throw new EngineError('INVALID_REQUEST', `Duplicate mount point: ${destination}`);
    seen.add(destination);
    if (request.source !== undefined) checkVolumeName(request.source);
    volumes.push({
      name: request.source ?? randomBytes(32).toString('hex'),
      destination,
      readonly: request.readonly ?? false,
      anonymous: request.source === undefined,
      nocopy: request.nocopy ?? false,
    });
  }
  const mounts: BindMount[] = volumes.map((volume) => ({ type: 'bind', source: posix.join(store.dir(volume.name), '_data'), destination: volume.destination, readonly: volume.readonly, recursive: true }));
  return { volumes, mounts };
}

/**
 * Creates the container's volumes that do not exist yet and, as Docker does, fills an empty one
 * from the image's content at its destination (owners and modes kept) unless `nocopy`.
 * `imageRootfs`: the image's root filesystem as the container sees it (remapped for a user namespace);
 * `owner`: the container's remapped root, which then owns `_data`.
 */
export async function prepareVolumes(
  store: VolumeStore,
  volumes: readonly ContainerVolume[],
  options: { imageRootfs?: string; busybox: string; owner?: { uid: number; gid: number } },
): Promise<void> {
  for (const entry of volumes) {
    const { volume } = await store.create(entry.name, { anonymous: entry.anonymous });
    if (options.owner) await store.grantRemappedRoot(volume.name, options.owner);
    if (entry.nocopy || options.imageRootfs === undefined || !(await store.isEmpty(volume.name))) continue;
    await copyUp(options.imageRootfs, entry.destination, volume.mountpoint, options.busybox);
  }
}

/**
 * Copies the image's directory at `path` into `target`. The image side is read by busybox tar
 * confined to the image's root (an image's symlinks cannot reach the host); the host side is
 * GNU tar extracting into the fresh volume directory (as root: owners, modes, devices kept).
 */
async function copyUp(imageRootfs: string, path: string, target: string, busybox: string): Promise<void> {
  const reader = spawnInRoot({ busybox, root: imageRootfs, stdio: ['ignore', 'pipe', 'pipe'] }, '[ -d "$1" ] || exit 0; cd "$1" && exec tar -c -f - .', [path]);
  const writer = spawn('tar', ['-x', '-f', '-', '-C', target, '--same-owner', '--numeric-owner', '-p'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  reader.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  writer.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  reader.stdout!.pipe(writer.stdin!);
  const [readCode, writeCode] = await Promise.all([exitOf(reader), exitOf(writer)]);
  // An image without the path gives an empty stream: tar on the host then says nothing was there.
  if (readCode !== 0 || (writeCode !== 0 && !/does not look like a tar archive|Unexpected EOF/i.test(stderr))) {
    throw new EngineError('INVALID_REQUEST', `cannot copy the image's ${path} into volume ${target}: ${stderr.trim().split('\n')[0] ?? `exit ${readCode}/${writeCode}`}`);
  }
}

export function exitOf(child: import('node:child_process').ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}
