import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, chown, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from './errors.js';

/** Docker's local volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (at least two characters). */
export const volumeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** What the store keeps of a volume, in `<root>/<name>/volume.json`. */
export interface VolumeRecord {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  /** Made by `-v /path` (64 hex digits): removed with its container by `rm -v` / `--rm`. */
  anonymous: boolean;
}

/** A volume as `volume inspect` shows it (Docker's shape). */
export interface Volume extends VolumeRecord {
  /** `<root>/<name>/_data`: what containers mount. */
  mountpoint: string;
  driver: 'local';
  scope: 'local';
}

/** Docker's `volume inspect` JSON for a volume. */
export function toDockerVolume(volume: Volume): Record<string, unknown> {
  return { CreatedAt: volume.createdAt, Driver: volume.driver, Labels: volume.labels, Mountpoint: volume.mountpoint, Name: volume.name, Options: null, Scope: volume.scope };
}

/**
 * Docker's message for a name that is not a local volume name.
 * @throws EngineError INVALID_NAME
 */
export function checkVolumeName(name: string): void {
  if (name.length < 2 && /^[a-zA-Z0-9]$/.test(name)) throw new EngineError('INVALID_NAME', `create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!volumeNamePattern.test(name)) {
    throw new EngineError('INVALID_NAME', `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/**
 * Local volumes under `<root>` (`<dataRoot>/volumes`): `<name>/volume.json` and `<name>/_data`.
 * The root is 0711 and each volume's directory 0700 (0710 with the group of a user-namespaced
 * container's remapped root, whose root then owns `_data`), so no unprivileged host user reaches
 * the data. A volume is made whole in a temporary directory and renamed into place: of two
 * creates of one name, both see the same volume.
 */
export class VolumeStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  dir(name: string): string {
    if (!volumeNamePattern.test(name)) throw new EngineError('NO_SUCH_VOLUME', `No such volume: ${name}`);
    return join(this.root, name);
  }

  #toVolume(record: VolumeRecord): Volume {
    return { ...record, mountpoint: join(this.root, record.name, '_data'), driver: 'local', scope: 'local' };
  }

  /**
   * `docker volume create [NAME]`: an existing volume of that name is returned as it is (Docker
   * does the same). Without a name, an anonymous-looking 64-hex name is made.
   * @throws EngineError INVALID_NAME
   */
  async create(name: string | undefined, options: { labels?: Record<string, string>; anonymous?: boolean } = {}): Promise<{ volume: Volume; created: boolean }> {
    const volumeName = name ?? randomBytes(32).toString('hex');
    checkVolumeName(volumeName);
    const existing = await this.get(volumeName);
    if (existing) return { volume: existing, created: false };
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    const temporary = join(this.root, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(temporary, { mode: 0o700 });
    const record: VolumeRecord = { name: volumeName, createdAt: new Date().toISOString(), labels: options.labels ?? {}, anonymous: options.anonymous ?? name === undefined };
    try {
      await mkdir(join(temporary, '_data'), { mode: 0o755 });
      await writeFile(join(temporary, 'volume.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, join(this.root, volumeName));
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      const raced = await this.get(volumeName);
      if (raced) return { volume: raced, created: false };
      throw new EngineError('INVALID_REQUEST', `cannot create volume ${volumeName}: ${(error as Error).message}`, { cause: error });
    }
    return { volume: this.#toVolume(record), created: true };
  }

  /** The volume, or undefined. A directory without a readable record is listed with defaults. */
  async get(name: string): Promise<Volume | undefined> {
    if (!volumeNamePattern.test(name)) return undefined;
    const dir = join(this.root, name);
    const info = await stat(join(dir, '_data')).catch(() => undefined);
    if (!info?.isDirectory()) return undefined;
    let record: VolumeRecord = { name, createdAt: info.birthtime.toISOString(), labels: {}, anonymous: false };
    try {
      const handle = await open(join(dir, 'volume.json'), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      try {
        const parsed = JSON.parse(await handle.readFile('utf8')) as Partial<VolumeRecord>;
        record = { name, createdAt: parsed.createdAt ?? record.createdAt, labels: parsed.labels ?? {}, anonymous: parsed.anonymous ?? false };
      } finally {
        await handle.close();
      }
    } catch {
      // A volume made by hand (a `_data` directory alone) is still a volume.
    }
    return this.#toVolume(record);
  }

  /** @throws EngineError NO_SUCH_VOLUME */
  async require(name: string): Promise<Volume> {
    const volume = await this.get(name);
    if (!volume) throw new EngineError('NO_SUCH_VOLUME', `get ${name}: no such volume`);
    return volume;
  }

  /** Every volume, by name. */
  async list(): Promise<Volume[]> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const volumes: Volume[] = [];
    for (const entry of entries.sort()) {
      if (!volumeNamePattern.test(entry)) continue;
      const volume = await this.get(entry);
      if (volume) volumes.push(volume);
    }
    return volumes;
  }

  /**
   * Removes a volume nobody uses. `users`: ids of the containers that mount it.
   * @throws EngineError NO_SUCH_VOLUME; VOLUME_IN_USE with Docker's `volume is in use - [<id>]`
   */
  async remove(name: string, users: readonly string[], options: { force?: boolean } = {}): Promise<void> {
    const volume = await this.get(name);
    if (!volume) {
      if (options.force) return;
      throw new EngineError('NO_SUCH_VOLUME', `get ${name}: no such volume`);
    }
    if (users.length > 0) throw new EngineError('VOLUME_IN_USE', `remove ${name}: volume is in use - [${users.join(', ')}]`);
    // Renamed away first: a container being created sees the volume whole or not at all.
    const doomed = join(this.root, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await rename(join(this.root, name), doomed);
    await rm(doomed, { recursive: true, force: true });
  }

  /**
   * Makes the volume reachable by a user-namespaced container's remapped root: the volume's
   * directory 0710 with its group, `_data` owned by it (as dockerd's --userns-remap does).
   */
  async grantRemappedRoot(name: string, owner: { uid: number; gid: number }): Promise<void> {
    const dir = this.dir(name);
    await chown(dir, 0, owner.gid);
    await chmod(dir, 0o710);
    const data = join(dir, '_data');
    const info = await stat(data);
    if (info.uid === 0 && info.gid === 0) await chown(data, owner.uid, owner.gid);
  }

  /** Whether `_data` is empty (copy-up from the image happens only then). */
  async isEmpty(name: string): Promise<boolean> {
    return (await readdir(join(this.dir(name), '_data'))).length === 0;
  }
}
