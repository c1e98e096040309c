import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toDockerStats, type Sample } from '@execdriver/cgroups';
import { DriverError } from '@execdriver/driver';
import { copyLogs, EngineError, isActive, processTable, toDockerInspect, toPsRow, toSample, type Container } from '@execdriver/engine';
import { startFailure } from './consoles.js';
import type { DaemonContext } from './context.js';
import { toCreateRequest } from './create-request.js';
import { DaemonError } from './errors.js';
import { parseFilters, queryBoolean, queryInteger, type Call, type Hijacked, type Route } from './http.js';
import { StdStream, streamWriter } from './streams.js';

const rawStream = 'application/vnd.docker.raw-stream';
const multiplexedStream = 'application/vnd.docker.multiplexed-stream';

/** The environment the container's process got: `process.env` of its bundle's config.json. */
async function effectiveEnv(container: Container): Promise<string[] | undefined> {
  if (!container.driver) return undefined;
  try {
    const config = JSON.parse(await readFile(join(container.driver.bundle, 'config.json'), 'utf8')) as { process?: { env?: unknown } };
    const env = config.process?.env;
    return Array.isArray(env) && env.every((entry) => typeof entry === 'string') ? env : undefined;
  } catch {
    return undefined;
  }
}

/** `GET /containers/{id}/json`: the CLI's inspect document, plus the fields Docker clients read. */
export async function inspectDocument(context: DaemonContext, container: Container) {
  const driver = await context.engine.driver();
  const env = await effectiveEnv(container);
  const document = toDockerInspect(container, { containerDir: context.engine.containerDir(container.id), driverName: driver.name(), ...(env ? { env } : {}) });
  return {
    ...document,
    State: { ...document.State, Error: '', Health: undefined },
    HostConfig: {
      ...document.HostConfig,
      // docker-py's containers.run reads the container's output with `logs` only for these drivers.
      LogConfig: { Type: 'json-file', Config: {} },
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      PortBindings: {},
      ConsoleSize: [0, 0],
    },
    Config: {
      ...document.Config,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      StdinOnce: false,
      Entrypoint: null,
      StopSignal: container.record.stopSignal,
    },
    NetworkSettings: { Bridge: '', SandboxID: '', Ports: {}, Networks: {}, IPAddress: '', Gateway: '', MacAddress: '' },
  };
}

/** dockerd's Command of a list entry: the path, then the arguments, those with a space in single quotes. */
export function listCommand(args: readonly string[]): string {
  const [path = '', ...rest] = args;
  return rest.length === 0 ? path : `${path} ${rest.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg)).join(' ')}`;
}

