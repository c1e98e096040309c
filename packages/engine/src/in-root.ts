import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/**
 * Runs a host busybox shell script confined to `root` (a container's merged root filesystem, an
 * image's root filesystem), for everything that reads or writes paths a container controls:
 * `cp` both ways, stat of a destination, the copy-up of image content into a volume.
 *
 * Why this way (Docker's CVE-2018-15664 and CVE-2019-14271):
 * - Paths are never resolved by the engine and then opened (a running container can swap any
 *   component for a symlink to `/` between the two). The process that opens them has its root
 *   directory at the container's root (`unshare --root`, i.e. chroot): every lookup, `..` and
 *   absolute symlink included, stays below it whatever the container swaps, at any moment.
 * - Nothing from the container is executed or loaded. util-linux `unshare` (the host's) makes a
 *   private mount namespace, chroots, mounts a proc filesystem at the new root's `/proc` (resolved
 *   inside the root, and visible only in this throwaway namespace, never to the container or the
 *   host), then executes `/proc/<engine pid>/root/<host busybox>`: the magic link of the engine's
 *   own root directory, so the binary is the host's static busybox, reached without any path the
 *   container controls. Its applets re-execute `/proc/self/exe` (the same host binary). A static
 *   busybox loads no libraries; it parses /etc/passwd itself (no NSS modules, which is what
 *   CVE-2019-14271 loaded from the container).
 * - The environment is empty, arguments go as `$1...` (never into the script text).
 * What it cannot stop: a privileged container, which can already do anything on the host.
 */
export interface InRootOptions {
  /** The host's static busybox (absolute). */
  busybox: string;
  /** The root directory the script runs in. */
  root: string;
  stdio?: StdioOptions;
}

/** util-linux `unshare` from the engine's PATH (the child's environment is empty, so it is found here). */
function hostUnshare(): string {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter)) {
    const candidate = join(dir, 'unshare');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return '/usr/bin/unshare';
}

export function spawnInRoot(options: InRootOptions, script: string, args: readonly string[]): ChildProcess {
  if (!isAbsolute(options.busybox)) throw new Error(`busybox must be an absolute path: ${options.busybox}`);
  return spawn(
    hostUnshare(),
    ['--mount', '--propagation', 'private', `--root=${options.root}`, '--mount-proc=/proc', `/proc/${process.pid}/root${options.busybox}`, 'sh', '-c', script, 'sh', ...args],
    { stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'], env: { LC_ALL: 'C', PATH: '/proc/self/no-such-dir' } },
  );
}

/** Runs a script in the root; resolves to its stdout, rejects with its stderr (first line). */
export function runInRoot(options: InRootOptions, script: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const child = spawnInRoot({ ...options, stdio: ['ignore', 'pipe', 'pipe'] }, script, args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? 1 }));
  });
}
