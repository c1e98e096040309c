import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { connectConsole, consolePaths, containerEvent, EngineError, HealthProber, isActive, startDetached, type ContainerRecord, type Engine, type HolderMessage } from '@execdriver/engine';
import { attachLocalTerminal } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { flagBoolean } from '../flags.js';
import { heldForwarder } from '../held-output.js';
import { toStartFailure } from '../start-failure.js';
import { stopFlags, stopOptions } from '../stop-options.js';
import { forEachContainer } from './kill.js';

/** `start -a`: the container's output here, its exit code as ours (Docker). */
async function startAttached(context: Context, reference: string, interactive: boolean): Promise<number> {
  const engine = await context.engine();
  const container = await engine.find(reference);
  if (isActive(container)) throw new CliError('CONTAINER_RUNNING', `container ${reference} is already running: use execdriver attach ${reference}`);
  if (container.record.command.process.tty) return startAttachedTerminal(context, engine, container.record, interactive);
  const stdout = heldForwarder(process.stdout);
  const stderr = heldForwarder(process.stderr);
  let started;
  try {
    started = await engine.start(container.record, { stdout: stdout.stream, stderr: stderr.stream, ...(interactive ? { stdin: process.stdin } : {}) });
  } catch (error) {
    stdout.release(false);
    stderr.release(false);
    throw toStartFailure(error);
  }
  stdout.release(true);
  stderr.release(true);
  // An attached start probes its container's health itself while it waits (as a foreground run).
  const prober = new HealthProber(engine, container.id);
  const status = await started.exited;
  await prober.stop();
  await Promise.race([Promise.all([finished(stdout.stream), finished(stderr.stream)]).catch(() => undefined), sleep(2000)]);
  // Docker's AutoRemove (`create --rm`): the container goes once it exited, whoever started it.
  if (container.record.autoRemove) await engine.remove(container.id, { force: true, volumes: true }).catch(() => undefined);
  return status.exitCode;
}

/**
 * `start -a [-i]` of a tty container: as `run -it`, a console holder (which outlives this CLI and
 * removes an AutoRemove container) starts it once this CLI is connected to its terminal.
 */
async function startAttachedTerminal(context: Context, engine: Engine, record: ContainerRecord, interactive: boolean): Promise<number> {
  if (interactive && !process.stdin.isTTY) throw usageError('the input device is not a TTY: start -ai a tty container from a terminal');
  const paths = consolePaths(context.stateRoot, record.id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const child = engine.helper()(['__console', '--wait-for-client', '--keep-on-failure', record.id], { logPath: paths.log, ipc: true });
  try {
    const first = await new Promise<HolderMessage>((resolve, reject) => {
      child.on('message', (message: HolderMessage) => {
        if (message.type === 'listening' || message.type === 'failed') resolve(message);
      });
      child.once('exit', (code) => reject(new CliError('CONSOLE_FAILED', `the console holder exited (${code}) before the container started; see ${paths.log}`)));
    });
    if (first.type === 'failed') throw toStartFailure(new EngineError('START_FAILED', first.message, { exitCode: first.exitCode }));
  } finally {
    child.removeAllListeners('message');
    child.removeAllListeners('exit');
    if (child.connected) child.disconnect();
    child.unref();
  }
  const [cols, rows] = process.stdout.isTTY ? process.stdout.getWindowSize() : [80, 24];
  const connection = await connectConsole(paths.socket, record.id, { cols, rows });
  const result = await attachLocalTerminal(connection, { stdin: interactive ? process.stdin : new PassThrough() });
  if (result.reason === 'detached') {
    connection.close();
    return 0;
  }
  if (connection.failure) throw toStartFailure(new EngineError('START_FAILED', connection.failure.message, { exitCode: connection.failure.exitCode }));
  if (connection.lost) throw new CliError('CONSOLE_FAILED', `lost the console of container ${record.id}; see ${paths.log}`);
  return result.exitCode;
}

export const startCommandSpec: CommandSpec = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers (same config and writable layer)',
  flags: [
    { name: 'attach', short: 'a', kind: 'boolean', description: "Attach STDOUT/STDERR and forward signals; exit with the container's code" },
    { name: 'interactive', short: 'i', kind: 'boolean', description: "Attach container's STDIN" },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const attach = flagBoolean(parsed, 'attach');
    const interactive = flagBoolean(parsed, 'interactive');
    if ((attach || interactive) && parsed.positionals.length > 1) throw usageError('you cannot start and attach multiple containers at once');
    if (attach || interactive) return startAttached(context, parsed.positionals[0]!, interactive);
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      const container = await engine.find(id);
      if (isActive(container) && container.state !== 'restarting') return; // Docker: starting a running container does nothing
      try {
        await startDetached(engine, container.record);
      } catch (error) {
        throw toStartFailure(error);
      }
    });
  },
};

export const restartCommandSpec: CommandSpec = {
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers (stop, then start with the same config and writable layer)',
  flags: stopFlags,
  minArgs: 1,
  async run(context, parsed) {
    const options = stopOptions(parsed);
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      await engine.stop(id, options);
      const { record } = await engine.find(id);
      try {
        await startDetached(engine, record);
      } catch (error) {
        throw toStartFailure(error);
      }
      engine.events.append(containerEvent(record, 'restart'));
    });
  },
};
