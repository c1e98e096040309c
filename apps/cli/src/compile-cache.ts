import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, constants } from 'node:fs';
import { join } from 'node:path';

/**
 * V8's code cache for the CLI's bundle, one file per command: what Node 22 calls its module
 * compile cache (`module.enableCompileCache()`), which Node 20 lacks. A command's first run
 * compiles the bundle's code as usual and, as it exits, saves the machine code V8 made for it;
 * later runs of the same command take it instead of parsing and compiling again (about 60 ms of a
 * `ps` here).
 *
 * The cache is code the CLI runs: it lives in a directory of the user's own (root's
 * `/var/cache/execdriver`), made 0700, files 0600, and a file is used only when it is owned by the
 * user and writable by nobody else. Its directory is named by the bundle's hash, Node's version and
 * the architecture, so an upgrade never meets an old cache (V8 itself checks only its own version,
 * its flags and the source's length).
 */

/** What the cache of one run is: where its file is, or why there is none. */
export type CompileCachePlan = { file: string } | { disabled: string };

export interface CompileCacheInput {
  env: Readonly<Record<string, string | undefined>>;
  /** The CLI's arguments (without node and the script). */
  args: readonly string[];
  /** Node's own flags: V8 refuses a cache made under other flags. */
  execArgv: readonly string[];
  uid: number;
  /** The bundle's content hash, written into the launcher by the build. */
  bundleHash: string;
  nodeVersion: string;
  arch: string;
}

/** The directory caches live in: EXECDRIVER_CACHE_DIR, root's /var/cache/execdriver, or the XDG cache of a user. */
export function compileCacheRoot(env: Readonly<Record<string, string | undefined>>, uid: number): string | undefined {
  if (env.EXECDRIVER_CACHE_DIR) return env.EXECDRIVER_CACHE_DIR;
  if (uid === 0) return '/var/cache/execdriver';
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base ? join(base, 'execdriver') : undefined;
}

/** The cache file's name: the command (`ps`, `run`, `__console`...), or `default` for anything else (`--help`). */
export function commandCacheName(args: readonly string[]): string {
  const first = args[0];
  return first !== undefined && /^_{0,2}[a-z][a-z_-]{0,31}$/.test(first) ? first : 'default';
}

/** FNV-1a of a string, 8 hex digits: names the Node flags a cache was made under, without loading node:crypto. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Where this run's cache is. V8 refuses a cache made under other flags, so runs under Node flags
 * (the CLI's helpers run with `--lite-mode`) have caches of their own, named by a hash of the flags.
 */
export function planCompileCache(input: CompileCacheInput): CompileCachePlan {
  if (input.env.EXECDRIVER_DISABLE_COMPILE_CACHE) return { disabled: 'EXECDRIVER_DISABLE_COMPILE_CACHE is set' };
  const root = compileCacheRoot(input.env, input.uid);
  if (root === undefined) return { disabled: 'no cache directory (no HOME)' };
  const key = `${input.bundleHash}-node${input.nodeVersion.replace(/^v/, '')}-${input.arch}`;
  const flags = input.execArgv.length > 0 ? `-${shortHash(input.execArgv.join('\0'))}` : '';
  return { file: join(root, 'cli', key, `${commandCacheName(input.args)}${flags}.bin`) };
}

/** How long a cache directory lives unused before another bundle's first write removes it. */
const unusedLifetimeMs = 7 * 24 * 3600 * 1000;

/**
 * The cache's bytes, or why it is not used: absent, not the user's own, or writable by others (the
 * file or its directory). A used cache's directory is marked used (its time set) once a day, so it
 * outlives unused ones.
 */
export function readCompileCache(file: string, uid: number, now = Date.now()): { data: Buffer } | { skipped: string } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    return { skipped: (error as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { skipped: 'not a regular file' };
    if (stat.uid !== uid) return { skipped: `owned by uid ${stat.uid}, not ${uid}` };
    if ((stat.mode & 0o022) !== 0) return { skipped: `writable by others (mode ${(stat.mode & 0o777).toString(8)})` };
    // Its directory too: one another user could write in could have its files swapped.
    const directory = join(file, '..');
    const directoryStat = statSync(directory);
    if (directoryStat.uid !== uid) return { skipped: `its directory is owned by uid ${directoryStat.uid}, not ${uid}` };
    if ((directoryStat.mode & 0o022) !== 0) return { skipped: `its directory is writable by others (mode ${(directoryStat.mode & 0o777).toString(8)})` };
    const data = readFileSync(fd);
    markUsed(directory, now);
    return { data };
  } finally {
    closeSync(fd);
  }
}

/**
 * Saves a cache: written beside its place and renamed over it, so a concurrent run reads the old
 * file or the new one, never half of one. Caches of other bundles or Node versions not touched for
 * a week are removed (an upgrade leaves its predecessor's). Failures are not the command's: the
 * result says what happened. `data` may be a function, called only when the directory is there.
 */
export function writeCompileCache(file: string, data: Uint8Array | (() => Uint8Array), now = Date.now()): { written: true } | { failed: string } {
  const keyDirectory = join(file, '..');
  const commandsRoot = join(keyDirectory, '..');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    makeDirectory(keyDirectory);
    // Serialised only once there is a place for it (V8's serialisation costs 10-20 ms).
    writeFileSync(temporary, typeof data === 'function' ? data() : data, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Its directory could not be made: there is no temporary file.
    }
    return { failed: (error as Error).message };
  }
  for (const entry of safeReaddir(commandsRoot)) {
    const path = join(commandsRoot, entry);
    if (path === keyDirectory) continue;
    try {
      if (now - statSync(path).mtimeMs > unusedLifetimeMs) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
  return { written: true };
}

/**
 * `mkdir -p` with mode 0700, at most 16 levels up: Node's own recursive mkdirSync never returns
 * under /proc (ENOENT again and again; EXECDRIVER_CACHE_DIR=/proc/x spun at 100% CPU).
 */
function makeDirectory(directory: string, depth = 0): void {
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || depth >= 16 || join(directory, '..') === directory) throw error;
    makeDirectory(join(directory, '..'), depth + 1);
    mkdirSync(directory, { mode: 0o700 });
  }
}

function markUsed(directory: string, now: number): void {
  try {
    if (now - statSync(directory).mtimeMs > 24 * 3600 * 1000) utimesSync(directory, now / 1000, now / 1000);
  } catch {
    // A cache directory that cannot be marked is only removed sooner.
  }
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
