import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isValidContainerId, lazySchema } from '@execdriver/spec';
import * as z from 'zod';
import { DriverError } from './errors.js';
import { toDriverError } from './to-driver-error.js';

/** What the driver records of a container, in `<stateRoot>/containers/<id>/container.json` (built on first use). */
export const containerRecordSchema = lazySchema(() => z.object({
  id: z.string(),
  /** The bundle (this state dir): config.json, logs, exit code. */
  bundle: z.string(),
  rootfs: z.string(),
  cgroupsPath: z.string(),
  createdAt: z.string(),
  /** Host pid of the container's first process, once started. */
  pid: z.number().int().optional(),
  /** Start time of that pid (/proc/<pid>/stat field 22), so a reused pid is never taken for it. */
  pidStartTime: z.string().optional(),
  /** Pid of the shim (`sh` waiting on `runc run`), which records the exit code. */
  shimPid: z.number().int().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  oomKilled: z.boolean().optional(),
  /** Output went to stdout.log / stderr.log in the state dir (detached containers). */
  logs: z.boolean().default(false),
  /** Output (and a terminal's keyboard) on FIFOs the shim holds (`ContainerIo.fifos`). */
  fifos: z.boolean().default(false),
  tty: z.boolean().default(false),
  /** The parsed Command, for inspect. */
  command: z.unknown(),
  /** Free-form labels of the caller (the CLI keeps its name and flags here). */
  labels: z.record(z.string(), z.string()).default({}),
  /** Settings that could not apply on this host (from createRuntimeSpec). */
  warnings: z.array(z.string()).default([]),
  /** The OCI runtime that created the container (absent: runc, from before runtimes were recorded). */
  runtime: z.object({ name: z.string(), path: z.string() }).optional(),
}));
export type ContainerRecord = z.infer<typeof containerRecordSchema>;

/** containerRecordSchema's keys, in its order (a test holds them equal), without building it. */
export const containerRecordKeys: readonly (keyof ContainerRecord)[] = [
  'id', 'bundle', 'rootfs', 'cgroupsPath', 'createdAt', 'pid', 'pidStartTime', 'shimPid', 'startedAt', 'finishedAt', 'exitCode',
  'oomKilled', 'logs', 'fifos', 'tty', 'command', 'labels', 'warnings', 'runtime',
];

/**
 * containerRecordSchema's rules by hand (with its defaults), or undefined when the value breaks
 * one: about 100 times faster than zod's parse, which `ps` and `stats` pay per container.
 */
export function checkContainerRecord(value: unknown): ContainerRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const isString = (key: string) => typeof record[key] === 'string';
  const optional = (key: string, check: (field: unknown) => boolean) => record[key] === undefined || check(record[key]);
  const isInteger = (field: unknown) => Number.isSafeInteger(field);
  const isText = (field: unknown) => typeof field === 'string';
  if (!['id', 'bundle', 'rootfs', 'cgroupsPath', 'createdAt'].every(isString) || !('command' in record)) return undefined;
  if (!optional('pid', isInteger) || !optional('shimPid', isInteger) || !optional('exitCode', isInteger)) return undefined;
  if (!optional('pidStartTime', isText) || !optional('startedAt', isText) || !optional('finishedAt', isText)) return undefined;
  if (!optional('oomKilled', (field) => typeof field === 'boolean') || !optional('logs', (field) => typeof field === 'boolean') || !optional('fifos', (field) => typeof field === 'boolean') || !optional('tty', (field) => typeof field === 'boolean')) return undefined;
  const labels = record.labels;
  if (labels !== undefined && (typeof labels !== 'object' || labels === null || Array.isArray(labels) || !Object.values(labels).every(isText))) return undefined;
  if (!optional('warnings', (field) => Array.isArray(field) && field.every(isText))) return undefined;
  const runtime = record.runtime as Record<string, unknown> | undefined;
  if (runtime !== undefined && (typeof runtime !== 'object' || runtime === null || typeof runtime.name !== 'string' || typeof runtime.path !== 'string')) return undefined;
  // As zod's z.object: the schema's key order, unknown keys dropped, defaults filled in.
  const defaults: Record<string, () => unknown> = { logs: () => false, fifos: () => false, tty: () => false, labels: () => ({}), warnings: () => [] };
  const result: Record<string, unknown> = {};
  for (const key of containerRecordKeys) {
    if (record[key] !== undefined) result[key] = key === 'labels' ? { ...(record[key] as object) } : key === 'warnings' ? [...(record[key] as string[])] : key === 'runtime' ? { name: runtime!.name, path: runtime!.path } : record[key];
    else if (defaults[key]) result[key] = defaults[key]();
  }
  return result as ContainerRecord;
}

