import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NetworkError } from './errors.js';

/** `execFile` as a promise, made on first use (the CLI's bundle loads `node:child_process` only then). */
function run(file: string, args: readonly string[], options: { timeout?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
}

export interface NetnsOptions {
  /** `unshare` (util-linux) and `umount`; default from PATH. */
  unshare?: string;
  umount?: string;
  /** Bring the namespace's `lo` up as it is made (`ip link set lo up` run inside it by unshare): what the CNI `loopback` plugin does, without another process. */
  loopbackUp?: boolean;
  /** `ip` (iproute2) for `loopbackUp`; default from PATH. */
  ip?: string;
}

/**
 * A persistent network namespace: a new namespace bind-mounted on `path` (`unshare --net=FILE`,
 * as `ip netns add` does), alive with no process in it until `deleteNetns`.
 * @throws NetworkError NETNS_FAILED naming the path
 */
export async function createNetns(path: string, options: NetnsOptions = {}): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  await writeFile(path, '', { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw new NetworkError('NETNS_FAILED', `network namespace file ${path} exists already`, { path }, { cause: error });
  });
  try {
    const inside = options.loopbackUp ? [options.ip ?? 'ip', 'link', 'set', 'lo', 'up'] : ['true'];
    await run(options.unshare ?? 'unshare', [`--net=${path}`, ...inside], { timeout: 10_000 });
  } catch (error) {
    await rm(path, { force: true });
    throw new NetworkError('NETNS_FAILED', `cannot create a network namespace at ${path}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`, { path }, { cause: error });
  }
}

/** Unmounts and removes a namespace file; one that is already gone is fine. */
export async function deleteNetns(path: string, options: NetnsOptions = {}): Promise<void> {
  // No file, no namespace: nothing to unmount (the common case of a release done already: no umount process).
  if (!(await lstat(path).then(() => true, () => false))) return;
  try {
    await run(options.umount ?? 'umount', ['--lazy', path], { timeout: 10_000 });
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr ?? '');
    if (!/not mounted|no mount point|No such file/.test(text)) {
      throw new NetworkError('NETNS_FAILED', `cannot unmount network namespace ${path}: ${text.trim() || (error as Error).message}`, { path }, { cause: error });
    }
  }
  await rm(path, { force: true });
}

/** Names of the namespace files in `dir`. */
export async function listNetns(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}
