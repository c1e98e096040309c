import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findLeftovers, networkLeftovers, removeTestBridge } from '@execdriver/testkit';

export { networkLeftovers };

/** The built binary under test. */
export const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface Harness {
  env: Record<string, string>;
  stateRoot: string;
  dataRoot: string;
  /** Unique to this test file: in the cgroup prefix, so leftovers can be found. */
  marker: string;
  cli(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<CliResult>;
  /** Removes every container, the roots and the (emptied) cgroup prefix directories; returns what could not be removed. */
  cleanup(): Promise<string[]>;
  /** Removes every container and user-defined network (after a failed test, so the next starts clean). */
  reset(): Promise<void>;
  /** What is left: containers in the state and data roots, mounts under the roots, cgroup directories of the marker. */
  leftovers(): string[];
}

function entries(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function subdirectories(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Temporary state and data roots and a cgroup prefix of their own for one test file. */
export async function createHarness(name: string): Promise<Harness> {
  const base = await mkdtemp(join(tmpdir(), `execdriver-cli-${name}-`));
  // Traversable, as /var/lib is, so a user-namespaced container's root can reach its root filesystem.
  await chmod(base, 0o711);
  const marker = `execdriver-cli-test-${name}-${process.pid}-${Date.now().toString(36)}`;
  const stateRoot = join(base, 'state');
  const dataRoot = join(base, 'data');
  // A default bridge of this test file's own (15 characters at most), deleted by cleanup.
  const bridge = `edt${(process.pid % 100000).toString(36)}${Date.now().toString(36).slice(-5)}`;
  const env = { EXECDRIVER_STATE_ROOT: stateRoot, EXECDRIVER_DATA_ROOT: dataRoot, EXECDRIVER_CGROUP_PREFIX: marker, EXECDRIVER_BRIDGE: bridge };

  const cli: Harness['cli'] = (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--', cliPath, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? 128 + (signal === 'SIGKILL' ? 9 : 0), stdout, stderr });
      });
      // A command that exits without reading its input (a refused flag) closes the pipe: not an error of the test.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });

  const cgroupPrefixDirs = () => entries('/sys/fs/cgroup').map((hierarchy) => join('/sys/fs/cgroup', hierarchy, marker));

  const leftovers = (): string[] => {
    const found = [
      ...entries(join(stateRoot, 'containers')).map((id) => `state: ${id}`),
      ...entries(join(dataRoot, 'containers')).map((id) => `data: ${id}`),
      ...entries(join(stateRoot, 'runc')).map((id) => `runc: ${id}`),
      ...readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((line) => line.includes(base)).map((line) => `mount: ${line}`),
    ];
    // The prefix directory itself is the driver's parent cgroup (like /docker): only containers below it are leaks.
    found.push(...networkLeftovers(stateRoot));
    for (const dir of cgroupPrefixDirs()) found.push(...subdirectories(dir).map((child) => `cgroup: ${join(dir, child)}`));
    return found;
  };

  const reset = async (): Promise<void> => {
    const ids = (await cli(['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
    if (ids.length > 0) await cli(['rm', '-f', ...ids]);
    const networks = (await cli(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter((name) => name !== '' && !['bridge', 'host', 'none'].includes(name));
    if (networks.length > 0) await cli(['network', 'rm', ...networks]);
  };

  const cleanup = async (): Promise<string[]> => {
    await reset();
    for (let attempt = 0; attempt < 20 && entries(join(stateRoot, 'consoles')).some((file) => file.endsWith('.sock')); attempt += 1) await sleep(100);
    const left = leftovers();
    for (const dir of cgroupPrefixDirs()) {
      try {
        rmdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') left.push(`cgroup: ${dir} (${(error as Error).message})`);
      }
    }
    left.push(...findLeftovers(marker));
    left.push(...removeTestBridge(bridge));
    await rm(base, { recursive: true, force: true }).catch((error: Error) => left.push(`rm ${base}: ${error.message}`));
    return left;
  };

  return { env, stateRoot, dataRoot, marker, cli, cleanup, reset, leftovers };
}


/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
