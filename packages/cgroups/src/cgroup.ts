import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from './errors.js';
import { detectCgroupMode, type CgroupMode } from './mode.js';
import { readProcCgroup } from './proc-cgroup.js';
import { readKernelFile } from './read-file.js';
import { readCgroupStats } from './read-stats.js';
import type { CgroupStats } from './stats.js';

/** Where one controller of a cgroup lives. */
export interface ControllerDirectory {
  /** 1: a v1 hierarchy (`<root>/memory/...`); 2: the unified hierarchy. */
  version: 1 | 2;
  directory: string;
}

/** A cgroup, possibly spread over several v1 hierarchies and the unified one. */
export interface Cgroup {
  readonly mode: CgroupMode;
  /** The cgroup path as `/proc/<pid>/cgroup` shows it (the unified entry's, else memory's, else the first). */
  readonly path: string;
  /** Each controller the cgroup has, and its directory: on v1 and hybrid hosts they may differ. */
  readonly controllers: Readonly<Record<string, ControllerDirectory>>;
  /** Its directory in the cgroup2 hierarchy (core files, PSI), if there is one. */
  readonly unifiedDirectory: string | undefined;
  /** Page sizes of the hugetlb controller as spelled in its file names (`2MB`, `1GB`). */
  readonly hugePageSizes: readonly string[];
  /**
   * Reads one sample. Missing controllers or files give absent fields; a cgroup that no longer
   * exists gives `CgroupError` `CGROUP_NOT_FOUND`. Reads are synchronous system calls (about
   * 10 µs each, 15-25 files) wrapped in a promise: far cheaper than the thread pool. With
   * `brief`, only what `docker stats` shows (see `StatsOptions`).
   */
  stats(options?: StatsOptions): Promise<CgroupStats>;
  /** The process ids in the cgroup (`cgroup.procs`), `CGROUP_NOT_FOUND` when it is gone. */
  pids(): Promise<number[]>;
  /** True while at least one of its directories exists. */
  exists(): boolean;
}

export interface StatsOptions {
  /**
   * Only the figures of a `docker stats` line, from about a third of the files: CPU usage
   * (`usageNanoseconds`), memory usage, limit and `memory.stat`, `pids.current`, bytes read and
   * written per device. No per-CPU usage, user/system split, throttling, swap, fail and OOM
   * counters, peak, PID limit, I/O operations, hugetlb or pressure. For sampling many
   * containers often (a `stats` stream of 100 containers at 1 Hz opens 2000 kernel files a second
   * in full).
   */
  brief?: boolean;
}

export interface CgroupRootOptions {
  /** Where cgroup file systems are mounted. Default `/sys/fs/cgroup`. */
  cgroupRoot?: string;
}

export interface OpenCgroupOfPidOptions extends CgroupRootOptions {
  /** Where procfs is mounted. Default `/proc`. */
  procRoot?: string;
}

/**
 * Opens the cgroup at `path`, a cgroup path relative to each hierarchy's root, as
 * `/proc/<pid>/cgroup` prints it (`/system.slice/nginx.service`, `/docker/<id>`).
 * Throws `CGROUP_NOT_FOUND` when no hierarchy has that directory.
 */
export function openCgroup(path: string, options: CgroupRootOptions = {}): Cgroup {
  if (path.split('/').includes('..')) {
    throw new CgroupError('INVALID_PATH', `cgroup path ${JSON.stringify(path)} has a ".." segment: it must stay inside the cgroup root`, { path });
  }
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const mode = detectCgroupMode(cgroupRoot);
  const controllers: Record<string, ControllerDirectory> = {};
  if (mode !== 'unified') {
    for (const [controller, mount] of listV1Hierarchies(cgroupRoot)) {
      const directory = join(mount, path);
      if (existsSync(directory)) controllers[controller] = { version: 1, directory };
    }
  }
  const unifiedDirectory = findUnifiedDirectory(mode, cgroupRoot, path, controllers);
  return createCgroup(mode, path, controllers, unifiedDirectory, join(cgroupRoot, path), `the hierarchies of ${cgroupRoot}`);
}

/**
 * Opens the cgroup(s) process `pid` belongs to, following `<procRoot>/<pid>/cgroup`, so each
 * controller is found at its own path (on hybrid hosts the memory controller may sit elsewhere).
 * Throws `PROCESS_NOT_FOUND` when the process does not exist, `CGROUP_NOT_FOUND` when none of
 * its cgroup directories exists under `cgroupRoot` (for example another mount namespace's).
 */
