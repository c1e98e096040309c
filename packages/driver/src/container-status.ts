import { setTimeout as sleep } from 'node:timers/promises';
import { readFreezerState } from '@execdriver/cgroups';
import type { Command, ContainerState } from '@execdriver/spec';
import type { DriverContext } from './driver-context.js';
import type { ContainerStatus, ContainerSummary } from './driver-types.js';
import { DriverError } from './errors.js';
import { finalizeExit } from './exit-record.js';
import { processStartTime, shimAlive } from './process-identity.js';
import type { ContainerRecord } from './state-store.js';
import { classifyRuncFailure } from './to-driver-error.js';

/**
 * Container status: derived from our record, the exit-code file, /proc and the cgroup freezer
 * (no runc call on the fast path), and what each status allows:
 *
 * | status   | kill | pause | unpause | exec | terminate |
 * |----------|------|-------|---------|------|-----------|
 * | creating | no   | no    | no      | no   | yes       |
 * | created  | no   | no    | no      | no   | yes       |
 * | running  | yes  | yes   | no      | yes  | yes       |
 * | paused   | yes  | no    | yes     | no (CONTAINER_PAUSED) | yes |
 * | stopped  | no   | no    | no      | no   | nothing to do |
 */
export const allowedInStatus = {
  kill: ['running', 'paused'],
  pause: ['running'],
  unpause: ['paused'],
  exec: ['running'],
  /** getPids, stats: the container has processes. */
  processes: ['running', 'paused'],
  /** update: new cgroup limits. */
  update: ['running', 'paused'],
  /** resizeTerminal: a paused container's terminal can be sized (it redraws once it runs). */
  resize: ['running', 'paused'],
} as const satisfies Record<string, readonly ContainerStatus[]>;

export type StatusOperation = keyof typeof allowedInStatus;

/** `runc state`, or undefined when runc does not know the container. */
export async function readRuncState(context: DriverContext, id: string, record: ContainerRecord | undefined): Promise<ContainerState | undefined> {
  const runtime = context.runtimes.forRecord(record);
  if (!runtime.knows(id)) return undefined;
  try {
    return await runtime.state(id);
  } catch (error) {
    if (error instanceof DriverError && classifyRuncFailure(error) === 'not-found') return undefined;
    throw error;
  }
}

export async function readRecord(context: DriverContext, id: string): Promise<ContainerRecord> {
  const record = await context.store.read(id);
  if (!record) throw new DriverError('CONTAINER_NOT_FOUND', `container ${id} does not exist`);
  return record;
}

/**
 * The container's status. An exit that happened while no one watched is recorded first (under
 * the id's lock), so every reader sees one exit code: the record's.
 */
export async function readStatus(context: DriverContext, id: string): Promise<{ record: ContainerRecord; status: ContainerStatus }> {
  let record = await readRecord(context, id);
  if (record.exitCode !== undefined) return { record, status: 'stopped' };
  const exitCode = await context.store.readExitCode(id);
  if (exitCode !== undefined) {
    const watched = context.watched.get(id);
    if (watched) await watched.catch(() => undefined);
    else await context.lock.run(id, () => finalizeExit(context, id));
    record = await readRecord(context, id);
    return { record, status: 'stopped' };
  }
  const { procRoot, cgroupRoot, host } = context;
  if (record.pid !== undefined && record.pidStartTime !== undefined) {
    // Fast path, no runc call: the recorded process is alive (same pid, same start time).
    if (processStartTime(record.pid, procRoot) === record.pidStartTime) {
      const freezer = record.cgroupsPath.startsWith('/') ? readFreezerState(record.cgroupsPath, { cgroupRoot, mode: host.cgroupMode }) : undefined;
      return { record, status: freezer === 'frozen' || freezer === 'freezing' ? 'paused' : 'running' };
    }
    // Gone (or its pid reused): the container's init has ended, and runc, which knows it by the
    // same pid and start time, would say `stopped` (asking it cost a process start, ~25 ms, on
    // every exit someone looked at). The shim records the exit code as soon as `runc run` returns:
    // while it lives, the exit is waited for (bounded), so no reader takes this moment for an exit
    // of unknown status (a `die` journaled with 255).
    if (record.shimPid !== undefined && (await exitCodeWritten(context, id, record.shimPid, record.pidStartTime))) return readStatus(context, id);
    return { record, status: 'stopped' };
  }
  const state = await readRuncState(context, id, record);
  if (!state) return { record, status: record.startedAt ? 'stopped' : 'creating' };
  // Running before the starter recorded its pid (a start in progress): the pid is runc's, never 0.
  if (record.pid === undefined && state.pid !== undefined && state.pid > 0 && (state.status === 'running' || state.status === 'paused')) return { record: { ...record, pid: state.pid }, status: state.status };
  return { record, status: state.status };
}

/** How long a status read waits for a living shim to record the exit of a container whose process ended. */
const exitCodeWaitMs = 1000;

/** Whether the shim writes the exit code within exitCodeWaitMs (it is there, or appears while the shim lives). */
async function exitCodeWritten(context: DriverContext, id: string, shimPid: number, containerStartTime: string): Promise<boolean> {
  for (let waited = 0; ; waited += 5) {
    if ((await context.store.readExitCode(id)) !== undefined) return true;
    if (waited >= exitCodeWaitMs) return false;
    if (!shimAlive(shimPid, containerStartTime, context.procRoot)) return (await context.store.readExitCode(id)) !== undefined;
    await sleep(5);
  }
}

/** The record of a container whose status allows `operation`; the reason as a coded error otherwise. */
export async function requireStatus(context: DriverContext, id: string, operation: StatusOperation): Promise<ContainerRecord> {
  const { record, status } = await readStatus(context, id);
  if ((allowedInStatus[operation] as readonly ContainerStatus[]).includes(status)) return record;
  if (status === 'paused') throw new DriverError('CONTAINER_PAUSED', `container ${id} is paused: unpause it first`);
  if (operation === 'unpause') throw new DriverError('CONTAINER_NOT_RUNNING', `container ${id} is not paused (${status})`);
  throw new DriverError('CONTAINER_NOT_RUNNING', `container ${id} is not running (${status})`);
}

export function toSummary(record: ContainerRecord, status: ContainerStatus): ContainerSummary {
  return {
    id: record.id,
    status,
    pid: status === 'running' || status === 'paused' ? record.pid : undefined,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    exitCode: record.exitCode,
    oomKilled: record.oomKilled,
    bundle: record.bundle,
    rootfs: record.rootfs,
    cgroupsPath: record.cgroupsPath,
    logs: record.logs,
    fifos: record.fifos,
    tty: record.tty,
    command: record.command as Command,
    labels: record.labels,
    warnings: record.warnings,
    runtime: record.runtime ?? { name: 'runc', path: 'runc' },
  };
}