/** `GET /containers/json`'s entry. */
function summaryOf(container: Container, now: number) {
  const row = toPsRow(container, now, { truncate: false });
  const network = container.record.command.namespaces.network;
  return {
    Id: container.id,
    Names: [`/${container.name}`],
    Image: container.record.image,
    ImageID: container.record.imageId ? `sha256:${container.record.imageId}` : '',
    Command: listCommand(container.record.command.process.args),
    Created: Math.floor(Date.parse(container.record.created) / 1000),
    Ports: [],
    Labels: container.record.labels,
    State: container.state,
    Status: row.Status,
    HostConfig: { NetworkMode: network?.mode === 'container' ? `container:${network.container}` : (network?.mode ?? 'none') },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

function containerFilter(filters: Map<string, string[]>): (container: Container) => boolean {
  const known = ['status', 'id', 'name', 'label', 'ancestor', 'exited'];
  for (const key of filters.keys()) if (!known.includes(key)) throw new DaemonError('BAD_PARAMETER', `invalid filter '${key}' (available: ${known.join(', ')})`);
  return (container) => {
    const any = (key: string, test: (value: string) => boolean) => {
      const values = filters.get(key);
      return values === undefined || values.length === 0 || values.some(test);
    };
    return (
      any('status', (value) => value === container.state) &&
      any('id', (value) => container.id.startsWith(value)) &&
      any('name', (value) => new RegExp(value.replace(/^\//, '')).test(container.name)) &&
      any('ancestor', (value) => value === container.record.image || `sha256:${container.record.imageId}`.startsWith(value) || container.record.imageId === value) &&
      any('exited', (value) => container.state === 'exited' && String(container.exitCode) === value) &&
      (filters.get('label') ?? []).every((value) => {
        const [key, expected] = value.split(/=(.*)/s, 2) as [string, string | undefined];
        return key in container.record.labels && (expected === undefined || container.record.labels[key] === expected);
      })
    );
  };
}

async function list(context: DaemonContext, call: Call): Promise<void> {
  const all = queryBoolean(call.query, 'all');
  const limit = queryInteger(call.query, 'limit');
  const keep = containerFilter(parseFilters(call.query.get('filters')));
  const { containers } = await context.engine.list();
  const now = Date.now();
  let shown = containers.filter((container) => (all || (limit !== undefined && limit > 0) || isActive(container)) && keep(container));
  if (limit !== undefined && limit > 0) shown = shown.slice(0, limit);
  call.send(200, shown.map((container) => summaryOf(container, now)));
}

async function create(context: DaemonContext, call: Call): Promise<void> {
  const platform = call.query.get('platform');
  if (platform && !/^linux(\/|$)/.test(platform)) throw new DaemonError('BAD_PARAMETER', `unsupported platform ${JSON.stringify(platform)}: execdriverd runs linux containers`);
  const { request, warnings, bindSources } = toCreateRequest(await call.json(), call.query.get('name') ?? undefined);
  const record = await context.engine.create(request);
  try {
    // As Docker does for `-v /host/path:/dst`: a host directory that is not there is created.
    for (const source of bindSources) await mkdir(source, { recursive: true, mode: 0o755 });
  } catch (error) {
    await context.engine.remove(record.id, { force: true }).catch(() => undefined);
    throw new DaemonError('BAD_PARAMETER', `cannot create the bind source: ${(error as Error).message}`, { cause: error });
  }
  context.monitor.containerEvent('create', { id: record.id, name: record.name, record });
  context.log.info('container created', { id: record.id, name: record.name, image: record.image });
  call.send(201, { Id: record.id, Warnings: warnings });
}

/** Starts a container (a tty one through a console holder); AutoRemove ones go once they exited. */
export async function startContainer(context: DaemonContext, container: Container): Promise<void> {
  if (container.record.command.process.tty) {
    await context.consoles.start(container);
  } else {
    try {
      await context.engine.start(container.record, { logs: true });
    } catch (error) {
      const exitCode = error instanceof DriverError ? (error.code === 'COMMAND_NOT_FOUND' ? 127 : error.code === 'COMMAND_NOT_INVOKABLE' ? 126 : 125) : 125;
      if (container.record.autoRemove) await context.monitor.autoRemove(container, exitCode, { waitForReaders: false });
      if (error instanceof DriverError && (error.code === 'COMMAND_NOT_FOUND' || error.code === 'COMMAND_NOT_INVOKABLE')) {
        throw startFailure(`failed to create task for container: ${error.message}: unknown`, exitCode);
      }
      throw error;
    }
  }
  context.monitor.started(container);
}

async function start(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (isActive(container)) {
    call.send(304);
    return;
  }
  await startContainer(context, container);
  call.send(204);
}

async function stop(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) {
    call.send(304);
    return;
  }
  const seconds = queryInteger(call.query, 't') ?? queryInteger(call.query, 'timeout');
  const signal = call.query.get('signal') || undefined;
  await context.engine.stop(container.id, { ...(seconds !== undefined && seconds >= 0 ? { timeoutMs: seconds * 1000 } : {}), ...(signal ? { signal } : {}) });
  context.monitor.containerEvent('stop', container);
  call.send(204);
}

async function restart(context: DaemonContext, call: Call): Promise<void> {
  let container = await context.engine.find(call.params.id!);
  if (isActive(container)) {
    const seconds = queryInteger(call.query, 't');
    await context.engine.stop(container.id, seconds !== undefined && seconds >= 0 ? { timeoutMs: seconds * 1000 } : {});
    context.monitor.containerEvent('stop', container);
    container = await context.engine.find(container.id);
  }
  await startContainer(context, container);
  context.monitor.containerEvent('restart', container);
  call.send(204);
}

async function kill(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Cannot kill container: ${call.params.id}: Container ${container.id} is not running`);
  const signal = call.query.get('signal') || 'KILL';
  await context.engine.kill(container.id, signal);
  context.monitor.containerEvent('kill', container, { signal });
  call.send(204);
}

async function pause(context: DaemonContext, call: Call, paused: boolean): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  if (paused && container.state === 'paused') throw new DaemonError('CONFLICT', `Container ${container.id} is already paused`);
  if (!paused && container.state !== 'paused') throw new DaemonError('CONFLICT', `Container ${container.id} is not paused`);
  const driver = await context.engine.driver();
  await (paused ? driver.pause(container.id) : driver.unpause(container.id));
  context.monitor.containerEvent(paused ? 'pause' : 'unpause', container);
  call.send(204);
}

async function remove(context: DaemonContext, call: Call): Promise<void> {
  if (queryBoolean(call.query, 'link')) throw new DaemonError('UNSUPPORTED', 'links are not supported by execdriverd');
  const force = queryBoolean(call.query, 'force');
  const container = await context.engine.find(call.params.id!);
  if (isActive(container) && !force) {
    throw new DaemonError('CONFLICT', `You cannot remove a ${container.state} container ${container.id}. Stop the container before attempting removal or force remove`);
  }
  try {
    await context.engine.remove(container.id, { force });
  } catch (error) {
    // Removed meanwhile by someone else (the console holder of an AutoRemove tty container, the CLI): done.
    const gone = await context.engine.find(container.id).then(
      () => false,
      (lookup: unknown) => lookup instanceof EngineError && lookup.code === 'NO_SUCH_CONTAINER',
    );
    if (!gone) throw error;
  }
  context.monitor.removed(container, container.exitCode ?? 0);
  call.send(204);
}

/** `POST /containers/prune`: removes every container that is not running (`filters` label=, until= not supported). */
async function prune(context: DaemonContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  for (const key of filters.keys()) throw new DaemonError('UNSUPPORTED', `prune filter ${JSON.stringify(key)} is not supported by execdriverd`);
  const { containers } = await context.engine.list();
  const deleted: string[] = [];
  for (const container of containers) {
    if (isActive(container)) continue;
    try {
      await context.engine.remove(container.id);
      context.monitor.removed(container, container.exitCode ?? 0);
      deleted.push(container.id);
    } catch (error) {
      context.log.warn('prune: cannot remove a container', { id: container.id, error: (error as Error).message });
    }
  }
  call.send(200, { ContainersDeleted: deleted, SpaceReclaimed: 0 });
}

async function inspect(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  call.send(200, await inspectDocument(context, container));
}

async function top(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  const driver = await context.engine.driver();
  call.send(200, await processTable(await driver.getPids(container.id), '/proc'));
}

/** The exit of the container's next (or current) run; `since` is the request's arrival. */
async function nextExit(context: DaemonContext, container: Container, signal: AbortSignal): Promise<number | undefined> {
  if (isActive(container)) return (await context.engine.wait(container.id)).exitCode;
  // Started by this daemon a moment ago and already gone: that is the exit the client waits for
  // (docker run sends its wait and its start together; the start may be handled first).
  if (container.state === 'exited' && context.monitor.startedWithin(container.id, 3000)) return container.exitCode ?? 0;
  const started = await context.monitor.nextStart(container.id, container.startedAt, signal);
  if (!started) return undefined;
  try {
    return (await context.engine.wait(started.id)).exitCode;
  } catch (error) {
    if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return context.monitor.recentlyRemoved(container.id)?.exitCode;
    throw error;
  }
}

async function wait(context: DaemonContext, call: Call): Promise<void> {
  const condition = call.query.get('condition') || 'not-running';
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw new DaemonError('BAD_PARAMETER', `invalid condition ${JSON.stringify(condition)} (not-running, next-exit or removed)`);
  let container: Container;
  try {
    container = await context.engine.find(call.params.id!);
  } catch (error) {
    const removed = context.monitor.recentlyRemoved(call.params.id!);
    if (condition === 'removed' && removed && error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') {
      call.send(200, { StatusCode: removed.exitCode, Error: null });
      return;
    }
    throw error;
  }
  const abort = new AbortController();
  call.onClose(() => abort.abort());
  const output = call.stream('application/json');
  let exitCode: number | undefined;
  try {
    if (condition === 'not-running') exitCode = isActive(container) ? (await context.engine.wait(container.id)).exitCode : (container.exitCode ?? 0);
    else if (condition === 'next-exit') exitCode = await nextExit(context, container, abort.signal);
    else {
      let lastKnown = container.exitCode;
      const onExit = (code: number) => (lastKnown = code);
      context.monitor.on(`exit:${container.id}`, onExit);
      try {
        for (;;) {
          if (abort.signal.aborted) return;
          const removed = context.monitor.recentlyRemoved(container.id);
          if (removed) {
            exitCode = lastKnown ?? removed.exitCode;
            break;
          }
          try {
            const current = await context.engine.find(container.id);
            if (current.exitCode !== undefined) lastKnown = current.exitCode;
          } catch (error) {
            if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) throw error;
            exitCode = context.monitor.recentlyRemoved(container.id)?.exitCode ?? lastKnown ?? 0;
            break;
          }
          await sleep(100);
        }
      } finally {
        context.monitor.off(`exit:${container.id}`, onExit);
      }
    }
    output.end(`${JSON.stringify({ StatusCode: exitCode ?? 0, Error: null })}\n`);
  } catch (error) {
    output.end(`${JSON.stringify({ StatusCode: 255, Error: { Message: (error as Error).message } })}\n`);
  }
}

/** Copies the container's log files to the targets until it stops: from their start (a run that just began) or from their current end. */
async function followOutput(context: DaemonContext, id: string, targets: { stdout?: { write(data: Buffer): unknown }; stderr?: { write(data: Buffer): unknown } }, signal: AbortSignal, from: 'start' | 'end'): Promise<void> {
  const driver = await context.engine.driver();
  const paths = driver.logPaths(id);
  const sizeOf = async (path: string) => (from === 'end' ? ((await stat(path).catch(() => undefined))?.size ?? 0) : 0);
  const streams = [
    { path: paths.stdout, target: targets.stdout, offset: await sizeOf(paths.stdout) },
    { path: paths.stderr, target: targets.stderr, offset: await sizeOf(paths.stderr) },
  ];
  const copyNew = async () => {
    for (const stream of streams) {
      const handle = await open(stream.path, 'r').catch(() => undefined);
      if (!handle) continue;
      try {
        const buffer = Buffer.alloc(64 * 1024);
        for (;;) {
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, stream.offset);
          if (bytesRead === 0) break;
          stream.target?.write(Buffer.from(buffer.subarray(0, bytesRead)));
          stream.offset += bytesRead;
        }
      } finally {
        await handle.close();
      }
    }
  };
  while (!signal.aborted) {
    const running = await driver.info(id).isRunning().catch(() => false);
    await copyNew();
    if (!running) return;
    await sleep(50);
  }
}

async function attach(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const tty = container.record.command.process.tty;
  const wantStream = queryBoolean(call.query, 'stream');
  const wantLogs = queryBoolean(call.query, 'logs');
  const wantStdin = queryBoolean(call.query, 'stdin');
  const wantStdout = queryBoolean(call.query, 'stdout');
  const wantStderr = queryBoolean(call.query, 'stderr');
  const hijacked = call.hijack(tty ? rawStream : multiplexedStream);
  const release = context.monitor.reading(container.id);
  const abort = new AbortController();
  void hijacked.closed.then(() => abort.abort());
  try {
    if (tty && wantStream) {
      await context.consoles.attach(container, hijacked, { stdin: wantStdin && container.record.interactive, running: isActive(container) });
      return;
    }
    const targets = {
      ...(wantStdout ? { stdout: streamWriter(hijacked.output, StdStream.stdout, tty) } : {}),
      ...(wantStderr ? { stderr: streamWriter(hijacked.output, StdStream.stderr, tty) } : {}),
    };
    // Non-tty containers run detached (output to files, stdin /dev/null): stdin cannot reach them.
    hijacked.input.resume();
    if (wantLogs) await copyLogs(context.engine, container.id, { stdout: targets.stdout ?? { write: () => true }, stderr: targets.stderr ?? { write: () => true } }, { tail: undefined, follow: false });
    if (!wantStream) return;
    let from: 'start' | 'end' = 'end';
    if (!isActive(container)) {
      const started = await context.monitor.nextStart(container.id, container.startedAt, abort.signal);
      if (!started) return;
      from = 'start';
    }
    await followOutput(context, container.id, targets, abort.signal, from);
  } finally {
    release();
    hijacked.end();
  }
}

/** Prefixes each line with an RFC 3339 time. TODO(json-file logs): the time of the write, once logs keep it; now the time of the read. */
function timestamped(target: { write(data: Buffer): unknown }): { write(data: Buffer): unknown } {
  let atLineStart = true;
  return {
    write(data: Buffer) {
      const text = data.toString('latin1');
      let out = '';
      for (const char of text) {
        if (atLineStart) out += `${new Date().toISOString().replace('Z', '000000Z')} `;
        out += char;
        atLineStart = char === '\n';
      }
      return target.write(Buffer.from(out, 'latin1'));
    },
  };
}

async function logs(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const wantStdout = queryBoolean(call.query, 'stdout');
  const wantStderr = queryBoolean(call.query, 'stderr');
  if (!wantStdout && !wantStderr) throw new DaemonError('BAD_PARAMETER', 'you must choose at least one stream');
  const tailText = call.query.get('tail') ?? 'all';
  let tail: number | undefined;
  if (tailText !== 'all' && tailText !== '') {
    if (!/^-?\d+$/.test(tailText)) throw new DaemonError('BAD_PARAMETER', `invalid value ${JSON.stringify(tailText)} for tail: expected a number or all`);
    tail = Number(tailText) < 0 ? undefined : Number(tailText);
  }
  const tty = container.record.command.process.tty;
  const output = call.stream(tty ? rawStream : multiplexedStream);
  const release = context.monitor.reading(container.id);
  const wrap = (target: { write(data: Buffer): unknown }) => (queryBoolean(call.query, 'timestamps') ? timestamped(target) : target);
  const none = { write: () => true };
  try {
    await copyLogs(
      context.engine,
      container.id,
      { stdout: wantStdout ? wrap(streamWriter(output, StdStream.stdout, tty)) : none, stderr: wantStderr ? wrap(streamWriter(output, StdStream.stderr, tty)) : none },
      { tail, follow: queryBoolean(call.query, 'follow') },
    );
  } finally {
    release();
    output.end();
  }
}

function zeroStats(container: Container) {
  const cpu = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return { id: container.id, name: `/${container.name}`, os_type: 'linux', read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z', num_procs: 0, cpu_stats: cpu, precpu_stats: cpu, memory_stats: {}, pids_stats: {}, blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null } };
}

async function stats(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const streaming = queryBoolean(call.query, 'stream', true);
  const oneShot = queryBoolean(call.query, 'one-shot');
  const driver = await context.engine.driver();
  const options = { id: container.id, name: `/${container.name}` };
  const sample = async (): Promise<Sample | undefined> => {
    try {
      return toSample(await driver.stats(container.id));
    } catch (error) {
      if (error instanceof DriverError && (error.code === 'CONTAINER_NOT_RUNNING' || error.code === 'CONTAINER_NOT_FOUND')) return undefined;
      throw error;
    }
  };
  if (!streaming) {
    let current = isActive(container) ? await sample() : undefined;
    let previous: Sample | undefined;
    if (current && !oneShot) {
      // As dockerd: two readings a second apart, so precpu_stats gives a CPU percentage.
      await sleep(1000);
      previous = current;
      current = (await sample()) ?? previous;
    }
    call.send(200, current ? toDockerStats(previous, current, options) : zeroStats(container));
    return;
  }
  const abort = new AbortController();
  call.onClose(() => abort.abort());
  const output = call.stream('application/json');
  let previous: Sample | undefined;
  try {
    while (!abort.signal.aborted) {
      const current = await sample();
      if (!current) {
        output.write(`${JSON.stringify(zeroStats(container))}\n`);
        break;
      }
      output.write(`${JSON.stringify(toDockerStats(previous, current, options))}\n`);
      previous = current;
      await sleep(1000, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  } finally {
    output.end();
  }
}

async function resize(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const rows = queryInteger(call.query, 'h') ?? 0;
  const cols = queryInteger(call.query, 'w') ?? 0;
  if (rows <= 0 || cols <= 0) throw new DaemonError('BAD_PARAMETER', `invalid terminal size ${cols}x${rows}`);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  if (container.record.command.process.tty) await context.consoles.resize(container.id, cols, rows);
  call.send(200);
}


export function containerRoutes(context: DaemonContext): Route[] {
  const route = (method: string, pattern: string, handler: (context: DaemonContext, call: Call) => Promise<void>): Route => ({ method, pattern, handler: (call) => handler(context, call) });
  return [
    route('GET', '/containers/json', list),
    route('POST', '/containers/create', create),
    route('POST', '/containers/prune', prune),
    route('GET', '/containers/{id}/json', inspect),
    route('POST', '/containers/{id}/start', start),
    route('POST', '/containers/{id}/stop', stop),
    route('POST', '/containers/{id}/restart', restart),
    route('POST', '/containers/{id}/kill', kill),
    route('POST', '/containers/{id}/pause', (c, call) => pause(c, call, true)),
    route('POST', '/containers/{id}/unpause', (c, call) => pause(c, call, false)),
    route('POST', '/containers/{id}/wait', wait),
    route('GET', '/containers/{id}/top', top),
    route('GET', '/containers/{id}/logs', logs),
    route('GET', '/containers/{id}/stats', stats),
    route('POST', '/containers/{id}/attach', attach),
    route('POST', '/containers/{id}/resize', resize),
    route('DELETE', '/containers/{id}', remove),
  ];
}

export type { Hijacked };
