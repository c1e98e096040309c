import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { findLeftovers, networkLeftovers, removeTestBridge } from '@execdriver/testkit';

export { networkLeftovers };

/** The built daemon and CLI under test. */
export const daemonPath = fileURLToPath(new URL('../dist/execdriverd.js', import.meta.url));
export const cliPath = fileURLToPath(new URL('../../cli/dist/cli.js', import.meta.url));

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface DaemonHarness {
  base: string;
  socket: string;
  /** `unix://<socket>`: DOCKER_HOST for the docker CLI, base_url for docker-py. */
  dockerHost: string;
  stateRoot: string;
  dataRoot: string;
  marker: string;
  /** The default bridge network's host interface, this harness's own. */
  bridge: string;
  /** The environment of the CLI on the same roots, and of the docker CLI pointed at the daemon. */
  env: Record<string, string>;
  daemon: ChildProcess;
  /** How long the last start took until the first answer to _ping. */
  startupMs: number;
  /** The daemon's stderr so far (JSON lines). */
  log(): string;
  docker(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** The execdriver CLI on the daemon's roots. */
  cli(args: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  run(command: string, args: readonly string[], options?: { input?: string; timeoutMs?: number; env?: Record<string, string> }): Promise<RunResult>;
  /** Stops the daemon (SIGTERM) and resolves to its exit code. */
  stop(): Promise<number | null>;
  /** Starts the daemon again on the same socket and roots. */
  restart(): Promise<void>;
  /** Network namespaces, attachments and leased addresses left in the state root. */
  networkLeftovers(): string[];
  /** Stops the daemon, removes every container, user network, the bridge, the roots and the cgroup prefix; returns what was left. */
  cleanup(): Promise<string[]>;
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

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.request({ socketPath, path: '/_ping', method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.end();
  });
}

/** A daemon of this test file's own: private socket, roots and cgroup prefix (named with `marker`, to find leaks). */
export async function startDaemonHarness(name: string): Promise<DaemonHarness> {
  const base = await mkdtemp(join(tmpdir(), `execdriverd-${name}-`));
  await chmod(base, 0o711);
  const marker = `execdriverd-test-${name}-${process.pid}-${Date.now().toString(36)}`;
  const stateRoot = join(base, 'state');
  const dataRoot = join(base, 'data');
  const socket = join(base, 'run', 'd.sock');
  const dockerConfig = join(base, 'docker-config');
  await mkdir(dockerConfig);
  const dockerHost = `unix://${socket}`;
  // A default bridge of this test file's own (15 characters at most), deleted by cleanup, as the CLI's harness.
  const bridge = `edd${(process.pid % 100000).toString(36)}${Date.now().toString(36).slice(-5)}`;
  const env = { EXECDRIVER_STATE_ROOT: stateRoot, EXECDRIVER_DATA_ROOT: dataRoot, EXECDRIVER_CGROUP_PREFIX: marker, EXECDRIVER_BRIDGE: bridge, DOCKER_HOST: dockerHost, DOCKER_CONFIG: dockerConfig };
  let log = '';
  let daemon!: ChildProcess;
  let startupMs = 0;

  const launch = async () => {
    daemon = spawn(process.execPath, ['--', daemonPath, '-H', dockerHost, '--data-root', dataRoot, '--exec-root', stateRoot, '--pidfile', join(base, 'execdriverd.pid'), '--log-level', 'debug'], {
      env: { ...process.env, EXECDRIVER_CGROUP_PREFIX: marker, EXECDRIVER_BRIDGE: bridge },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    daemon.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const started = Date.now();
    while (!(await ping(socket))) {
      if (daemon.exitCode !== null) throw new Error(`execdriverd exited (${daemon.exitCode}): ${log}`);
      if (Date.now() - started > 10_000) throw new Error(`execdriverd did not answer in 10 s: ${log}`);
      await sleep(20);
    }
    startupMs = Date.now() - started;
  };
  await launch();

  const run: DaemonHarness['run'] = (command, args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, [...args], { env: { ...process.env, ...env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
      // A command that exits without reading its input (a refused `docker run`) closes the pipe: not an error of the test.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input ?? '');
    });

  const stop = async (): Promise<number | null> => {
    if (daemon.exitCode !== null) return daemon.exitCode;
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    return Promise.race([exited, sleep(10_000).then(() => -1)]);
  };

  const cgroupPrefixDirs = () => entries('/sys/fs/cgroup').map((hierarchy) => join('/sys/fs/cgroup', hierarchy, marker));
  const cli: DaemonHarness['cli'] = (args, options) => run(process.execPath, ['--', cliPath, ...args], options);

  return {
    base,
    socket,
    dockerHost,
    stateRoot,
    dataRoot,
    marker,
    bridge,
    env,
    get daemon() {
      return daemon;
    },
    get startupMs() {
      return startupMs;
    },
    log: () => log,
    docker: (args, options) => run('docker', args, options),
    cli,
    run,
    stop,
    restart: launch,
    networkLeftovers: () => networkLeftovers(stateRoot),
    async cleanup() {
      const left: string[] = [];
      const code = await stop();
      if (code !== 0) left.push(`execdriverd exited ${code} on SIGTERM`);
      if (existsSync(socket)) left.push(`socket left: ${socket}`);
      const ids = (await cli(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter((id) => id !== '');
      if (ids.length > 0) await cli(['rm', '-f', ...ids]);
      const networks = (await cli(['network', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter((network) => network !== '' && !['bridge', 'host', 'none'].includes(network));
      if (networks.length > 0) left.push(...networks.map((network) => `network: ${network}`));
      if (networks.length > 0) await cli(['network', 'rm', ...networks]);
      for (let attempt = 0; attempt < 30 && entries(join(stateRoot, 'consoles')).some((file) => file.endsWith('.sock')); attempt += 1) await sleep(100);
      left.push(
        ...entries(join(stateRoot, 'containers')).map((id) => `state: ${id}`),
        ...entries(join(dataRoot, 'containers')).map((id) => `data: ${id}`),
        ...readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((line) => line.includes(base)).map((line) => `mount: ${line}`),
      );
      for (const dir of cgroupPrefixDirs()) {
        // The prefix directory itself is the driver's parent cgroup (like /docker): only containers below it are leaks.
        left.push(...subdirectories(dir).map((child) => `cgroup: ${join(dir, child)}`));
        try {
          rmdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') left.push(`cgroup: ${dir} (${(error as Error).message})`);
        }
      }
      left.push(...networkLeftovers(stateRoot));
      left.push(...findLeftovers(marker));
      left.push(...removeTestBridge(bridge));
      await rm(base, { recursive: true, force: true }).catch((error: Error) => left.push(`rm ${base}: ${error.message}`));
      return left;
    },
  };
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
