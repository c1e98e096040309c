import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCgroup, watchOom, type OomEvent } from '@execdriver/cgroups';
import { resolveUser, serializeRuntimeSpec } from '@execdriver/oci';
import { parseProcessConfig, type Command, type ProcessConfig, type ProcessConfigInput } from '@execdriver/spec';
import type { DriverContext } from './driver-context.js';
import type { ContainerIo, Hooks } from './driver-types.js';
import { DriverError } from './errors.js';
import { connectIo } from './init-process.js';
import { lastRuncLogMessage } from './runc.js';
import type { ContainerRecord } from './state-store.js';
import { toDriverError } from './to-driver-error.js';

/** Parses an exec request at the boundary: bad input is INVALID_COMMAND naming the value. */
export function toProcessConfig(id: string, input: ProcessConfigInput): ProcessConfig {
  try {
    return parseProcessConfig(input);
  } catch (error) {
    throw toDriverError(error, `exec in ${id}`);
  }
}

/**
 * The OCI process of an exec: the container's own process (env, cwd, capabilities...) with the
 * exec's args, user, env, working dir, terminal and privileges. As runc and Docker: the exec
 * user's HOME, and TERM=xterm for a terminal, unless the caller sets them.
 */
async function toOciProcess(context: DriverContext, id: string, record: ContainerRecord, input: ProcessConfigInput, processConfig: ProcessConfig) {
  const paths = context.store.paths(id);
  let config: { process: Record<string, unknown> & { env?: string[]; cwd?: string } };
  try {
    config = JSON.parse(await readFile(paths.config, 'utf8')) as typeof config;
  } catch (error) {
    throw error instanceof SyntaxError
      ? new DriverError('CONTAINER_BROKEN', `container ${id} is broken: its config ${paths.config} is not JSON`, { cause: error, path: paths.config })
      : toDriverError(error, `exec in ${id}`);
  }
  const command = record.command as Command;
  let user: Awaited<ReturnType<typeof resolveUser>>;
  try {
    user = await resolveUser({ ...command, process: processConfig, groupAdd: command.groupAdd }, { rootfs: record.rootfs });
  } catch (error) {
    throw toDriverError(error, `exec in ${id}`);
  }
  const env = new Map<string, string>();
  const setEnv = (entry: string) => env.set(entry.slice(0, entry.indexOf('=')), entry);
  for (const entry of config.process.env ?? []) setEnv(entry);
  if (input.user !== undefined) setEnv(`HOME=${user.home ?? '/'}`);
  if (processConfig.tty) setEnv('TERM=xterm');
  for (const entry of processConfig.env) setEnv(entry);
  // Privileged means every capability the runtime itself holds (its bounding set), as Docker.
  const all = context.host.availableCapabilities;
  return {
    ...config.process,
    args: processConfig.args,
    env: [...env.values()],
    cwd: input.workingDir === undefined ? (config.process.cwd ?? '/') : processConfig.workingDir,
    terminal: processConfig.tty,
    ...(processConfig.tty ? { consoleSize: { height: processConfig.consoleSize?.height ?? 24, width: processConfig.consoleSize?.width ?? 80 } } : {}),
    ...(input.user === undefined ? {} : { user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) } }),
    ...(processConfig.privileged ? { capabilities: { bounding: all, effective: all, permitted: all } } : {}),
  };
}

/**
 * Runs another process in a running container (`runc exec`) and resolves to its exit code. A
 * process runc could not start (no such program, a bad user) is RUNC_FAILED with runc's message.
 */
export async function execProcess(
  context: DriverContext,
  id: string,
  record: ContainerRecord,
  input: ProcessConfigInput,
  processConfig: ProcessConfig,
  io: ContainerIo,
  hooks: Pick<Hooks, 'start'>,
): Promise<number> {
  const paths = context.store.paths(id);
  const ociProcess = await toOciProcess(context, id, record, input, processConfig);
  const name = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const processFile = paths.processFile(name);
  const pidFile = join(paths.dir, `exec-${name}.pid`);
  const logFile = join(paths.dir, `exec-${name}.log`);
  try {
    await writeFile(processFile, serializeRuntimeSpec(ociProcess));
    const runcIo = processConfig.tty
      ? ({ kind: 'terminal', cols: processConfig.consoleSize?.width ?? 80, rows: processConfig.consoleSize?.height ?? 24 } as const)
      : ({ kind: 'pipes', stdin: io.stdin !== undefined, stdout: io.stdout !== undefined, stderr: io.stderr !== undefined } as const);
    const spawned = await context.runtimes.forRecord(record).exec(id, { processFile, tty: processConfig.tty, pidFile, log: logFile }, runcIo);
    connectIo(spawned, io);
    if (hooks.start) {
      void onPidFile(pidFile, spawned.exited)
        .then((pid) => (pid ? hooks.start?.(processConfig, pid, oomEvents(context, record.cgroupsPath)) : undefined))
        .catch(() => undefined);
    }
    const code = await spawned.exited;
    // A terminal's last output is in its stream at the exit, not yet in the caller's: it has, once the stream ended (bounded).
    const output = spawned.terminal?.output;
    if (output && !output.readableEnded) {
      const bound = new AbortController();
      await Promise.race([new Promise((resolve) => output.once('end', resolve)), sleep(500, undefined, { signal: bound.signal }).catch(() => undefined)]);
      bound.abort();
    }
    // runc writes the pid file once the process runs: without it, runc itself failed (a program
    // that is not there, a bad user, ...) and its exit code is not the process's.
    if (code !== 0 && !existsSync(pidFile)) {
      const runcMessage = lastRuncLogMessage(await readFile(logFile, 'utf8').catch(() => ''));
      if (runcMessage !== undefined) {
        throw new DriverError('RUNC_FAILED', `exec in ${id} failed: ${runcMessage}`, { runc: { args: spawned.args, exitCode: code, stderr: '', runcMessage } });
      }
    }
    return code;
  } catch (error) {
    throw toDriverError(error, `exec in ${id}`);
  } finally {
    await Promise.all([processFile, pidFile, logFile].map((file) => rm(file, { force: true })));
  }
}

/** OOM events of the container's cgroup, watched only while someone iterates. */
function oomEvents(context: DriverContext, cgroupsPath: string): AsyncIterable<OomEvent> {
  const cgroupRoot = context.cgroupRoot;
  return {
    [Symbol.asyncIterator]: () => watchOom(openCgroup(cgroupsPath, { cgroupRoot }))[Symbol.asyncIterator](),
  };
}

async function onPidFile(pidFile: string, done: Promise<unknown>): Promise<number | undefined> {
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const text = await readFile(pidFile, 'utf8').catch(() => '');
    if (text.trim() !== '') return Number(text.trim());
    await sleep(5);
  }
  return undefined;
}
