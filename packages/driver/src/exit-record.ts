import { openCgroup, readOomCounters } from '@execdriver/cgroups';
import type { ExitStatus } from '@execdriver/spec';
import type { DriverContext } from './driver-context.js';
import { releaseStoppedContainer } from './container-cleanup.js';
import { DriverError } from './errors.js';
import { unknownExitCode } from './state-store.js';

/**
 * The exit record: once the container's process has ended, its exit code (from the shim's file)
 * and OOM kills (from the cgroup runc kept) are written into the record, once, under the id's
 * lock; then runc releases the container. Every reader takes the exit status from the record.
 */
export async function finalizeExit(context: DriverContext, id: string, shimCode?: number): Promise<ExitStatus> {
  return context.lock.run(id, async () => {
    const status = await recordExit(context, id, shimCode);
    await releaseContainer(context, id);
    return status;
  });
}

/**
 * Releases a stopped container runc kept (--keep): its cgroups and runc's state go. Done here
 * when it is safe (releaseStoppedContainer), else by `runc delete --force`. Nothing is released
 * when the id has started again since (its record has no exit, or another pid than `exitedPid`):
 * a restart by another process (a restart monitor; id locks are per process) owns the container,
 * the cgroup and runc's state now, and a forced delete would kill it.
 */
export async function releaseContainer(context: DriverContext, id: string, exitedPid?: number): Promise<void> {
  await context.lock.run(id, async () => {
    const record = await context.store.read(id).catch(() => undefined);
    if (record !== undefined && (record.exitCode === undefined || (exitedPid !== undefined && record.pid !== exitedPid))) return;
    const runtime = context.runtimes.forRecord(record);
    if (!runtime.knows(id)) return;
    if (await releaseStoppedContainer(context, id).catch(() => false)) return;
    await runtime.delete(id, { force: true }).catch(() => undefined);
  });
}

const clampExitCode = (code: number) => Math.min(Math.max(code, 0), 255);

/**
 * Reads the exit code the shim recorded and the OOM counters of the cgroup runc kept, and records
 * them (under the lock). `seenOomKills`: the kills a watch counted while it ran, for a runtime that
 * removed the cgroup (crun). `exitedPid`: the process that ended; a record of another pid is a
 * later run of the id (started by another process), whose record this exit must not touch.
 */
export async function recordExit(context: DriverContext, id: string, shimCode?: number, onOomKills?: (count: number) => void, seenOomKills?: () => number, exitedPid?: number): Promise<ExitStatus> {
  return context.lock.run(id, async () => {
    const { store, cgroupRoot } = context;
    const record = await store.read(id);
    // Cleaned while it ran, or started again since: nothing to record, the status is what the shim saw.
    if (!record || (exitedPid !== undefined && record.pid !== exitedPid)) return { exitCode: clampExitCode(shimCode ?? unknownExitCode), oomKilled: false };
    if (record.exitCode !== undefined) return { exitCode: record.exitCode, oomKilled: record.oomKilled ?? false };
    const exitCode = (await store.readExitCode(id)) ?? shimCode ?? unknownExitCode;
    let oomKilled = false;
    // Only the OOM counter (one kernel file; the full statistics are 15-25).
    let counters: ReturnType<typeof readOomCounters>;
    try {
      counters = readOomCounters(openCgroup(record.cgroupsPath, { cgroupRoot }));
    } catch {
      counters = undefined;
    }
    if (counters) {
      oomKilled = (counters.oomKills ?? 0) > 0;
      onOomKills?.(counters.oomKills ?? 0);
    } else {
      // The cgroup is gone (released, never made, or removed by a runtime without --keep): what a watch saw.
      oomKilled = (seenOomKills?.() ?? 0) > 0;
    }
    const status: ExitStatus = { exitCode: clampExitCode(exitCode), oomKilled };
    try {
      await store.write({ ...record, exitCode: status.exitCode, oomKilled, finishedAt: new Date().toISOString() });
    } catch (error) {
      // Removed by another process (`rm -f`) as it ended: nothing to record, the status stands.
      if (!(error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND')) throw error;
    }
    return status;
  });
}
