import type { ContainerSummary } from '@execdriver/driver';
import type { ContainerRecord } from './record.js';
import type { HealthState } from './health-state.js';

/** Docker's container states. `dead`: its process state cannot be known (the driver's record is broken). */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead';

/** A container as both apps show it: the engine's record and its live state from the driver. */
export interface Container {
  id: string;
  name: string;
  record: ContainerRecord;
  state: ContainerState;
  pid: number | undefined;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  /** undefined while it never ran; 255 when it ended in a way nobody recorded (as Docker). */
  exitCode: number | undefined;
  oomKilled: boolean;
  /** The driver's view of the current (or last) process, while the driver keeps it. */
  driver: ContainerSummary | undefined;
  /** Its health file (a container with a health check that was started): what its prober last wrote. */
  health?: HealthState;
}

/** Whether the container's process is alive (running or paused). */
export function isActive(container: Pick<Container, 'state'>): boolean {
  return container.state === 'running' || container.state === 'paused' || container.state === 'restarting';
}

/**
 * Joins a record with the driver's summary of its process (undefined: the driver has none;
 * `broken`: the driver's own record of it cannot be read, so its process state is unknown: dead).
 */
export function toContainer(record: ContainerRecord, driverState: ContainerSummary | 'broken' | undefined): Container {
  const container = toContainerOnce(record, driverState);
  // Between two runs under a restart policy: Docker's `restarting` (its monitor is waiting to start it again).
  return record.restarting && container.state === 'exited' ? { ...container, state: 'restarting' } : container;
}

function toContainerOnce(record: ContainerRecord, driverState: ContainerSummary | 'broken' | undefined): Container {
  if (driverState === 'broken') {
    return { id: record.id, name: record.name, record, driver: undefined, state: 'dead', pid: undefined, startedAt: record.lastExit?.startedAt, finishedAt: undefined, exitCode: 255, oomKilled: false };
  }
  const summary = driverState;
  const base = { id: record.id, name: record.name, record, driver: summary };
  if (summary === undefined) {
    const last = record.lastExit;
    if (!last) return { ...base, state: 'created', pid: undefined, startedAt: undefined, finishedAt: undefined, exitCode: undefined, oomKilled: false };
    return { ...base, state: 'exited', pid: undefined, startedAt: last.startedAt, finishedAt: last.finishedAt, exitCode: last.exitCode ?? 255, oomKilled: last.oomKilled };
  }
  const started = { startedAt: summary.startedAt, finishedAt: summary.finishedAt, oomKilled: summary.oomKilled ?? false };
  switch (summary.status) {
    case 'running':
    case 'paused':
      return { ...base, ...started, state: summary.status, pid: summary.pid, exitCode: undefined };
    case 'stopped':
      if (!summary.startedAt && summary.exitCode === undefined) return { ...base, ...started, state: 'created', pid: undefined, exitCode: undefined };
      return { ...base, ...started, state: 'exited', pid: undefined, exitCode: summary.exitCode ?? 255 };
    case 'creating':
    case 'created':
      return { ...base, ...started, state: 'created', pid: undefined, exitCode: undefined };
    default:
      return { ...base, ...started, state: 'dead', pid: undefined, exitCode: summary.exitCode ?? 255 };
  }
}
