import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError } from '@execdriver/driver';
import type { ExitStatus } from '@execdriver/spec';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { claimMonitorPidFile, liveMonitor, monitorPaths, releaseMonitorPidFile, stopMonitor } from './monitor-pid-file.js';
import type { ContainerRecord } from './record.js';
import { nextRestartDelay, shouldRestart } from './restart-policy.js';
import { startDetached } from './start-detached.js';
import { openContainerLog } from './log-holder.js';
import { Writable } from 'node:stream';
import { HealthProber } from './health-prober.js';

/** The arguments an app's helper launcher must route to `runMonitor(engine, id)`. */
export function monitorHelperArgs(id: string): string[] {
  return ['__monitor', id];
}

export function hasRestartPolicy(record: Pick<ContainerRecord, 'restartPolicy'>): boolean {
  return record.restartPolicy !== undefined && record.restartPolicy.name !== 'no';
}

/**
 * Starts the container's restart monitor (a detached helper of the app) unless one lives, or
 * the engine's app runs restart policies itself (`restartMonitors: false`).
 * @throws EngineError MONITOR_FAILED (no helper launcher), or the launcher's error
 */
export async function ensureMonitor(engine: Engine, record: ContainerRecord): Promise<void> {
  if (!hasRestartPolicy(record) || !engine.runsRestartMonitors) return;
  if ((await liveMonitor(engine.stateRoot, record.id)).pid !== undefined) return;
  let helper;
  try {
    helper = engine.helper();
  } catch (error) {
    throw new EngineError('MONITOR_FAILED', `container ${record.name} has restart policy ${record.restartPolicy!.name}, but this engine has no helper launcher to start its monitor (EngineOptions.helper)`, { cause: error });
  }
  helper(monitorHelperArgs(record.id), { logPath: monitorPaths(engine.stateRoot, record.id).log });
}

/** A start by the user (Docker's ResetRestartManager): no longer manually stopped, restart count back to 0. */
export async function resetRestartState(engine: Engine, record: ContainerRecord): Promise<void> {
  if (!record.manuallyStopped && record.restartCount === 0 && !record.restarting) return;
  const written = await engine.records.update(record.id, (fresh) => {
    fresh.manuallyStopped = false;
    fresh.restartCount = 0;
    fresh.restarting = false;
  });
  Object.assign(record, { manuallyStopped: written.manuallyStopped, restartCount: written.restartCount, restarting: written.restarting });
}

/**
 * A stop or kill by the user: the monitor ends first (so it never writes the record again nor
 * restarts the container), then the record says "manually stopped" (Docker's HasBeenManuallyStopped:
 * `unless-stopped` stays stopped for good, `always` waits for the next engine start).
 */
export async function endRestartPolicy(engine: Engine, id: string): Promise<void> {
  await stopMonitor(engine.stateRoot, id);
  await engine.records.update(id, (record) => {
    if (record.manuallyStopped && !record.restarting) return false;
    record.manuallyStopped = true;
    record.restarting = false;
    return true;
  });
}

export interface MonitorOptions {
  /** Each restart that failed to start, and why (the app logs it). */
  onError?: (error: unknown) => void;
  /** Probe the health of the non-tty runs it starts itself (the CLI's monitors; the daemon probes in its own process). */
  health?: boolean;
}

/** Why a monitor ended. */
export type MonitorEnd = 'removed' | 'stopped' | 'policy' | 'another-monitor';

/**
 * The body of a restart monitor (the CLI's hidden `__monitor <id>`, the daemon's own): waits for
 * the container's process to exit, decides with Docker's rules (`shouldRestart`), waits Docker's
 * backoff (100 ms doubling, reset after 10 s up) while the record says `restarting`, starts it
 * again with the same config and writable layer and counts the restart. Ends when the policy
 * says no, the container is removed, or the user stops it (who kills this process first).
 * One monitor per container (a pid file with its start time); it holds no state of its own:
 * every decision re-reads the record, so a SIGKILL at any point is safe.
 */
export async function runMonitor(engine: Engine, id: string, options: MonitorOptions = {}): Promise<MonitorEnd> {
  if (!(await claimMonitorPidFile(engine.stateRoot, id))) return 'another-monitor';
  const driver = await engine.driver();
  let delayMs = 0;
  let status: ExitStatus | undefined;
  let ended: MonitorEnd | undefined;
  try {
    for (;;) {
      let uptimeMs = 0;
      if (status === undefined) {
        try {
          status = await driver.wait(id);
          const summary = await driver.inspect(id);
          if (summary.startedAt) uptimeMs = Date.parse(summary.finishedAt ?? new Date().toISOString()) - Date.parse(summary.startedAt);
        } catch (error) {
          if (error instanceof DriverError && (error.code === 'CONTAINER_NOT_FOUND' || error.code === 'CONTAINER_BROKEN')) {
            ended = (await engine.records.exists(id)) ? 'stopped' : 'removed';
            return ended;
          }
          throw error;
        }
      }
      const record = await readRecord(engine, id);
      if (!record) return (ended = 'removed');
      if (!shouldRestart(record.restartPolicy, { exitCode: status.exitCode, restartCount: record.restartCount, manuallyStopped: record.manuallyStopped ?? false })) {
        return (ended = record.manuallyStopped ? 'stopped' : 'policy');
      }
      delayMs = nextRestartDelay(delayMs, uptimeMs);
      record.restarting = true;
      await engine.records.write(record);
      await sleep(delayMs);
      const fresh = await readRecord(engine, id);
      if (!fresh) return (ended = 'removed');
      if (fresh.manuallyStopped) return (ended = 'stopped');
      status = undefined;
      try {
        if (fresh.command.process.tty) await startDetached(engine, fresh, { monitor: false });
        else await startHoldingLog(engine, fresh, options.health ?? false);
      } catch (error) {
        if (error instanceof EngineError && error.code === 'CONTAINER_RUNNING') continue; // the user started it meanwhile
        // Docker counts a failed start as an exit (127 when the command is gone) and goes on with its policy.
        options.onError?.(error);
        status = { exitCode: 127, oomKilled: false };
      }
      const counted = await readRecord(engine, id);
      if (!counted) return (ended = 'removed');
      counted.restartCount += 1;
      counted.restarting = false;
      await engine.records.write(counted);
    }
  } finally {
    if (ended !== undefined && ended !== 'removed') {
      const record = await readRecord(engine, id).catch(() => undefined);
      if (record?.restarting) {
        record.restarting = false;
        await engine.records.write(record).catch(() => undefined);
      }
    }
    await releaseMonitorPidFile(engine.stateRoot, id);
  }
}

/**
 * Starts a non-tty container from the monitor itself, its output going to the json-file log
 * through this process (no log holder of its own: one process acts on the container).
 */
async function startHoldingLog(engine: Engine, record: ContainerRecord, health: boolean): Promise<void> {
  const log = openContainerLog(engine, record);
  const discard = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  try {
    const started = await engine.start(record, { stdout: log ? log.stream('stdout') : discard(), stderr: log ? log.stream('stderr') : discard() }, { monitor: false });
    // The run's health probes, here too: this process holds the run.
    const prober = health ? new HealthProber(engine, record.id) : undefined;
    void started.exited.finally(() => {
      void prober?.stop();
      setTimeout(() => log?.close(), 50);
    });
  } catch (error) {
    log?.close();
    throw error;
  }
}

async function readRecord(engine: Engine, id: string): Promise<ContainerRecord | undefined> {
  try {
    return await engine.records.read(id);
  } catch (error) {
    if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return undefined;
    throw error;
  }
}
