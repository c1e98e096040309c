import { PassThrough, Readable, Writable } from 'node:stream';
import { DriverError, type ContainerStats } from '@execdriver/driver';
import type { CommandInput } from '@execdriver/spec';
import { isActive } from './container.js';
import { Engine } from './engine.js';
import type { EngineEvent } from './events.js';
import type { ContainerRecord } from './record.js';

/** A container's settings, as `execdriver run` flags say them, typed. */
export interface ContainerOptions {
  /** `--name`; generated when absent. */
  name?: string;
  /** `-e`: `KEY=VALUE` entries or an object. */
  env?: readonly string[] | Readonly<Record<string, string>>;
  /** `-w`. */
  workingDir?: string;
  /** `-u`: `name`, `uid`, `uid:gid`. */
  user?: string;
  /** `--entrypoint` (replaces the image's, and its CMD). */
  entrypoint?: readonly string[];
  /** `-h`. */
  hostname?: string;
  /** `-l`. */
  labels?: Readonly<Record<string, string>>;
  /** `--network`: `none` (default here: nothing to prepare) or `host`. */
  network?: 'none' | 'host';
  /** `--read-only`. */
  readOnly?: boolean;
  /** `--privileged`. */
  privileged?: boolean;
  /** `--cap-add`, `--cap-drop`. */
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  /** `-m` in bytes, `--cpus`, `--pids-limit`, and every other resource as the spec names it. */
  resources?: CommandInput['resources'];
  /** `-v`/`--mount`/`--tmpfs` as the spec's mounts (`{ type: 'bind', source, destination, readonly }`). */
  mounts?: CommandInput['mounts'];
  /** Anything else of the Command (seccomp, sysctls, ulimits in resources...). */
  command?: Partial<Omit<CommandInput, 'id' | 'rootfs' | 'process'>>;
}

/** Where the engine keeps its state: an engine of your own, or its roots (default /run/execdriver and /var/lib/execdriver). */
export interface EngineLocation {
  engine?: Engine;
  stateRoot?: string;
  dataRoot?: string;
}

export interface RunOptions extends ContainerOptions, EngineLocation {
  /** Aborting kills the container and removes it; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Fed to the process's stdin, which is then closed. */
  input?: string | Uint8Array;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  oomKilled: boolean;
}

function engineOf(location: EngineLocation): Engine {
  return location.engine ?? new Engine({ stateRoot: location.stateRoot ?? '/run/execdriver', dataRoot: location.dataRoot ?? '/var/lib/execdriver' });
}

function toEnv(env: ContainerOptions['env']): string[] {
  if (env === undefined) return [];
  if (Array.isArray(env)) return [...(env as readonly string[])];
  return Object.entries(env as Record<string, string>).map(([key, value]) => `${key}=${value}`);
}

