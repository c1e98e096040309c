import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildBusyboxRootfs, busyboxImageConfig } from './busybox.js';
import { ImageError } from './errors.js';
import { applyImageChanges, type ImageConfig } from './image-config.js';
import { extractTarball, type ImportProgress, type TarballSource } from './import-tarball.js';
import { parseImageReference } from './reference.js';

/** What the store keeps of an image, in `<root>/<id>/image.json`. */
export interface ImageRecord {
  /** 64 hex digits (Docker prints it as `sha256:<id>`). */
  id: string;
  created: string;
  /** `busybox (host /bin/busybox)`, `import <file>` or `commit <container>`. */
  source: string;
  comment?: string;
  sizeBytes: number;
  config: ImageConfig;
}

export interface Image extends ImageRecord {
  /** Canonical references (`docker.io/library/busybox:latest`), sorted; empty for a dangling image. */
  references: string[];
  /** The image's root filesystem (the read-only lower layer of its containers). */
  rootfs: string;
  /** The image's directory. */
  dir: string;
}

/** An image record that could not be read: reported for that image alone. */
export interface BrokenImage {
  id: string;
  error: ImageError;
}

export interface ImageStoreOptions {
  /** Where images live (`<dataRoot>/images`). Must not contain `:`, `,` or `\` (overlayfs options). */
  root: string;
  /** The host's static busybox, for the built-in image (default `/bin/busybox`). */
  busybox?: string;
}

/** The built-in image, made from the host's static busybox on first use. */
export const builtinImage = 'docker.io/library/busybox:latest';

const idPattern = /^[0-9a-f]{64}$/;
const recordLimitBytes = 1024 * 1024;

