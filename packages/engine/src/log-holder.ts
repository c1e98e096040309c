import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import type { HolderMessage } from './console-holder.js';
import { JsonFileWriter } from './json-file.js';
import { HealthProber } from './health-prober.js';
import { defaultLogConfig, jsonFileLimits, jsonLogPath, logAttributes } from './log-config.js';
import type { ContainerRecord } from './record.js';

/**
 * The container's json-file log writer, as its config says (undefined for log driver none).
 * Whoever holds the container's output opens it: the CLI for a foreground run, the console
 * holder for a tty, the log holder for a detached container.
 */
export function openContainerLog(engine: Engine, record: Pick<ContainerRecord, 'id' | 'logConfig' | 'labels' | 'command'>): JsonFileWriter | undefined {
  const config = record.logConfig ?? defaultLogConfig();
  if (config.Type === 'none') return undefined;
  const attrs = logAttributes(config, record.labels, record.command.process.env ?? []);
  return new JsonFileWriter(jsonLogPath(engine.containerDir(record.id), record.id), jsonFileLimits(config), attrs);
}

function tell(message: HolderMessage): void {
  if (process.connected && process.send) process.send(message);
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

/**
 * The log holder (`execdriver __logs <id>`): a detached process that starts a non-tty container
 * with its stdout and stderr on pipes, writes them to the json-file log as they come (so their
 * order is kept), runs its health probes when asked (`health`), journals the exit (`die`), removes a
 * `--rm` container, and exits. Its parent
 * (`startDetached`) hears `started` or `failed` over the IPC channel.
 */
export async function runLogHolder(engine: Engine, id: string, options: { describeFailure: (error: unknown) => { message: string; exitCode: number }; health?: boolean }): Promise<number> {
  const record = (await engine.find(id)).record;
  const log = openContainerLog(engine, record);
  let started;
  try {
    started = await engine.start(record, { stdout: log ? log.stream('stdout') : discard(), stderr: log ? log.stream('stderr') : discard() });
  } catch (caught) {
    const { message, exitCode } = options.describeFailure(caught);
    await engine.remove(id, { force: true }).catch(() => undefined);
    tell({ type: 'failed', message, exitCode });
    return exitCode;
  }
  tell({ type: 'started', pid: started.pid });
  if (process.connected) process.disconnect();
  // The CLI's holders probe the container's health while it runs (the daemon probes in its own process).
  const prober = options.health ? new HealthProber(engine, id) : undefined;
  await started.exited.catch(() => undefined);
  await prober?.stop();
  // The network goes before this process does: a release cut short by its exit would leave rules the next one cannot find.
  await engine.networks.release(id).catch(() => undefined);
  // The pipes end with the container's last processes; the partial lines left are written at close.
  await new Promise((resolve) => setTimeout(resolve, 50));
  log?.close();
  // Readers that attached before the start (a daemon's `docker run --rm`) hold the log open; a moment
  // lets them read the last lines before the container goes.
  if (record.autoRemove) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await engine.remove(id, { force: true, volumes: true }).catch(() => undefined);
  }
  return 0;
}

/**
 * Starts a created non-tty container detached, its output going to its log through a log holder
 * (the engine's helper launcher runs `__logs <id>`). Resolves with its pid once it runs.
 * @throws EngineError START_FAILED with the holder's message and exit code
 */
export async function startWithLogHolder(engine: Engine, id: string, options: { holderLog?: string } = {}): Promise<{ pid: number }> {
  const child: ChildProcess = engine.helper()(['__logs', id], { ipc: true, ...(options.holderLog ? { logPath: options.holderLog } : {}) });
  try {
    const message = await new Promise<HolderMessage>((resolve, reject) => {
      child.once('message', (value: HolderMessage) => resolve(value));
      child.once('exit', (code) => reject(new EngineError('START_FAILED', `the log holder of container ${id} exited (${code}) before the container started`)));
    });
    if (message.type === 'failed') throw new EngineError('START_FAILED', message.message, { exitCode: message.exitCode });
    if (message.type !== 'started') throw new EngineError('START_FAILED', `the log holder of container ${id} said ${message.type}`);
    return { pid: message.pid };
  } finally {
    if (child.connected) child.disconnect();
    child.unref();
  }
}
