import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toDockerStats, type Sample } from '@execdriver/cgroups';
import { DriverError, type StartedContainer } from '@execdriver/driver';
import { containerEvent, containerStatus, copyLogs, dockerNetworkSettings, endRestartPolicy, EngineError, hasRestartPolicy, formatTimestamp, healthFilterValue, inspectContainer, isActive, nowNanoseconds, parseTimestamp, processTable, readLogs, toSample, type Container } from '@execdriver/engine';
import { NetworkError, type Attachment } from '@execdriver/network';
import { routeMaker, type DaemonContext } from './context.js';
import { toCreateRequest } from './create-request.js';
import { describeFailure, startFailure } from './start-failure.js';
import { DaemonError } from './errors.js';
import { parseFilters, queryBoolean, queryInteger, type Call, type Hijacked, type Route } from './http.js';
import { StdStream, streamWriter } from './streams.js';

const rawStream = 'application/vnd.docker.raw-stream';
const multiplexedStream = 'application/vnd.docker.multiplexed-stream';

/** `GET /containers/{id}/json`: the engine's inspect document (the CLI's too), plus the fields Docker clients read. */
export async function inspectDocument(context: DaemonContext, container: Container, options: { size?: boolean } = {}) {
  const document = await inspectContainer(context.engine, container, options);
  return {
    ...document,
    HostConfig: { ...document.HostConfig, ConsoleSize: [0, 0] },
  };
}

/** dockerd's Command of a list entry: the path, then the arguments, those with a space in single quotes. */
export function listCommand(args: readonly string[]): string {
  const [path = '', ...rest] = args;
  return rest.length === 0 ? path : `${path} ${rest.map((arg) => (arg.includes(' ') ? `'${arg}'` : arg)).join(' ')}`;
}

/** Docker's `Ports` of a list entry: published ports (`IP`, `PublicPort`), then exposed ones that are not. */
function listPorts(container: Container, attachment: Attachment | undefined) {
  const config = container.record.network;
  if (!config || !attachment) return [];
  const bound = attachment.ports.map((port) => ({ IP: port.hostIp === '' ? '0.0.0.0' : port.hostIp, PrivatePort: port.containerPort, PublicPort: port.hostPort, Type: port.protocol }));
  const exposed = config.exposed
    .filter((spec) => !attachment.ports.some((port) => `${port.containerPort}/${port.protocol}` === spec))
    .map((spec) => ({ PrivatePort: Number(spec.split('/')[0]), Type: spec.split('/')[1] ?? 'tcp' }));
  return [...bound, ...exposed];
}

/** `GET /containers/json`'s entry. */
function summaryOf(container: Container, now: number, attachment: Attachment | undefined, networkIds: ReadonlyMap<string, string>) {
  const { record } = container;
  const network = record.command.namespaces.network;
  const networkMode = record.network ? (record.network.networks[0]?.network ?? 'bridge') : network?.mode === 'container' ? `container:${network.container}` : (network?.mode ?? 'none');
  return {
    Id: container.id,
    Names: [`/${container.name}`],
    Image: record.image,
    ImageID: record.imageId ? `sha256:${record.imageId}` : '',
    Command: listCommand(record.command.process.args),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: listPorts(container, isActive(container) ? attachment : undefined),
    Labels: record.labels,
    State: container.state,
    Status: containerStatus(container, now),
    HostConfig: { NetworkMode: networkMode },
    NetworkSettings: { Networks: dockerNetworkSettings(record, isActive(container) ? attachment : undefined, networkIds).Networks },
    Mounts: [],
  };
}

function containerFilter(filters: Map<string, string[]>): (container: Container) => boolean {
  const known = ['status', 'id', 'name', 'label', 'ancestor', 'exited', 'health'];
  for (const key of filters.keys()) if (!known.includes(key)) throw new DaemonError('BAD_PARAMETER', `invalid filter '${key}' (available: ${known.join(', ')})`);
  for (const value of filters.get('health') ?? []) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(value)) throw new DaemonError('BAD_PARAMETER', `Unrecognised filter value for health: ${value}`);
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
      any('health', (value) => value === healthFilterValue(container)) &&
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
  const networkIds = new Map((await context.engine.networks.list()).map((network) => [network.name, network.id]));
  const attachments = await Promise.all(shown.map((container) => (container.record.network && isActive(container) ? context.engine.networks.attachments.get(container.id).catch(() => undefined) : undefined)));
  call.send(200, shown.map((container, index) => summaryOf(container, now, attachments[index], networkIds)));
}

