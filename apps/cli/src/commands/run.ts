import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, type Driver } from '@execdriver/driver';
import { toHostId } from '@execdriver/namespaces';
import type { Command } from '@execdriver/spec';
import { attachLocalTerminal } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import { connectConsole } from '../console-client.js';
import type { ConsoleRequest, HolderMessage } from '../console-holder.js';
import { consoleLogPath, consoleRequestPath, consoleSocketPath } from '../console-protocol.js';
import { removeContainer } from '../container-removal.js';
import { containerDataPaths, mountContainerRootfs } from '../container-rootfs.js';
import { labelKeys, type Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { formatHelp } from '../flags.js';
import { heldForwarder } from '../held-output.js';
import { spawnHelper } from '../helpers.js';
import { remappedImageRootfs, requireImage, type Image } from '../images.js';
import { resolveRunCommand } from '../resolve-command.js';
import { parseRunFlags, runFlagDefinitions, type ParsedRun, type RunCliOptions } from '../run-flags.js';
import { toStartFailure } from '../start-failure.js';

export const runUsage = 'run [OPTIONS] IMAGE [COMMAND] [ARG...]';
const runDescription = 'Run a command in a new container (with --rootfs DIR: run [OPTIONS] --rootfs DIR COMMAND [ARG...])';

function randomId(): string {
  return randomBytes(6).toString('hex');
}

async function containerExists(driver: Driver, id: string): Promise<boolean> {
  try {
    await driver.inspect(id);
    return true;
  } catch (error) {
    if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') return false;
    throw error;
  }
}

export interface PreparedRun {
  id: string;
  command: Command;
  labels: Record<string, string>;
  /** The CLI mounts an overlay root that must be removed with the container. */
  overlay: { imageRootfs: string; image: Image } | undefined;
}

/** Resolves flags, image and command without touching the container's state (used by `run` and `spec`). */
export async function prepareRun(context: Context, parsed: ParsedRun, options: { checkName: boolean }): Promise<PreparedRun> {
  const { cliOptions } = parsed;
  const id = cliOptions.name ?? randomId();
  if (options.checkName && (await containerExists(await context.driver(), id))) {
    throw new CliError('CONTAINER_EXISTS', `the container name ${JSON.stringify(id)} is already in use: remove it with "execdriver rm ${id}" or choose another --name`);
  }
  let rootfs: string;
  let defaultArgs: string[] | undefined;
  let overlay: PreparedRun['overlay'];
  if (cliOptions.rootfsDir !== undefined) {
    const info = await stat(cliOptions.rootfsDir).catch(() => undefined);
    if (!info?.isDirectory()) throw usageError(`invalid value ${JSON.stringify(cliOptions.rootfsDir)} for flag --rootfs: not a directory`);
    rootfs = cliOptions.rootfsDir;
  } else {
    const image = await requireImage(context.dataRoot, cliOptions.image!);
    defaultArgs = image.cmd;
    // Always an overlay of its own, --read-only too (runc then makes the root read-only): runc
    // creates mount points and the working directory in the root, and a privileged container can
    // remount it read-write, so the image's own directory must never be the container's root.
    rootfs = containerDataPaths(context.dataRoot, id).rootfs;
    overlay = { imageRootfs: image.rootfs, image };
  }
  for (const { source, flag } of cliOptions.bindSources) {
    if (flag !== '--mount') continue;
    if (!(await stat(source).then(() => true, () => false))) throw usageError(`invalid mount config for type "bind": bind source path does not exist: ${source}`);
  }
  const command = await resolveRunCommand(parsed, { id, rootfs, ...(defaultArgs ? { defaultArgs } : {}), hostEnv: context.env });
  const labels: Record<string, string> = {
    [labelKeys.image]: cliOptions.image ?? cliOptions.rootfsDir ?? '',
    [labelKeys.command]: JSON.stringify(command.process.args),
    [labelKeys.autoRemove]: String(cliOptions.autoRemove),
    [labelKeys.rootfsMount]: overlay ? 'overlay' : 'none',
    [labelKeys.interactive]: String(cliOptions.interactive),
  };
  if (cliOptions.name !== undefined) labels[labelKeys.name] = cliOptions.name;
  if (cliOptions.tty) labels[labelKeys.console] = 'holder';
  return { id, command, labels, overlay };
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
    const prepared = await prepareRun(context, parsed, { checkName: true });
    const { id } = prepared;
    await createVolumeSources(cliOptions.bindSources);
    if (cliOptions.tty) {
      const size = terminalSize();
      if (size) prepared.command.process.consoleSize = size;
    }
    if (prepared.overlay) {
      const remap = prepared.command.userNamespace;
      let lower = prepared.overlay.imageRootfs;
      let owner: { uid: number; gid: number } | undefined;
      if (remap) {
        lower = await remappedImageRootfs(prepared.overlay.image, remap);
        owner = { uid: toHostId(remap.uidMappings, 0), gid: toHostId(remap.gidMappings, 0) };
      }
      await mountContainerRootfs(context.dataRoot, id, lower, owner);
    }
    if (cliOptions.tty) return runWithConsole(context, prepared, parsed);
    const driver = await context.driver();
    if (cliOptions.detach) {
      try {
        await driver.start(prepared.command, { logs: true }, {}, { labels: prepared.labels });
      } catch (error) {
        await removeContainer(context, id, prepared).catch(() => undefined);
        throw toStartFailure(error);
      }
      if (cliOptions.autoRemove) spawnHelper(context, ['__reap', id]);
      context.stdout.write(`${id}\n`);
      return 0;
    }
    return runForeground(context, driver, prepared, parsed);
  },
};