export function openCgroupOfPid(pid: number, options: OpenCgroupOfPidOptions = {}): Cgroup {
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const entries = readProcCgroup(pid, options.procRoot);
  const mode = detectCgroupMode(cgroupRoot);
  const controllers: Record<string, ControllerDirectory> = {};
  const unifiedEntry = entries.find((entry) => entry.hierarchyId === 0 && entry.controllers.length === 0);
  if (mode !== 'unified') {
    const hierarchies = listV1Hierarchies(cgroupRoot);
    for (const entry of entries) {
      for (const controller of entry.controllers) {
        const mount = hierarchies.get(controller);
        if (mount === undefined) continue;
        const directory = join(mount, entry.path);
        if (existsSync(directory)) controllers[controller] = { version: 1, directory };
      }
    }
  }
  const path =
    unifiedEntry?.path ?? entries.find((entry) => entry.controllers.includes('memory'))?.path ?? entries[0]?.path ?? '/';
  const unifiedDirectory = unifiedEntry ? findUnifiedDirectory(mode, cgroupRoot, unifiedEntry.path, controllers) : undefined;
  return createCgroup(mode, path, controllers, unifiedDirectory, join(cgroupRoot, path), `the hierarchies of ${cgroupRoot} (pid ${pid})`);
}

/** v1 controller name -> mount directory, from the directory names under the root (`cpu,cpuacct`). */
function listV1Hierarchies(cgroupRoot: string): Map<string, string> {
  const hierarchies = new Map<string, string>();
  let names: string[];
  try {
    names = readdirSync(cgroupRoot);
  } catch (error) {
    throw new CgroupError('CGROUP_NOT_FOUND', `cgroup root ${cgroupRoot} cannot be listed`, { path: cgroupRoot, cause: error });
  }
  // Co-mounted hierarchies first, so a plain `cpu` directory (or symlink) wins over `cpu,cpuacct`.
  for (const name of names.filter((entry) => entry.includes(','))) {
    for (const controller of name.split(',')) hierarchies.set(controller, join(cgroupRoot, name));
  }
  for (const name of names.filter((entry) => !entry.includes(',') && entry !== 'unified')) {
    if (!name.startsWith('cgroup.')) hierarchies.set(name, join(cgroupRoot, name));
  }
  return hierarchies;
}

/** Adds the v2 controllers of the unified directory (those not bound to a v1 hierarchy). */
function findUnifiedDirectory(
  mode: CgroupMode,
  cgroupRoot: string,
  path: string,
  controllers: Record<string, ControllerDirectory>,
): string | undefined {
  if (mode === 'legacy') return undefined;
  const directory = mode === 'unified' ? join(cgroupRoot, path) : join(cgroupRoot, 'unified', path);
  const available = readKernelFile(join(directory, 'cgroup.controllers'));
  if (available === undefined) return existsSync(directory) ? directory : undefined;
  for (const controller of available.trim().split(' ')) {
    if (controller !== '' && controllers[controller] === undefined) controllers[controller] = { version: 2, directory };
  }
  return directory;
}

function createCgroup(
  mode: CgroupMode,
  path: string,
  controllers: Record<string, ControllerDirectory>,
  unifiedDirectory: string | undefined,
  expectedDirectory: string,
  where: string,
): Cgroup {
  if (unifiedDirectory === undefined && Object.keys(controllers).length === 0) {
    throw new CgroupError('CGROUP_NOT_FOUND', `cgroup ${path} not found in ${where}`, { path: expectedDirectory });
  }
  const directories = [...new Set([unifiedDirectory, ...Object.values(controllers).map((entry) => entry.directory)])].filter(
    (directory): directory is string => directory !== undefined,
  );
  const hugetlb = controllers.hugetlb;
  const hugePageSizes = hugetlb ? listHugePageSizes(hugetlb.directory) : [];
  const notFound = () =>
    new CgroupError('CGROUP_NOT_FOUND', `cgroup ${path} no longer exists (${directories.join(', ')})`, {
      path: directories[0] ?? path,
    });
  const cgroup: Cgroup = {
    mode,
    path,
    controllers,
    unifiedDirectory,
    hugePageSizes,
    exists: () => directories.some((directory) => existsSync(directory)),
    stats: async (options = {}) => {
      const stats = readCgroupStats(cgroup, options);
      if (Object.keys(stats.raw.v1 ?? {}).length === 0 && Object.keys(stats.raw.v2 ?? {}).length === 0 && !cgroup.exists()) {
        throw notFound();
      }
      return stats;
    },
    pids: async () => {
      for (const directory of directories) {
        const text = readKernelFile(join(directory, 'cgroup.procs'));
        if (text !== undefined) return text.split('\n').filter((line) => line !== '').map(Number);
      }
      throw notFound();
    },
  };
  return cgroup;
}

function listHugePageSizes(directory: string): string[] {
  const sizes = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CgroupError('READ_FAILED', `cannot list ${directory}: ${(error as Error).message}`, { path: directory, cause: error });
  }
  for (const name of names) {
    const match = /^hugetlb\.(\d+[KMG]B)\./.exec(name);
    if (match?.[1]) sizes.add(match[1]);
  }
  return [...sizes];
}