async function create(context: DaemonContext, call: Call): Promise<void> {
  const platform = call.query.get('platform');
  if (platform && !/^linux(\/|$)/.test(platform)) throw new DaemonError('BAD_PARAMETER', `unsupported platform ${JSON.stringify(platform)}: execdriverd runs linux containers`);
  const { request, warnings, bindSources } = toCreateRequest(await call.json(), call.query.get('name') ?? undefined);
  let record;
  try {
    record = await context.engine.create(request);
  } catch (error) {
    // A 404 would make the docker CLI take the image for missing (and pull it): dockerd's words, as a bad parameter.
    if (error instanceof NetworkError && error.code === 'NO_SUCH_NETWORK') throw new DaemonError('BAD_PARAMETER', error.message, { cause: error });
    throw error;
  }
  try {
    // As Docker does for `-v /host/path:/dst`: a host directory that is not there is created.
    for (const source of bindSources) await mkdir(source, { recursive: true, mode: 0o755 });
  } catch (error) {
    await context.engine.remove(record.id, { force: true }).catch(() => undefined);
    throw new DaemonError('BAD_PARAMETER', `cannot create the bind source: ${(error as Error).message}`, { cause: error });
  }
  context.log.info('container created', { id: record.id, name: record.name, image: record.image });
  call.send(201, { Id: record.id, Warnings: warnings });
}

/**
 * Starts a container with its output on FIFOs its shim holds (and a tty's terminal held by
 * script(1) there), copied to its json-file log by this daemon: no process of ours per container.
 * AutoRemove ones go once they exited.
 */
export async function startContainer(context: DaemonContext, container: Container): Promise<void> {
  let started: StartedContainer;
  try {
    // OpenStdin without a terminal: this daemon holds the process's stdin (a terminal's keyboard is its FIFO).
    const openStdin = container.record.interactive && !container.record.command.process.tty;
    started = await context.engine.start(container.record, { fifos: true, ...(openStdin ? { openStdin: true } : {}) });
  } catch (error) {
    const { message, exitCode } = describeFailure(error);
    // As dockerd: a container whose start failed stays (Created), an AutoRemove one goes and its waiters hear it.
    if (container.record.autoRemove) {
      await context.engine.remove(container.id, { force: true }).catch(() => undefined);
      context.monitor.removed(container, exitCode);
    }
    throw startFailure(message, exitCode);
  }
  const { input } = started;
  if (input) context.stdinWriters.hold(container.id, input);
  void started.exited.catch(() => undefined).finally(() => {
    if (input) context.stdinWriters.release(container.id, input);
  });
  if (started.output) context.logCopiers.copy(container.record, started.output, started.startedAt);
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
  const found = await context.engine.find(call.params.id!);
  const seconds = queryInteger(call.query, 't') ?? queryInteger(call.query, 'timeout');
  const signal = call.query.get('signal') || undefined;
  // Restarts held first: a restart under way (the container `created` for a moment) finishes, and
  // the state looked at next is the one the stop acts on.
  const release = await context.monitor.holdRestarts(found.id);
  let container: Container;
  try {
    container = await context.engine.find(found.id);
    if (!isActive(container)) {
      // Between two runs of its policy: the user's stop ends the policy (dockerd's manual stop).
      if (hasRestartPolicy(container.record)) await endRestartPolicy(context.engine, container.id);
      call.send(304);
      return;
    }
    await context.engine.stop(container.id, { ...(seconds !== undefined && seconds >= 0 ? { timeoutMs: seconds * 1000 } : {}), ...(signal ? { signal } : {}) });
  } finally {
    release();
  }
  call.send(204);
}

async function restart(context: DaemonContext, call: Call): Promise<void> {
  let container = await context.engine.find(call.params.id!);
  const release = await context.monitor.holdRestarts(container.id);
  try {
    if (isActive(container)) {
      const seconds = queryInteger(call.query, 't');
      await context.engine.stop(container.id, seconds !== undefined && seconds >= 0 ? { timeoutMs: seconds * 1000 } : {});
      container = await context.engine.find(container.id);
    }
  } finally {
    release();
  }
  await startContainer(context, container);
  context.engine.events.append(containerEvent(container.record, 'restart'));
  call.send(204);
}