async function runForeground(context: Context, driver: Driver, prepared: PreparedRun, parsed: ParsedRun): Promise<number> {
  const { id } = prepared;
  const stdout = heldForwarder(process.stdout);
  const stderr = heldForwarder(process.stderr);
  const proxied = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;
  const forward = (signal: NodeJS.Signals) => void driver.kill(id, signal).catch(() => undefined);
  if (parsed.cliOptions.sigProxy) for (const signal of proxied) process.on(signal, forward);
  let status;
  try {
    let started;
    try {
      started = await driver.start(
        prepared.command,
        { stdout: stdout.stream, stderr: stderr.stream, ...(parsed.cliOptions.interactive ? { stdin: process.stdin } : {}) },
        {},
        { labels: prepared.labels },
      );
    } catch (error) {
      stdout.release(false);
      stderr.release(false);
      await removeContainer(context, id, prepared).catch(() => undefined);
      throw toStartFailure(error);
    }
    stdout.release(true);
    stderr.release(true);
    status = await started.exited;
  } finally {
    for (const signal of proxied) process.off(signal, forward);
  }
  await Promise.race([Promise.all([finished(stdout.stream), finished(stderr.stream)]).catch(() => undefined), sleep(2000)]);
  if (parsed.cliOptions.autoRemove) await removeContainer(context, id, prepared);
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

async function runWithConsole(context: Context, prepared: PreparedRun, parsed: ParsedRun): Promise<number> {
  const { id } = prepared;
  const { cliOptions } = parsed;
  const request: ConsoleRequest = { command: prepared.command, labels: prepared.labels, autoRemove: cliOptions.autoRemove, waitForClient: !cliOptions.detach };
  await mkdir(`${context.stateRoot}/consoles`, { recursive: true, mode: 0o700 });
  await writeFile(consoleRequestPath(context.stateRoot, id), JSON.stringify(request), { mode: 0o600 });
  const logPath = consoleLogPath(context.stateRoot, id);
  const child = spawnHelper(context, ['__console', id], { logPath, ipc: true });
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
    const size = prepared.command.process.consoleSize;
    const connection = await connectConsole(consoleSocketPath(context.stateRoot, id), id, { cols: size?.width ?? 80, rows: size?.height ?? 24 });
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
      await removeContainer(context, id, prepared).catch(() => undefined);
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
