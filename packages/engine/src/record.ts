import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { toHostId } from '@execdriver/namespaces';
import { join } from 'node:path';
import type { Command } from '@execdriver/spec';
import type { ContainerNetworkConfig } from './container-network.js';
import { EngineError } from './errors.js';
import { containerIdPattern } from './ids.js';
import type { RestartPolicy } from './restart-policy.js';
import type { ContainerVolume } from './volume-mounts.js';
import type { LogConfig } from './log-config.js';
import type { HealthConfig } from './health-config.js';

/** The last known end of a container's process, kept when the driver's own record goes (restart, reboot). */
export interface ExitRecord {
  startedAt: string;
  finishedAt: string | undefined;
  /** undefined: not known (the process vanished without a recorded exit). */
  exitCode: number | undefined;
  oomKilled: boolean;
}

/** What the engine keeps of a container, in `<dataRoot>/containers/<id>/container.json`. */
export interface ContainerRecord {
  /** 64 hex digits. */
  id: string;
  /** Without Docker's leading `/`. */
  name: string;
  created: string;
  /** The image as the user named it (`busybox`), or the `--rootfs` directory. */
  image: string;
  /** The image's id, when made from an image (its overlay's lower layer). */
  imageId: string | undefined;
  /** `overlay`: a writable layer over the image at `<dir>/rootfs`; `directory`: the user's own root filesystem. */
  rootfsMode: 'overlay' | 'directory';
  /** The command the container runs, complete (id, root filesystem, process). */
  command: Command;
  /** Docker's Config.Labels. */
  labels: Record<string, string>;
  autoRemove: boolean;
  /** Docker's OpenStdin (`-i`). */
  interactive: boolean;
  /** Docker's StdinOnce: stdin ends with the first attached client's (absent: false). */
  stdinOnce?: boolean;
  /** The image's config as it was when the container was made (Docker keeps it in Config). */
  imageConfig: Record<string, unknown> | undefined;
  /** The volumes it mounts (absent: none). */
  volumes?: ContainerVolume[];
  restartCount: number;
  /** The last process's end, once the driver's record of it is gone. */
  lastExit: ExitRecord | undefined;
  /** Docker's HostConfig.RestartPolicy (`--restart`); absent: `no`. */
  restartPolicy?: RestartPolicy;
  /** Docker's Config.StopSignal (`--stop-signal`): what `stop` sends first (default TERM). */
  stopSignal?: string;
  /** Docker's Config.StopTimeout (`--stop-timeout`), seconds before `stop` kills (default 10; -1: wait). */
  stopTimeout?: number;
  /** Docker's HostConfig.Init (`--init`): the process runs under tini, bind-mounted at /sbin/docker-init. */
  init?: boolean;
  /** Docker's HasBeenManuallyStopped: the user stopped or killed it, so restart policies leave it stopped. */
  manuallyStopped?: boolean;
  /** Set by the restart monitor while it waits to restart the container (Docker's State.Restarting). */
  restarting?: boolean;
  /** Docker's HostConfig.LogConfig; undefined (records made before it): json-file without limits. */
  logConfig?: LogConfig;
  /** Docker's HostConfig.Runtime: the OCI runtime (name or path) every start uses; undefined (records made before it): runc. */
  runtime?: string;
  /** Bridge networking (`--network bridge` or a user-defined network, `-p`, ...); absent for none, host, container:. */
  network?: ContainerNetworkConfig;
  /** Docker's Config.Healthcheck, the request's merged over the image's (absent: none). */
  healthcheck?: HealthConfig;
}

/** A container directory whose record cannot be read: listed and removable on its own. */
export interface BrokenContainer {
  id: string;
  dir: string;
  error: EngineError;
}

const recordLimitBytes = 4 * 1024 * 1024;
/** A container directory without its record for this long is a removal cut short, not one in progress. */
const staleRemovalMs = 10_000;