async function kill(context: DaemonContext, call: Call): Promise<void> {
  const found = await context.engine.find(call.params.id!);
  const signal = call.query.get('signal') || 'KILL';
  const release = await context.monitor.holdRestarts(found.id);
  let container: Container;
  try {
    container = await context.engine.find(found.id);
    if (!isActive(container)) throw new DaemonError('CONFLICT', `Cannot kill container: ${call.params.id}: Container ${container.id} is not running`);
    await context.engine.kill(container.id, signal);
  } finally {
    release();
  }
  call.send(204);
}

async function pause(context: DaemonContext, call: Call, paused: boolean): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  if (paused && container.state === 'paused') throw new DaemonError('CONFLICT', `Container ${container.id} is already paused`);
  if (!paused && container.state !== 'paused') throw new DaemonError('CONFLICT', `Container ${container.id} is not paused`);
  const driver = await context.engine.driver();
  await (paused ? driver.pause(container.id) : driver.unpause(container.id));
  // Docker's health check stops at a pause, saying unhealthy until the first probe after the unpause.
  if (paused) context.engine.health.markPaused(container.id);
  call.send(204);
}

async function remove(context: DaemonContext, call: Call): Promise<void> {
  if (queryBoolean(call.query, 'link')) throw new DaemonError('UNSUPPORTED', 'links are not supported by execdriverd');
  const force = queryBoolean(call.query, 'force');
  const container = await context.engine.find(call.params.id!);
  if (isActive(container) && !force) {
    throw new DaemonError('CONFLICT', `You cannot remove a ${container.state} container ${container.id}. Stop the container before attempting removal or force remove`);
  }
  const release = await context.monitor.holdRestarts(container.id);
  try {
    // `v=1` (`docker rm -v`): the container's anonymous volumes go with it.
    await context.engine.remove(container.id, { force, volumes: queryBoolean(call.query, 'v') });
  } catch (error) {
    // Removed meanwhile by someone else (the console holder of an AutoRemove tty container, the CLI): done.
    const gone = await context.engine.find(container.id).then(
      () => false,
      (lookup: unknown) => lookup instanceof EngineError && lookup.code === 'NO_SUCH_CONTAINER',
    );
    if (!gone) throw error;
  } finally {
    release();
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
      // The exit this daemon heard wins over a polled one (a poll under way at the exit can bring an older state).
      let heard: number | undefined;
      let wake: () => void = () => undefined;
      const onExit = (code: number) => {
        heard = code;
        wake();
      };
      const onRemoved = () => wake();
      context.monitor.on(`exit:${container.id}`, onExit);
      context.monitor.on(`removed:${container.id}`, onRemoved);
      try {
        for (;;) {
          if (abort.signal.aborted) return;
          const removed = context.monitor.recentlyRemoved(container.id);
          if (removed) {
            exitCode = heard ?? lastKnown ?? removed.exitCode;
            break;
          }
          try {
            const current = await context.engine.find(container.id);
            if (current.exitCode !== undefined) lastKnown = current.exitCode;
          } catch (error) {
            if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) throw error;
            exitCode = heard ?? context.monitor.recentlyRemoved(container.id)?.exitCode ?? lastKnown ?? 0;
            break;
          }
          // Woken by this daemon's exit and removal; polled for the CLI's.
          await new Promise<void>((resolve) => {
            wake = resolve;
            const timer = setTimeout(resolve, 100);
            timer.unref();
          });
        }
      } finally {
        context.monitor.off(`exit:${container.id}`, onExit);
        context.monitor.off(`removed:${container.id}`, onRemoved);
      }
    }
    // As dockerd: the exit is told once the log has the container's last lines.
    await context.logCopiers.settled(container.id);
    output.end(`${JSON.stringify({ StatusCode: exitCode ?? 0, Error: null })}\n`);
  } catch (error) {
    output.end(`${JSON.stringify({ StatusCode: 255, Error: { Message: (error as Error).message } })}\n`);
  }
}

/**
 * Copies the container's json-file log to the targets until it stops (the engine's `readLogs`
 * with follow): from its start (a run that just began) or from now.
 */