function isErrno(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

/**
 * The local image store. Layout: `<root>/<id>/{image.json,rootfs/}` per image and
 * `<root>/refs/<canonical reference, URI-encoded>` a symlink naming the image id, so tagging,
 * untagging and a racing build of the same reference are each one atomic filesystem operation,
 * shared by every process on the same root.
 */
export class ImageStore {
  readonly root: string;
  readonly #busybox: string;

  constructor(options: ImageStoreOptions) {
    this.root = options.root;
    this.#busybox = options.busybox ?? '/bin/busybox';
  }

  #refPath(canonical: string): string {
    return join(this.root, 'refs', encodeURIComponent(canonical));
  }

  async #init(): Promise<void> {
    // The parents stay traversable (a user-namespaced container's root walks through the data root); the images are private.
    await mkdir(dirname(this.root), { recursive: true, mode: 0o711 });
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(join(this.root, 'refs'), { recursive: true, mode: 0o700 });
  }

  // The references and records are read synchronously: symlinks and files of a few hundred bytes,
  // where each asynchronous step was a thread-pool round trip (a `run` read them all in sequence).
  #references(): Map<string, string[]> {
    const byId = new Map<string, string[]>();
    let names: string[] = [];
    try {
      names = readdirSync(join(this.root, 'refs'));
    } catch {
      // No references yet.
    }
    for (const name of names) {
      let id: string | undefined;
      try {
        id = readlinkSync(join(this.root, 'refs', name));
      } catch {
        id = undefined;
      }
      if (id === undefined || !idPattern.test(id)) continue;
      let canonical: string;
      try {
        canonical = decodeURIComponent(name);
      } catch {
        continue;
      }
      byId.set(id, [...(byId.get(id) ?? []), canonical].sort());
    }
    return byId;
  }

  #readRecord(id: string, references: string[]): Image {
    const dir = join(this.root, id);
    const file = join(dir, 'image.json');
    let text: string;
    try {
      // O_NONBLOCK: a FIFO in place of the record must not hang the store.
      const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      try {
        const info = fstatSync(fd);
        if (!info.isFile()) throw new Error('not a regular file');
        if (info.size > recordLimitBytes) throw new Error(`larger than ${recordLimitBytes} bytes`);
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new ImageError('CORRUPT_IMAGE', `cannot read image record ${file}: ${(error as Error).message}`, { cause: error });
    }
    let record: ImageRecord;
    try {
      record = JSON.parse(text) as ImageRecord;
      if (record.id !== id || typeof record.created !== 'string' || typeof record.config !== 'object' || record.config === null) throw new Error('missing or wrong id, created or config');
    } catch (error) {
      throw new ImageError('CORRUPT_IMAGE', `image record ${file} is not valid: ${(error as Error).message}`, { cause: error });
    }
    return { ...record, references, rootfs: join(dir, 'rootfs'), dir };
  }

  /** Every image, newest first, and the records that could not be read (each named, never hiding the rest). */
  async list(): Promise<{ images: Image[]; broken: BrokenImage[] }> {
    const references = this.#references();
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const images: Image[] = [];
    const broken: BrokenImage[] = [];
    for (const entry of entries) {
      if (!idPattern.test(entry)) {
        if (entry.startsWith('.tmp-')) await this.#removeStaleTemporary(entry);
        continue;
      }
      try {
        images.push(this.#readRecord(entry, references.get(entry) ?? []));
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        broken.push({ id: entry, error });
      }
    }
    // Code-point order (ISO times, hex ids): localeCompare would start ICU's collator (~15 ms).
    const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    images.sort((a, b) => compare(b.created, a.created) || compare(a.id, b.id));
    return { images, broken };
  }

  /** A half-made image whose maker died (`.tmp-<pid>-...`): removed by whoever meets it. */
  async #removeStaleTemporary(entry: string): Promise<void> {
    const pid = Number(/^\.tmp-(\d+)-/.exec(entry)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return;
    await rm(join(this.root, entry), { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * The image a reference names: a reference (`busybox`, `docker.io/library/busybox:latest`), an
   * id (`sha256:<hex>`, `<hex>`) or a unique id prefix of at least 4 hex digits, as Docker resolves them.
   * @throws ImageError INVALID_REFERENCE, CORRUPT_IMAGE (the named image's record is unreadable)
   */
  async get(reference: string): Promise<Image | undefined> {
    const idText = reference.startsWith('sha256:') ? reference.slice('sha256:'.length) : reference;
    if (/^[0-9a-f]{4,64}$/.test(idText)) {
      const references = this.#references();
      const entries = (await readdir(this.root).catch(() => [] as string[])).filter((entry) => idPattern.test(entry) && entry.startsWith(idText));
      if (entries.length === 1) return this.#readRecord(entries[0]!, references.get(entries[0]!) ?? []);
      if (entries.length > 1 && idText !== reference) throw new ImageError('INVALID_REFERENCE', `image id prefix ${JSON.stringify(reference)} is ambiguous: ${entries.length} images match`);
      if (reference.startsWith('sha256:')) return undefined;
    }
    const { canonical } = parseImageReference(reference);
    let id: string | undefined;
    try {
      id = readlinkSync(this.#refPath(canonical));
    } catch {
      return undefined;
    }
    if (!idPattern.test(id)) return undefined;
    try {
      return this.#readRecord(id, this.#references().get(id) ?? []);
    } catch (error) {
      // A reference left pointing at an image that is gone is no image.
      if (error instanceof ImageError && isErrno(error.cause, 'ENOENT')) return undefined;
      throw error;
    }
  }

  /**
   * The image, made first when it is the built-in `busybox`.
   * @throws ImageError NO_SUCH_IMAGE in one line that says there is no registry
   */
  async require(reference: string): Promise<Image> {
    const found = await this.get(reference);
    if (found) return found;
    const parsed = parseImageReference(reference);
    if (parsed.canonical === builtinImage) {
      return this.#install(parsed.canonical, 'busybox', async (rootfs) => {
        await buildBusyboxRootfs(rootfs, this.#busybox);
        return { source: `busybox (host ${this.#busybox})`, config: busyboxImageConfig() };
      }, { raceWins: true });
    }
    throw new ImageError('NO_SUCH_IMAGE', `No such image: ${parsed.familiar} (not local, and execdriver pulls from no registry: import a root filesystem with "execdriver import FILE ${parsed.familiar}")`);
  }

  /**
   * Imports a root filesystem tarball (plain or gzip) as a new image, tagged `reference` when given;
   * `changes` are Dockerfile instructions (`CMD ["sh"]`) applied to its config, as `docker import --change`.
   */
  async import(source: TarballSource, reference: string | undefined, options: { changes?: readonly string[]; message?: string; onProgress?: (progress: ImportProgress) => void } = {}): Promise<Image> {
    const canonical = reference === undefined ? undefined : parseImageReference(reference).canonical;
    const config = applyImageChanges({}, options.changes ?? []);
    const file = 'path' in source ? source.path : (source.name ?? '-');
    return this.#install(canonical, 'import', async (rootfs) => {
      await extractTarball(source, rootfs, options.onProgress ? { onProgress: options.onProgress } : {});
      return { source: `import ${file}`, config, ...(options.message ? { comment: options.message } : {}) };
    });
  }

  /** Makes a new image from a directory filled by `fill` (a commit), tagged `reference` when given. */
  async create(reference: string | undefined, fill: (rootfs: string) => Promise<void>, details: { source: string; config: ImageConfig; comment?: string }): Promise<Image> {
    const canonical = reference === undefined ? undefined : parseImageReference(reference).canonical;
    return this.#install(canonical, 'commit', async (rootfs) => {
      await fill(rootfs);
      return details;
    });
  }

  /**
   * Builds into a temporary directory beside the images, renames it into place, then points the
   * reference at it (an existing reference moves to the new image, as Docker's tag does). With
   * `raceWins`, a reference another process made meanwhile wins and this build is dropped.
   */
  async #install(canonical: string | undefined, kind: string, build: (rootfs: string) => Promise<Pick<ImageRecord, 'source' | 'config'> & { comment?: string }>, options: { raceWins?: boolean } = {}): Promise<Image> {
    if (/[:,\\]/.test(this.root)) throw new ImageError('IMAGE_FAILED', `image root ${this.root} must not contain ':', ',' or '\\' (overlayfs options)`);
    await this.#init();
    const temporary = join(this.root, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(temporary, { mode: 0o700 });
    let id: string | undefined;
    try {
      const rootfs = join(temporary, 'rootfs');
      await mkdir(rootfs, { mode: 0o755 });
      const details = await build(rootfs);
      const created = new Date().toISOString();
      id = createHash('sha256').update(JSON.stringify({ created, kind, details, nonce: randomBytes(16).toString('hex') })).digest('hex');
      const record: ImageRecord = { id, created, source: details.source, ...(details.comment ? { comment: details.comment } : {}), sizeBytes: await treeSize(rootfs), config: details.config };
      await writeFile(join(temporary, 'image.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, join(this.root, id));
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      if (error instanceof ImageError) throw error;
      throw new ImageError('IMAGE_FAILED', `cannot make image ${canonical ?? '(untagged)'}: ${(error as Error).message}`, { cause: error });
    }
    if (canonical !== undefined) {
      const linked = await this.#link(canonical, id, { replace: !options.raceWins });
      if (linked !== id) {
        await rm(join(this.root, id), { recursive: true, force: true });
        const winner = await this.get(canonical);
        if (!winner) throw new ImageError('IMAGE_FAILED', `image ${canonical} vanished right after it was made`);
        return winner;
      }
    }
    const image = await this.get(id);
    if (!image) throw new ImageError('IMAGE_FAILED', `image ${id} vanished right after it was made`);
    return image;
  }

  /** Points `canonical` at `id`; returns the id it points at afterwards (another one when `replace` is false and it existed). */
  async #link(canonical: string, id: string, options: { replace: boolean }): Promise<string> {
    await this.#init();
    const path = this.#refPath(canonical);
    try {
      await symlink(id, path);
      return id;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw new ImageError('IMAGE_FAILED', `cannot tag ${canonical}: ${(error as Error).message}`, { cause: error });
    }
    if (!options.replace) return (await readlink(path).catch(() => id)) || id;
    const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await symlink(id, temporary);
    await rename(temporary, path);
    return id;
  }

  /** `docker tag SOURCE TARGET`: one more reference to the same image. */
  async tag(source: string, target: string): Promise<Image> {
    const image = await this.get(source);
    if (!image) throw new ImageError('NO_SUCH_IMAGE', `No such image: ${source}`);
    await this.#link(parseImageReference(target).canonical, image.id, { replace: true });
    return (await this.get(image.id))!;
  }

  /**
   * `docker rmi` with Docker's rules: a reference of an image that has others is only untagged; the
   * last reference (or the image by id) is refused while a container uses it, unless `force` and
   * none of them runs; a forced image still used by stopped containers stays, dangling, until they go.
   * @returns what was untagged (familiar references) and deleted (image ids)
   * @throws ImageError NO_SUCH_IMAGE, IMAGE_IN_USE with Docker's conflict message
   */
  async remove(reference: string, options: { force?: boolean; users?: readonly ImageUser[] } = {}): Promise<{ untagged: string[]; deleted: string[] }> {
    const image = await this.get(reference);
    if (!image) throw new ImageError('NO_SUCH_IMAGE', `No such image: ${reference}`);
    const force = options.force ?? false;
    const users = (options.users ?? []).filter((user) => user.imageId === image.id);
    const byId = image.id.startsWith(reference.replace(/^sha256:/, '')) && !image.references.includes(canonicalOrUndefined(reference) ?? '');
    const short = image.id.slice(0, 12);
    let untag: string[];
    if (byId) {
      if (image.references.length > 1 && !force) throw new ImageError('IMAGE_IN_USE', `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      untag = image.references;
    } else {
      const canonical = parseImageReference(reference).canonical;
      if (image.references.length > 1) {
        await unlink(this.#refPath(canonical)).catch(() => undefined);
        return { untagged: [parseImageReference(canonical).familiar], deleted: [] };
      }
      untag = [canonical];
    }
    const running = users.find((user) => user.running);
    if (running && force) throw new ImageError('IMAGE_IN_USE', `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    if (users.length > 0 && !force) {
      const user = running ?? users[0]!;
      const what = byId ? `unable to delete ${short} (must be forced)` : `unable to remove repository reference ${JSON.stringify(reference)} (must force)`;
      throw new ImageError('IMAGE_IN_USE', `conflict: ${what} - container ${user.id.slice(0, 12)} is using its referenced image ${short}`);
    }
    for (const canonical of untag) await unlink(this.#refPath(canonical)).catch(() => undefined);
    const untagged = untag.map((canonical) => parseImageReference(canonical).familiar);
    if (users.length > 0) return { untagged, deleted: [] };
    await rm(image.dir, { recursive: true, force: true });
    return { untagged, deleted: [image.id] };
  }

  /** Removes a dangling image nothing uses (after its last container went); false when it is tagged or used. */
  async removeIfUnused(id: string, users: readonly ImageUser[]): Promise<boolean> {
    const image = await this.get(id).catch(() => undefined);
    if (!image || image.references.length > 0 || users.some((user) => user.imageId === id)) return false;
    await rm(image.dir, { recursive: true, force: true });
    return true;
  }

  /** Makes the image directory and its parents private (0700), for installs made before they were. */
  async secure(): Promise<void> {
    await this.#init();
    await chmod(this.root, 0o700);
    for (const entry of await readdir(this.root)) {
      if (!idPattern.test(entry)) continue;
      await chmod(join(this.root, entry), 0o700).catch(() => undefined);
    }
  }
}

function canonicalOrUndefined(reference: string): string | undefined {
  try {
    return parseImageReference(reference).canonical;
  } catch {
    return undefined;
  }
}

/** A container made from an image, for `remove`'s in-use rules. */
export interface ImageUser {
  id: string;
  imageId: string;
  running: boolean;
}

async function treeSize(path: string): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await treeSize(join(path, entry));
  return total;
}