function toDraft(args: readonly string[], options: ContainerOptions): Omit<CommandInput, 'id' | 'rootfs'> {
  return {
    ...options.command,
    process: {
      args: [...args],
      env: toEnv(options.env),
      ...(options.workingDir !== undefined ? { workingDir: options.workingDir } : {}),
      ...(options.user !== undefined ? { user: options.user } : {}),
    },
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    ...(options.readOnly !== undefined ? { readonlyRootfs: options.readOnly } : {}),
    ...(options.privileged !== undefined ? { privileged: options.privileged } : {}),
    ...(options.capAdd ? { capAdd: [...options.capAdd] as CommandInput['capAdd'] } : {}),
    ...(options.capDrop ? { capDrop: [...options.capDrop] as CommandInput['capDrop'] } : {}),
    ...(options.resources ? { resources: options.resources } : {}),
    ...(options.mounts ? { mounts: options.mounts } : {}),
    namespaces: { ...(options.command?.namespaces ?? {}), network: { mode: options.network ?? 'none' } },
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Collects a stream's bytes as text. */
function collector(): { stream: Writable; text(): string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
    text: () => Buffer.concat(chunks).toString(),
  };
}

/** Rejects when `signal` aborts (after `onAbort` ran), else follows `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Promise<unknown>): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return onAbort().then(() => Promise.reject(abortError(signal)));
  return new Promise<T>((resolve, reject) => {
    const listener = () => {
      void onAbort().finally(() => reject(abortError(signal)));
    };
    signal.addEventListener('abort', listener, { once: true });
    // Once aborted, what the aborted work settles with (an exit caused by the kill) is not the result.
    promise.then(
      (value) => {
        signal.removeEventListener('abort', listener);
        if (!signal.aborted) resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', listener);
        if (!signal.aborted) reject(error);
      },
    );
  });
}

/**
 * Runs `args` in a new container of `image` and resolves to its output and exit, leaving nothing
 * behind (the container is removed, also when it fails or the signal aborts).
 *
 * ```ts
 * const { stdout, exitCode } = await run('busybox', ['echo', 'hi']);
 * ```
 */
export async function run(image: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult> {
  if (options.signal?.aborted) throw abortError(options.signal);
  const engine = engineOf(options);
  const record = await engine.create({ image, command: toDraft(args, options), ...(options.name ? { name: options.name } : {}), ...(options.entrypoint ? { entrypoint: [...options.entrypoint] } : {}), ...(options.labels ? { labels: { ...options.labels } } : {}), interactive: options.input !== undefined });
  const stdout = collector();
  const stderr = collector();
  const remove = () => engine.remove(record.id, { force: true }).catch(() => undefined);
  try {
    const stdin = options.input === undefined ? undefined : Readable.from([Buffer.from(options.input)]);
    const started = await abortable(engine.start(record, { stdout: stdout.stream, stderr: stderr.stream, ...(stdin ? { stdin } : {}) }), options.signal, remove);
    const status = await abortable(started.exited, options.signal, remove);
    return { stdout: stdout.text(), stderr: stderr.text(), exitCode: status.exitCode, oomKilled: status.oomKilled };
  } finally {
    await remove();
  }
}

export interface ExecOptions {
  env?: ContainerOptions['env'];
  workingDir?: string;
  user?: string;
  privileged?: boolean;
  input?: string | Uint8Array;
  /** Aborting kills the exec'd process; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A started container: exec in it, wait for it, read its stats and logs; `await using` removes it. */
export interface RunningContainer extends AsyncDisposable {
  readonly id: string;
  readonly name: string;
  readonly engine: Engine;
  /** Runs another process and resolves to its output and exit code. */
  exec(args: readonly string[], options?: ExecOptions): Promise<Omit<RunResult, 'oomKilled'>>;
  /** Runs another process with its output as streams; `exitCode` settles when it ends. */
  execStream(args: readonly string[], options?: ExecOptions): { stdout: Readable; stderr: Readable; exitCode: Promise<number> };
  /** Waits for the container's process to exit (aborting stops the wait, not the container). */
  wait(options?: { signal?: AbortSignal }): Promise<{ exitCode: number; oomKilled: boolean }>;
  stop(options?: { timeoutMs?: number; signal?: string | number }): Promise<void>;
  kill(signal?: string | number): Promise<void>;
  /** Resource usage once per `intervalMs` (default 1000) until the container stops or the signal aborts. */
  stats(options?: { intervalMs?: number; signal?: AbortSignal }): AsyncIterableIterator<ContainerStats>;
  /** Output lines so far and, with `follow`, new ones until the container stops or the signal aborts. */
  logs(options?: { follow?: boolean; signal?: AbortSignal }): AsyncIterableIterator<{ stream: 'stdout' | 'stderr'; line: string }>;
  /** This container's events (Docker's shape): those since it was created, then new ones, until the signal aborts. */
  events(options?: { signal?: AbortSignal }): AsyncIterableIterator<EngineEvent>;
  /** Kills (if running) and removes the container, with everything it had. */
  remove(): Promise<void>;
}

/**
 * Starts a container detached and returns a handle to it; dispose of it (`await using`) to remove it.
 *
 * ```ts
 * await using web = await start('busybox', ['sleep', '60']);
 * console.log((await web.exec(['hostname'])).stdout);
 * ```
 */
export async function start(image: string, args: readonly string[] = [], options: Omit<RunOptions, 'input'> = {}): Promise<RunningContainer> {
  if (options.signal?.aborted) throw abortError(options.signal);
  const engine = engineOf(options);
  const record = await engine.create({ image, command: toDraft(args, options), ...(options.name ? { name: options.name } : {}), ...(options.entrypoint ? { entrypoint: [...options.entrypoint] } : {}), ...(options.labels ? { labels: { ...options.labels } } : {}) });
  const remove = () => engine.remove(record.id, { force: true }).then(() => undefined);
  try {
    await abortable(engine.start(record, { logs: true }), options.signal, () => remove().catch(() => undefined));
  } catch (error) {
    await remove().catch(() => undefined);
    throw error;
  }
  return handle(engine, record);
}

function handle(engine: Engine, record: ContainerRecord): RunningContainer {
  let removed: Promise<void> | undefined;
  const remove = () => (removed ??= engine.remove(record.id, { force: true }).then(() => undefined));
  const execStream: RunningContainer['execStream'] = (args, options = {}) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const exitCode = (async () => {
      if (options.signal?.aborted) throw abortError(options.signal);
      const driver = await engine.driver();
      let pid: number | undefined;
      const killExec = async () => {
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      };
      const stdin = options.input === undefined ? undefined : Readable.from([Buffer.from(options.input)]);
      const running = driver.exec(
        record.id,
        {
          args: [...args],
          env: toEnv(options.env),
          ...(options.workingDir !== undefined ? { workingDir: options.workingDir } : {}),
          ...(options.user !== undefined ? { user: options.user } : {}),
          ...(options.privileged !== undefined ? { privileged: options.privileged } : {}),
        },
        { stdout, stderr, ...(stdin ? { stdin } : {}) },
        { start: (_process, started) => void (pid = started) },
      );
      try {
        return await abortable(running, options.signal, killExec);
      } finally {
        stdout.end();
        stderr.end();
      }
    })();
    exitCode.catch(() => undefined);
    return { stdout, stderr, exitCode };
  };
  return {
    id: record.id,
    name: record.name,
    engine,
    execStream,
    async exec(args, options = {}) {
      const { stdout, stderr, exitCode } = execStream(args, options);
      const out = collector();
      const err = collector();
      stdout.pipe(out.stream);
      stderr.pipe(err.stream);
      const code = await exitCode;
      return { stdout: out.text(), stderr: err.text(), exitCode: code };
    },
    async wait(options = {}) {
      if (options.signal?.aborted) throw abortError(options.signal);
      return abortable(engine.wait(record.id), options.signal, async () => undefined);
    },
    async stop(options = {}) {
      await engine.stop(record.id, options);
    },
    async kill(signal = 'KILL') {
      await engine.kill(record.id, signal);
    },
    async *stats(options = {}) {
      const driver = await engine.driver();
      const intervalMs = options.intervalMs ?? 1000;
      while (!options.signal?.aborted) {
        try {
          yield await driver.stats(record.id);
        } catch (error) {
          if (error instanceof DriverError && (error.code === 'CONTAINER_NOT_RUNNING' || error.code === 'CONTAINER_NOT_FOUND')) return;
          throw error;
        }
        await sleepUnlessAborted(intervalMs, options.signal);
      }
    },
    async *logs(options = {}) {
      const paths = await engine.logPaths(record.id);
      const offsets = { stdout: 0, stderr: 0 };
      const partial = { stdout: '', stderr: '' };
      const { open } = await import('node:fs/promises');
      const readNew = async (stream: 'stdout' | 'stderr') => {
        const file = await open(paths[stream], 'r').catch(() => undefined);
        if (!file) return [];
        try {
          const { size } = await file.stat();
          if (size <= offsets[stream]) return [];
          const buffer = Buffer.alloc(size - offsets[stream]);
          await file.read(buffer, 0, buffer.length, offsets[stream]);
          offsets[stream] = size;
          const text = partial[stream] + buffer.toString();
          const lines = text.split('\n');
          partial[stream] = lines.pop() ?? '';
          return lines.map((line) => ({ stream, line }));
        } finally {
          await file.close();
        }
      };
      for (;;) {
        const running = options.follow ? isActive(await engine.find(record.id)) : false;
        for (const stream of ['stdout', 'stderr'] as const) yield* await readNew(stream);
        if (!running || options.signal?.aborted) {
          for (const stream of ['stdout', 'stderr'] as const) if (partial[stream] !== '') yield { stream, line: partial[stream] };
          return;
        }
        await sleepUnlessAborted(100, options.signal);
      }
    },
    events(options = {}) {
      const since = BigInt(Date.parse(record.created)) * 1_000_000n;
      return engine.events.follow({ since, filters: { container: [record.id] }, ...(options.signal ? { signal: options.signal } : {}) });
    },
    remove,
    [Symbol.asyncDispose]: remove,
  };
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