async function followOutput(context: DaemonContext, container: Container, targets: { stdout?: { write(data: Buffer): unknown }; stderr?: { write(data: Buffer): unknown } }, signal: AbortSignal, from: 'start' | 'end'): Promise<void> {
  // From this run's start (never lines of the run before it: `start -a` of an exited container), or from now.
  let startMs = container.startedAt ? Date.parse(container.startedAt) - 1000 : Date.now();
  const previous = container.record.lastExit;
  if (previous?.finishedAt && container.startedAt && Date.parse(previous.startedAt) < Date.parse(container.startedAt)) startMs = Math.max(startMs, Date.parse(previous.finishedAt) + 1);
  const since = from === 'start' && container.startedAt ? BigInt(startMs) * 1_000_000n : nowNanoseconds();
  try {
    for await (const entry of readLogs(context.engine, container.id, { follow: true, since, signal, pollMs: 50, settled: () => context.logCopiers.settled(container.id, container.startedAt) })) targets[entry.stream]?.write(entry.log);
  } catch (error) {
    // Removed meanwhile (AutoRemove): what was read is all there is.
    if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) throw error;
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
  let stopFeeding: () => void = () => undefined;
  try {
    if (tty && wantStream) {
      await context.consoles.attach(container, hijacked, { stdin: wantStdin && container.record.interactive, running: isActive(container) });
      return;
    }
    const targets = {
      ...(wantStdout ? { stdout: streamWriter(hijacked.output, StdStream.stdout, tty) } : {}),
      ...(wantStderr ? { stderr: streamWriter(hijacked.output, StdStream.stderr, tty) } : {}),
    };
    // Stdin of a -i container goes to the writer this daemon holds (the first client's end closes it with StdinOnce).
    if (wantStdin && container.record.interactive && !tty) stopFeeding = context.stdinWriters.feed(container.id, hijacked.input, { once: container.record.stdinOnce ?? false });
    else hijacked.input.resume();
    if (wantLogs) await copyLogs(context.engine, container.id, { stdout: targets.stdout ?? { write: () => true }, stderr: targets.stderr ?? { write: () => true } }, { tail: undefined, follow: false });
    if (!wantStream) return;
    let followed = container;
    let from: 'start' | 'end' = 'end';
    if (!isActive(container)) {
      const started = await context.monitor.nextStart(container.id, container.startedAt, abort.signal);
      if (!started) return;
      followed = started;
      from = 'start';
    }
    await followOutput(context, followed, targets, abort.signal, from);
  } finally {
    stopFeeding();
    release();
    hijacked.end();
  }
}

async function logs(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  // dockerd's answer for a container whose log driver keeps nothing (`--log-driver none`).
  if (container.record.logConfig?.Type === 'none') throw new DaemonError('UNSUPPORTED', 'configured logging driver does not support reading', { status: 501 });
  const wantStdout = queryBoolean(call.query, 'stdout');
  const wantStderr = queryBoolean(call.query, 'stderr');
  if (!wantStdout && !wantStderr) throw new DaemonError('BAD_PARAMETER', 'you must choose at least one stream');
  const tailText = call.query.get('tail') ?? 'all';
  let tail: number | undefined;
  if (tailText !== 'all' && tailText !== '') {
    if (!/^-?\d+$/.test(tailText)) throw new DaemonError('BAD_PARAMETER', `invalid value ${JSON.stringify(tailText)} for tail: expected a number or all`);
    tail = Number(tailText) < 0 ? undefined : Number(tailText);
  }
  const time = (name: string): bigint | undefined => {
    const text = call.query.get(name);
    if (!text || text === '0') return undefined;
    try {
      return parseTimestamp(text);
    } catch {
      throw new DaemonError('BAD_PARAMETER', `invalid value ${JSON.stringify(text)} for ${name}: expected a Unix timestamp`);
    }
  };
  const since = time('since');
  const until = time('until');
  const timestamps = queryBoolean(call.query, 'timestamps');
  const tty = container.record.command.process.tty;
  const output = call.stream(tty ? rawStream : multiplexedStream);
  const release = context.monitor.reading(container.id);
  const abort = new AbortController();
  output.on('close', () => abort.abort());
  const writers = { stdout: streamWriter(output, StdStream.stdout, tty), stderr: streamWriter(output, StdStream.stderr, tty) };
  try {
    const entries = readLogs(context.engine, container.id, {
      follow: queryBoolean(call.query, 'follow'),
      stdout: wantStdout,
      stderr: wantStderr,
      signal: abort.signal,
      settled: () => context.logCopiers.settled(container.id, container.startedAt),
      ...(tail !== undefined ? { tail } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    });
    for await (const entry of entries) writers[entry.stream].write(timestamps ? Buffer.concat([Buffer.from(`${formatTimestamp(entry.timeNano)} `), entry.log]) : entry.log);
  } catch (error) {
    if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) throw error;
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
  if (container.record.command.process.tty) await context.consoles.resize(container, cols, rows);
  call.send(200);
}


export function containerRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
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
