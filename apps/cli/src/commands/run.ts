import type { ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectConsole, consolePaths, EngineError, HealthProber, openContainerLog, parseLogConfig, startWithLogHolder, type ContainerRecord, type CreateRequest, type Engine, type HolderMessage } from '@execdriver/engine';
import { attachLocalTerminal } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { formatHelp } from '../flags.js';
import { heldForwarder } from '../held-output.js';
import { spawnHelper } from '../helpers.js';
import { completeRunDraft, validateCommand } from '../resolve-command.js';
import { parseRunFlags, runFlagDefinitions, type ParsedRun, type RunCliOptions } from '../run-flags.js';
import { toStartFailure } from '../start-failure.js';
import { lifecycleRequest } from '../lifecycle-flags.js';
import { checkAttachFlags, checkCidfile, writeCidfile } from '../cidfile.js';

export const runUsage = 'run [OPTIONS] IMAGE [COMMAND] [ARG...]';
const runDescription = 'Run a command in a new container (with --rootfs DIR: run [OPTIONS] --rootfs DIR COMMAND [ARG...])';

/** Resolves flags, image and command without creating anything (used by `run` and `spec`). */
export async function planRun(context: Context, parsed: ParsedRun): Promise<CreateRequest> {
  const { cliOptions } = parsed;
  if (cliOptions.rootfsDir !== undefined) {
    const info = await stat(cliOptions.rootfsDir).catch(() => undefined);
    if (!info?.isDirectory()) throw usageError(`invalid value ${JSON.stringify(cliOptions.rootfsDir)} for flag --rootfs: not a directory`);
  }
  for (const { source, flag } of cliOptions.bindSources) {
    if (flag !== '--mount') continue;
    if (!(await stat(source).then(() => true, () => false))) throw usageError(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  }
  const command = await completeRunDraft(parsed, { hostEnv: context.env });
  let logConfig;
  try {
    logConfig = parseLogConfig(cliOptions.logDriver, cliOptions.logOpts);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  return {
    logConfig,
    ...(cliOptions.name !== undefined ? { name: cliOptions.name } : {}),
    ...(cliOptions.rootfsDir !== undefined ? { rootfs: cliOptions.rootfsDir } : { image: cliOptions.image! }),
    command,
    ...(cliOptions.entrypoint !== undefined ? { entrypoint: cliOptions.entrypoint === '' ? [] : [cliOptions.entrypoint] } : {}),
    ...(cliOptions.volumes && cliOptions.volumes.length > 0 ? { volumes: cliOptions.volumes } : {}),
    autoRemove: cliOptions.autoRemove,
    interactive: cliOptions.interactive,
    ...(await lifecycleRequest(cliOptions.lifecycle)),
    ...(cliOptions.network ? { network: cliOptions.network } : {}),
    ...(cliOptions.healthcheck ? { healthcheck: cliOptions.healthcheck } : {}),
    validate: (input) => validateCommand(input, cliOptions.flagTexts),
  };
}

/** As Docker does for `-v /host/path:/dst`: a host directory that is not there is created (0755). */
async function createVolumeSources(sources: RunCliOptions['bindSources']): Promise<void> {
  for (const { source, flag } of sources) {
    if (flag !== '--volume') continue;
    await mkdir(source, { recursive: true, mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      throw usageError(`invalid value ${JSON.stringify(source)} for flag --volume: cannot create the host directory: ${error.message}`);
    });
  }
}

function terminalSize(): { width: number; height: number } | undefined {
  if (!process.stdout.isTTY) return undefined;
  const [width, height] = process.stdout.getWindowSize();
  return width > 0 && height > 0 ? { width, height } : undefined;
}

export const runCommandSpec: CommandSpec = {
  name: 'run',
  usage: runUsage,
  description: runDescription,
  flags: runFlagDefinitions,
  rawArguments: true,
  async run(context, _parsed, argv) {
    const parsed = parseRunFlags(argv, { hostEnv: context.env });
    if (parsed.help) {
      context.stdout.write(formatHelp(`execdriver ${runUsage}`, runDescription, runFlagDefinitions));
      return 0;
    }
    const { cliOptions } = parsed;
    if (cliOptions.tty && cliOptions.interactive && !cliOptions.detach && !process.stdin.isTTY) {
      throw usageError('the input device is not a TTY: run -it from a terminal, or drop -t');
    }
    checkAttachFlags(cliOptions);
    await checkCidfile(cliOptions.lifecycle.cidfile);
    const request = await planRun(context, parsed);
    if (cliOptions.tty) {
      const size = terminalSize();
      if (size) request.command.process.consoleSize = size;
    }
    const engine = await context.engine();
    const record = await engine.create(request);
    try {
      await writeCidfile(cliOptions.lifecycle.cidfile, record.id);
      await createVolumeSources(cliOptions.bindSources);
    } catch (error) {
      await engine.remove(record.id, { force: true }).catch(() => undefined);
      throw error;
    }
    if (cliOptions.tty) return runWithConsole(context, engine, record, parsed);
    if (cliOptions.detach) {
      // A log holder starts it: its output goes to the json-file log; it journals the exit and removes a --rm container.
      const paths = consolePaths(context.stateRoot, record.id);
      await mkdir(paths.dir, { recursive: true, mode: 0o700 });
      try {
        await startWithLogHolder(engine, record.id, { holderLog: paths.log });
      } catch (error) {
        await engine.remove(record.id, { force: true }).catch(() => undefined);
        if (error instanceof EngineError && error.code === 'START_FAILED' && (error.exitCode === 126 || error.exitCode === 127)) {
          throw new CliError(error.exitCode === 127 ? 'COMMAND_NOT_FOUND' : 'CANNOT_INVOKE', error.message, { cause: error });
        }
        throw error;
      }
      context.stdout.write(`${record.id}\n`);
      return 0;
    }
    return runForeground(context, engine, record, parsed);
  },
};

async function runForeground(context: Context, engine: Engine, record: ContainerRecord, parsed: ParsedRun): Promise<number> {
  const { id } = record;
  const driver = await engine.driver();
  const stdout = heldForwarder(process.stdout);
  const stderr = heldForwarder(process.stderr);
  const proxied = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
  const forward = (signal: NodeJS.Signals) => void driver.kill(id, signal).catch(() => undefined);
  if (parsed.cliOptions.sigProxy) for (const signal of proxied) process.on(signal, forward);
  let status;
  let layerReleased: Promise<void> | undefined;
  let closeLog = () => undefined as void;
  try {
    let started;
    try {
      const attach = parsed.cliOptions.lifecycle.attach;
      const attached = (stream: 'stdin' | 'stdout' | 'stderr') => attach.length === 0 || attach.includes(stream);
      const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
      // The output goes to the terminal (the streams attached) and to the container's json-file log.
      const log = openContainerLog(engine, record);
      closeLog = () => log?.close();
      const out = attached('stdout') ? stdout.stream : sink();
      const err = attached('stderr') ? stderr.stream : sink();
      started = await engine.start(record, {
        stdout: log ? log.stream('stdout', out) : out,
        stderr: log ? log.stream('stderr', err) : err,
        ...(parsed.cliOptions.interactive && attached('stdin') ? { stdin: process.stdin } : {}),
      });
      if (!attached('stdout')) stdout.stream.end();
      if (!attached('stderr')) stderr.stream.end();
    } catch (error) {
      stdout.release(false);
      stderr.release(false);
      await engine.remove(id, { force: true }).catch(() => undefined);
      throw toStartFailure(error);
    }
    stdout.release(true);
    stderr.release(true);
    // A foreground run probes its container's health itself while it waits.
    const prober = new HealthProber(engine, id);
    status = await started.exited;
    // --rm: the writable layer goes with the container. Its unmount (a process start) runs while
    // the rest of the exit is done; the removal below finds it unmounted.
    if (parsed.cliOptions.autoRemove) layerReleased = engine.releaseLayer(id).catch(() => undefined);
    await prober.stop();
    // The network goes before this process exits (a release cut short leaves rules behind).
    await engine.networks.release(id).catch(() => undefined);
  } finally {
    for (const signal of proxied) process.off(signal, forward);
  }
  await Promise.race([Promise.all([finished(stdout.stream), finished(stderr.stream)]).catch(() => undefined), sleep(2000)]);
  closeLog();
  if (parsed.cliOptions.autoRemove) {
    await layerReleased;
    await engine.remove(id, { force: true, volumes: true });
  }
  return status.exitCode;
}

/** Waits for the holder's first word, or its death. */
function holderMessage(child: ChildProcess, want: HolderMessage['type'][], logPath: string): Promise<HolderMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: HolderMessage) => {
      if (!want.includes(message.type) && message.type !== 'failed') return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new CliError('CONSOLE_FAILED', `the console holder exited (${code}) before the container started; see ${logPath}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function runWithConsole(context: Context, engine: Engine, record: ContainerRecord, parsed: ParsedRun): Promise<number> {
  const { id } = record;
  const { cliOptions } = parsed;
  const paths = consolePaths(context.stateRoot, id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const logPath = paths.log;
  const child = engine.helper()(['__console', ...(cliOptions.detach ? [] : ['--wait-for-client']), id], { logPath, ipc: true });
  let connected = false;
  let release = () => {
    if (child.connected) child.disconnect();
    child.unref();
  };
  try {
    if (cliOptions.detach) {
      const message = await holderMessage(child, ['started'], logPath);
      if (message.type === 'failed') return failed(context, message);
      context.stdout.write(`${id}\n`);
      return 0;
    }
    const listening = await holderMessage(child, ['listening'], logPath);
    if (listening.type === 'failed') return failed(context, listening);
    const size = record.command.process.consoleSize;
    const connection = await connectConsole(paths.socket, id, { cols: size?.width ?? 80, rows: size?.height ?? 24 });
    connected = true;
    release();
    release = () => undefined;
    const result = await attachLocalTerminal(connection, {
      stdin: cliOptions.interactive ? process.stdin : new PassThrough(),
      ...(cliOptions.detachKeys !== undefined ? { detachKeys: cliOptions.detachKeys } : {}),
    });
    if (result.reason === 'detached') {
      connection.close();
      return 0;
    }
    if (connection.failure) return failed(context, { type: 'failed', ...connection.failure });
    if (connection.lost) throw new CliError('CONSOLE_FAILED', `lost the console of container ${id}; see ${logPath}`);
    return result.exitCode;
  } catch (error) {
    if (!connected && !cliOptions.detach) {
      if (child.exitCode === null) child.kill();
      await engine.remove(id, { force: true }).catch(() => undefined);
    }
    throw error;
  } finally {
    release();
  }
}

function failed(context: Context, message: Extract<HolderMessage, { type: 'failed' }>): number {
  context.stderr.write(`execdriver: ${message.message.replace(/\s*\n\s*/g, '; ')}\n`);
  return message.exitCode;
}
