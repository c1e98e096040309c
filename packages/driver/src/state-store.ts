import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { DriverError } from './errors.js';

/** What the driver records of a container, in `<stateRoot>/containers/<id>/container.json`. */
export const containerRecordSchema = z.object({
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
  tty: z.boolean().default(false),
  /** The parsed Command, for inspect. */
  command: z.unknown(),
  /** Free-form labels of the caller (the CLI keeps its name and flags here). */
  labels: z.record(z.string(), z.string()).default({}),
  /** Settings that could not apply on this host (from createRuntimeSpec). */
  warnings: z.array(z.string()).default([]),
});
export type ContainerRecord = z.infer<typeof containerRecordSchema>;

/** Files of one container's state directory. */
export function containerPaths(stateRoot: string, id: string) {
  const dir = join(stateRoot, 'containers', id);
  return {
    dir,
    record: join(dir, 'container.json'),
    config: join(dir, 'config.json'),
    exitCode: join(dir, 'exit-code'),
    pidFile: join(dir, 'pid'),
    runcLog: join(dir, 'runc.log'),
    stdoutLog: join(dir, 'stdout.log'),
    stderrLog: join(dir, 'stderr.log'),
    hookEvents: join(dir, 'hook-events'),
    hookAnswer: join(dir, 'hook-answer'),
    processFile: (name: string) => join(dir, `process-${name}.json`),
  };
}

export class StateStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    // Only the state root itself is private: parents made here keep the usual 0755, or a
    // remapped container's root could not reach a data directory beside it.
    await mkdir(dirname(this.root), { recursive: true });
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await mkdir(join(this.root, 'containers'), { recursive: true, mode: 0o700 });
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
      throw error;
    }
  }

  async write(record: ContainerRecord): Promise<void> {
    const { record: path } = this.paths(record.id);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(record, null, 2));
    await rename(temporary, path);
  }

  async read(id: string): Promise<ContainerRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.paths(id).record, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = containerRecordSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new DriverError('STATE_CORRUPT', `state of container ${id} is corrupt: ${this.paths(id).record}`, { cause: parsed.error });
    return parsed.data;
  }

  async exists(id: string): Promise<boolean> {
    return (await readdir(join(this.root, 'containers')).catch(() => [] as string[])).includes(id);
  }

  async ids(): Promise<string[]> {
    return (await readdir(join(this.root, 'containers'), { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  }

  /** The exit code the shim recorded, if the container's process has exited. */
  async readExitCode(id: string): Promise<number | undefined> {
    try {
      const text = (await readFile(this.paths(id).exitCode, 'utf8')).trim();
      return text === '' ? undefined : Number(text);
    } catch {
      return undefined;
    }
  }

  async remove(id: string): Promise<void> {
    await rm(this.paths(id).dir, { recursive: true, force: true });
  }
}