/**
 * Files of one container's state directory. `dir` is normalized once; the file names are appended
 * (a valid id has no separator or dot segment): `ps` of 100 containers asks for these hundreds of
 * times, and path.join normalizes each.
 */
export function containerPaths(stateRoot: string, id: string) {
  const dir = join(stateRoot, 'containers', id);
  const file = (name: string) => `${dir}/${name}`;
  return {
    dir,
    record: file('container.json'),
    config: file('config.json'),
    exitCode: file('exit-code'),
    pidFile: file('pid'),
    runcLog: file('runc.log'),
    stdoutLog: file('stdout.log'),
    stderrLog: file('stderr.log'),
    stdinFifo: file('stdin.fifo'),
    stdoutFifo: file('stdout.fifo'),
    stderrFifo: file('stderr.fifo'),
    hookEvents: file('hook-events'),
    hookAnswer: file('hook-answer'),
    processFile: (name: string) => join(dir, `process-${name}.json`),
  };
}

/** The name a container's directory is renamed to while it is removed (no container id starts with a dot). */
const asidePrefix = '.removing-';
/** How long a directory renamed aside is left to the removal that moved it. */
const asideGraceMs = 60_000;

/** The exit code of an exit nobody could read, as Docker reports it. */
export const unknownExitCode = 255;

export class StateStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    // Only the state root itself is private: parents made here keep the usual 0755, or a
    // remapped container's root could not reach a data directory beside it.
    try {
      await mkdir(dirname(this.root), { recursive: true });
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      await mkdir(join(this.root, 'containers'), { recursive: true, mode: 0o700 });
    } catch (error) {
      throw toDriverError(error, `state root ${this.root}`);
    }
  }

  paths(id: string) {
    // Defence in depth: the driver validates ids first; a path segment here must stay one segment.
    if (id === '' || id === '.' || id === '..' || id.includes('/') || id.includes('\0')) {
      throw new DriverError('INVALID_ID', `invalid container id ${JSON.stringify(id)}`);
    }
    return containerPaths(this.root, id);
  }

  /** Creates the container's directory atomically: a second create of the same id fails with CONTAINER_EXISTS. */
  async create(id: string): Promise<void> {
    try {
      await mkdir(this.paths(id).dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new DriverError('CONTAINER_EXISTS', `container ${id} already exists`, { cause: error });
      }
      throw toDriverError(error, `container ${id}`);
    }
  }

  /** Writes the record atomically (a temp file renamed over it); each write has its own temp name. */
  async write(record: ContainerRecord): Promise<void> {
    const { record: path } = this.paths(record.id);
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    // Synchronously: a record is 1-2 KB on the state root (a tmpfs), written on every start and
    // exit, where each asynchronous step (open, write, close, rename) was a thread-pool round trip.
    try {
      writeFileSync(temporary, JSON.stringify(record, null, 2));
      renameSync(temporary, path);
    } catch (error) {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // The write's error is the one to report.
      }
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(this.paths(record.id).dir)) {
        throw new DriverError('CONTAINER_NOT_FOUND', `container ${record.id} does not exist (removed meanwhile)`, { cause: error });
      }
      throw toDriverError(error, `container ${record.id}: cannot write ${path}`);
    }
  }

  /**
   * The container's record, or undefined when it has none. A record that is not a regular file
   * (a FIFO is never opened, so this cannot hang), is empty, or is not a valid record is
   * CONTAINER_BROKEN naming the file.
   */
  async read(id: string): Promise<ContainerRecord | undefined> {
    const path = this.paths(id).record;
    const text = await readRegularFile(path, `container ${id}`);
    if (text === undefined) return undefined;
    const broken = (problem: string, cause?: unknown) =>
      new DriverError('CONTAINER_BROKEN', `container ${id} is broken: its record ${path} ${problem}; remove it with clean()`, { path, ...(cause === undefined ? {} : { cause }) });
    if (text.trim() === '') throw broken('is empty');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw broken('is not JSON', error);
    }
    // The driver wrote this file: a plain check (the schema's rules, no zod) on the path every
    // status read takes; zod still explains a record that fails it.
    const record = checkContainerRecord(json);
    if (!record) {
      const parsed = containerRecordSchema.safeParse(json);
      const issues = parsed.success ? '(root): not a container record' : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw broken(`is not a container record (${issues})`, parsed.success ? undefined : parsed.error);
    }
    if (record.id !== id) throw broken(`names another container (${JSON.stringify(record.id)})`);
    return record;
  }

  /** The ids of the containers' directories; entries whose names are not container ids are not containers and are skipped. */
  async ids(): Promise<string[]> {
    const entries = await readdir(join(this.root, 'containers'), { withFileTypes: true }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw toDriverError(error, `state root ${this.root}`);
    });
    for (const entry of entries) if (entry.name.startsWith(asidePrefix)) this.#sweepAside(entry.name);
    return entries
      .filter((entry) => entry.isDirectory() && isValidContainerId(entry.name) && entry.name !== '.' && entry.name !== '..')
      .map((entry) => entry.name)
      .sort();
  }

  /**
   * A directory a removal renamed aside and did not finish (its process died in between): removed
   * once it has been aside for a minute, so a removal under way in another process is left to it.
   */
  #sweepAside(name: string): void {
    const path = join(this.root, 'containers', name);
    try {
      if (Date.now() - lstatSync(path).ctimeMs < asideGraceMs) return;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Still there for the next listing; it is no container either way.
    }
  }

  /**
   * The exit code the shim recorded, if the container's process has exited. A file that holds
   * no exit code (garbage, not a regular file) is an unknown exit: 255, as Docker reports it,
   * never 0. Empty is "not yet": the shim is writing it.
   */
  async readExitCode(id: string): Promise<number | undefined> {
    const path = this.paths(id).exitCode;
    let text: string | undefined;
    try {
      text = await readRegularFile(path, `container ${id}`);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'CONTAINER_BROKEN') return unknownExitCode;
      throw error;
    }
    if (text === undefined || text.trim() === '') return undefined;
    const trimmed = text.trim();
    if (!/^\d{1,3}$/.test(trimmed) || Number(trimmed) > 255) return unknownExitCode;
    return Number(trimmed);
  }

  /**
   * Removes the container's directory. It is first renamed aside (a hidden name that is no
   * container id, in the same directory): a process still finishing its last write by path (the
   * shim's exit code, a log holder's exit record, runc's log) then fails with ENOENT instead of
   * filling the directory while it is removed (rmdir's ENOTEMPTY, which rm's own retries never
   * clear: they retry the rmdir alone). What cannot be removed is put back and reported with its path.
   */
  async remove(id: string): Promise<void> {
    const { dir } = this.paths(id);
    const aside = join(this.root, 'containers', `${asidePrefix}${id}-${randomBytes(4).toString('hex')}`);
    let target = aside;
    try {
      renameSync(dir, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      target = dir; // cannot be moved (a mount point, an immutable directory): removed where it is
    }
    try {
      // Synchronously: a dozen small files on the state root (a tmpfs), on the path of every removal.
      rmSync(target, { recursive: true, force: true });
      return;
    } catch {
      // rm's own error can mislead (an immutable file gives ENOTDIR from its retry as a directory), and
      // it never lists again: removed entry by entry, which also takes a file written meanwhile.
    }
    try {
      await removeTree(target);
      return;
    } catch (error) {
      if (target === dir) throw toDriverError(error, `container ${id}: cannot remove its state directory`);
    }
    // What is left goes back where clean() and the error find it, unless the id was made again
    // meanwhile (a rename would replace its still empty directory): then it is reported aside.
    if (!existsSync(dir)) {
      try {
        renameSync(aside, dir);
        target = dir;
      } catch {
        // Reported under the aside name.
      }
    }
    try {
      await removeTree(target);
    } catch (precise) {
      throw toDriverError(precise, `container ${id}: cannot remove its state directory`);
    }
  }
}