/** 0700 root:root, or 0710 root:<gid of the remapped root> for a user-namespaced container. */
async function secureContainerDir(dir: string, record: Pick<ContainerRecord, 'command'>): Promise<void> {
  const remap = record.command.userNamespace;
  if (remap) {
    await chown(dir, 0, toHostId(remap.gidMappings, 0));
    await chmod(dir, 0o710);
  } else {
    await chown(dir, 0, 0);
    await chmod(dir, 0o700);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function checkRecord(value: unknown, id: string): ContainerRecord {
  const record = value as Partial<ContainerRecord> | null;
  if (typeof record !== 'object' || record === null) throw new Error('not a JSON object');
  if (record.id !== id) throw new Error(`its id ${JSON.stringify(record.id)} is not the directory's`);
  if (typeof record.name !== 'string' || typeof record.created !== 'string' || typeof record.image !== 'string') throw new Error('missing name, created or image');
  if (typeof record.command !== 'object' || record.command === null || !Array.isArray(record.command.process?.args)) throw new Error('missing command');
  return {
    ...record,
    labels: record.labels ?? {},
    autoRemove: record.autoRemove ?? false,
    interactive: record.interactive ?? false,
    restartCount: record.restartCount ?? 0,
    rootfsMode: record.rootfsMode ?? 'directory',
  } as ContainerRecord;
}

/**
 * Container records under `<root>` (`<dataRoot>/containers`): one directory per container holding
 * `container.json` beside the container's writable layer. A record is made whole in a temporary
 * directory and renamed into place, and rewritten through a uniquely named temporary file, so a
 * reader never sees half a record and two writers never share a temporary name.
 */
export class RecordStore {
  readonly root: string;
  /** id -> the last update queued in this process (updates of one record run one after another). */
  readonly #updates = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.root = root;
  }

  dir(id: string): string {
    if (!containerIdPattern.test(id)) throw new EngineError('NO_SUCH_CONTAINER', `No such container: ${id}`);
    return join(this.root, id);
  }

  async exists(id: string): Promise<boolean> {
    if (!containerIdPattern.test(id)) return false;
    return stat(join(this.root, id)).then(() => true, () => false);
  }

  /**
   * Creates the container's directory with its record, atomically. The directory is private to
   * root (0700): its writable layer is below, and nobody else may walk into it (setuid files,
   * device nodes, the container's /tmp). A user-namespaced container's root gets through by
   * group (0710, the group of its remapped root), never by world access.
   */
  async create(record: ContainerRecord): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    const temporary = join(this.root, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(temporary, { mode: 0o700 });
    try {
      await secureContainerDir(temporary, record);
      await writeFile(join(temporary, 'container.json'), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, join(this.root, record.id));
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Reads the freshest record, changes it and writes it, one update of a record at a time in this
   * process: two changes made at once (a stop's `manuallyStopped` and a restart's `restarting`)
   * both stay, where a read, an await and a write of each would lose one. `mutate` returns false
   * to write nothing. Resolves to the record as written (or read).
   * @throws EngineError NO_SUCH_CONTAINER, CORRUPT_RECORD
   */
  update(id: string, mutate: (record: ContainerRecord) => boolean | void): Promise<ContainerRecord> {
    const previous = this.#updates.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      const record = await this.read(id);
      if (mutate(record) !== false) await this.write(record);
      return record;
    });
    this.#updates.set(id, next);
    const settled = () => {
      if (this.#updates.get(id) === next) this.#updates.delete(id);
    };
    next.then(settled, settled);
    return next;
  }

  /** Rewrites a record (a unique temporary name, then rename). */
  async write(record: ContainerRecord): Promise<void> {
    const file = join(this.dir(record.id), 'container.json');
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new EngineError('CORRUPT_RECORD', `cannot write the record of container ${record.id} (${file}): ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Reads one record. A FIFO, a directory, an oversized or a garbage file is CORRUPT_RECORD naming the file.
   * @throws EngineError NO_SUCH_CONTAINER when there is no such directory
   */
  async read(id: string): Promise<ContainerRecord> {
    const dir = this.dir(id);
    const file = join(dir, 'container.json');
    let text: string;
    try {
      // Synchronous on purpose: a record is a few KB, and each asynchronous step is a thread-pool
      // round trip; `ps` with 100 containers reads 100 of them.
      const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      try {
        const info = fstatSync(fd);
        if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
        if (info.size > recordLimitBytes) throw Object.assign(new Error(`larger than ${recordLimitBytes} bytes`), { code: 'EFBIG' });
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Records are made whole (a renamed directory), so a directory without one is being removed: gone.
      if (code === 'ENOENT') throw new EngineError('NO_SUCH_CONTAINER', `No such container: ${id}`, { cause: error });
      throw new EngineError('CORRUPT_RECORD', `cannot read the record of container ${id} (${file}): ${(error as Error).message}`, { cause: error });
    }
    try {
      return checkRecord(JSON.parse(text), id);
    } catch (error) {
      throw new EngineError('CORRUPT_RECORD', `the record of container ${id} (${file}) is not valid: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Removes a container's directory (its layer must be unmounted first). */
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  /**
   * Gives every container directory the modes `create` gives new ones (installs made before it
   * did so had them world-traversable).
   */
  async secureExisting(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o711 });
    await chmod(this.root, 0o711);
    const { records, broken } = await this.list();
    for (const record of records) await secureContainerDir(this.dir(record.id), record).catch(() => undefined);
    for (const entry of broken) await chmod(entry.dir, 0o700).catch(() => undefined);
  }

  /** Every record, and the container directories whose record cannot be read (each alone). */
  async list(): Promise<{ records: ContainerRecord[]; broken: BrokenContainer[] }> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    const records: ContainerRecord[] = [];
    const broken: BrokenContainer[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        if (!containerIdPattern.test(entry)) {
          // A record half made by a process that died: whoever meets it removes it.
          const pid = Number(/^\.tmp-(\d+)-/.exec(entry)?.[1]);
          if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) await rm(join(this.root, entry), { recursive: true, force: true }).catch(() => undefined);
          return;
        }
        try {
          records.push(await this.read(entry));
        } catch (error) {
          if (!(error instanceof EngineError)) throw error;
          if (error.code === 'NO_SUCH_CONTAINER') {
            // A directory left without its record for a while: a removal that was cut short. Listed, so it can be removed.
            const info = await stat(join(this.root, entry)).catch(() => undefined);
            if (!info || Date.now() - info.mtimeMs < staleRemovalMs) return;
            broken.push({ id: entry, dir: join(this.root, entry), error: new EngineError('CORRUPT_RECORD', `container ${entry} has no record (${join(this.root, entry, 'container.json')}): its removal was cut short`) });
            return;
          }
          broken.push({ id: entry, dir: join(this.root, entry), error });
        }
      }),
    );
    return { records, broken };
  }
}