/**
 * A small state file's text, or undefined when it does not exist. Anything but a regular file is
 * CONTAINER_BROKEN (checked with lstat, and opened with O_NONBLOCK so a FIFO put there meanwhile
 * cannot block us); other failures go through toDriverError with the path.
 */
async function readRegularFile(path: string, subject: string): Promise<string | undefined> {
  try {
    // Synchronous on purpose: these files are a few hundred bytes, and each asynchronous step is
    // a thread-pool round trip (six per file); `ps` with 100 containers reads hundreds of them.
    const info = lstatSync(path);
    if (!info.isFile()) {
      throw new DriverError('CONTAINER_BROKEN', `${subject} is broken: ${path} is not a regular file; remove it with clean()`, { path });
    }
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    try {
      if (!fstatSync(fd).isFile()) throw new DriverError('CONTAINER_BROKEN', `${subject} is broken: ${path} is not a regular file; remove it with clean()`, { path });
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toDriverError(error, `${subject}: cannot read ${path}`);
  }
}

/** Removes a directory tree one entry at a time, so a failure names the entry and its errno. */
async function removeTree(dir: string, attempt = 0): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await removeTree(path);
    else await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  try {
    await rmdir(dir);
  } catch (error) {
    // A file written meanwhile (an exit being recorded as the container goes): remove it too, a few times at most.
    if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 5) throw error;
    await removeTree(dir, attempt + 1);
  }
}
