import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toCgroupsPath } from '@execdriver/oci';
import type { DriverContext } from './driver-context.js';
import { DriverError } from './errors.js';
import { shimAlive } from './process-identity.js';
import { classifyRuncFailure } from './to-driver-error.js';

/** How long clean() waits for killed processes to leave their cgroup. */
const killWaitMs = 5000;

/**
 * Removes every trace of a container: runc's container (`delete --force` kills it first), its
 * cgroups, runc's state directory, our state directory. When runc cannot do its part (its
 * state.json unreadable) or our record is broken, the cgroup is the fallback: its path is
 * deterministic from the id and the prefix; every process in it is frozen, killed and waited
 * for in each hierarchy, and the directories removed. Whatever is left is CLEAN_INCOMPLETE,
 * naming it, with runc's failure as cause. Call under the id's lock.
 */
export async function removeContainer(context: DriverContext, id: string): Promise<void> {
  const { store } = context;
  const record = await store.read(id).catch(() => undefined);
  const cgroupsPath = record?.cgroupsPath || toCgroupsPath({ id, systemdCgroup: false }, context.cgroupsPathPrefix);
  let runcFailure: unknown;
  // The container's own runtime, and any other whose state root holds the id (a broken record).
  const runtimes = context.runtimes.forCleanup(id, record);
  for (const runc of runtimes) {
    if (!runc.knows(id)) continue;
    try {
      const { dir, runcLog } = store.paths(id);
      await runc.delete(id, { force: true, ...(existsSync(dir) ? { log: runcLog } : {}) });
    } catch (error) {
      if (!(error instanceof DriverError && classifyRuncFailure(error) === 'not-found')) runcFailure ??= error;
    }
  }
  const left: string[] = [];
  if (cgroupsPath.startsWith('/')) left.push(...(await removeCgroup(context, cgroupsPath)));
  for (const runc of runtimes) {
    if (runcFailure !== undefined && runc.options.root !== undefined && left.length === 0) {
      // The runtime could not delete its container, and its processes are gone: its state goes too.
      await rm(join(runc.options.root, id), { recursive: true, force: true }).catch(() => undefined);
    }
  }
  for (const runc of runtimes) if (runc.knows(id) && runc.options.root !== undefined) left.push(`${runc.name} state ${join(runc.options.root, id)}`);
  // The shim and its `runc run` write into the state directory as they end (the exit code, the
  // runtime's log): removing it before they are gone races with them (ENOTEMPTY).
  // Not when the exit is recorded (the shim wrote its file and is gone).
  if (record?.shimPid !== undefined && record.exitCode === undefined && left.length === 0) await waitForShim(context, record.shimPid, record.pidStartTime);
  await store.remove(id);
  if (left.length > 0) {
    const said = runcFailure instanceof Error ? ` (runc: ${runcFailure.message})` : '';
    throw new DriverError('CLEAN_INCOMPLETE', `container ${id} is not completely removed: ${left.join(', ')} left${said}`, {
      ...(runcFailure === undefined ? {} : { cause: runcFailure }),
      ...(runcFailure instanceof DriverError && runcFailure.runc ? { runc: runcFailure.runc } : {}),
    });
  }
}

/**
 * Waits (bounded) until the shim, a `sh` whose container was just killed, has ended. A `sh` that
 * started after the container's process (`containerStartTime`, clock ticks) is another process
 * that got the pid since: not waited for.
 */
async function waitForShim(context: DriverContext, pid: number, containerStartTime: string | undefined): Promise<void> {
  for (let waited = 0; waited < killWaitMs && shimAlive(pid, containerStartTime, context.procRoot); waited += 10) await sleep(10);
}

/**
 * What `runc delete` does for a stopped container runc kept (`run --keep`), without starting runc
 * (a process start on every run): the container's cgroups go (anything left in them is killed,
 * as `delete --force` does), then runc's state directory. Returns false, having changed nothing
 * that runc still needs, when runc should do it: the exit is not recorded yet, the container has
 * poststop hooks (runc runs them), its cgroups are systemd's, or a cgroup could not be removed.
 * Call under the id's lock.
 */
export async function releaseStoppedContainer(context: DriverContext, id: string): Promise<boolean> {
  const { store } = context;
  const record = await store.read(id).catch(() => undefined);
  const runc = context.runtimes.forRecord(record);
  if (runc.options.root === undefined) return false;
  if (record === undefined || record.exitCode === undefined || !record.cgroupsPath.startsWith('/')) return false;
  const hooks = (record.command as { hooks?: { poststop?: readonly unknown[] } } | undefined)?.hooks;
  if ((hooks?.poststop?.length ?? 0) > 0) return false;
  if ((await removeCgroup(context, record.cgroupsPath)).length > 0) return false;
  // runc's state directory: a state.json on its state root (a tmpfs).
  rmSync(join(runc.options.root, id), { recursive: true, force: true });
  return true;
}

// The cgroup files are read and the directories listed and removed synchronously: each is a
// kernel file of a few bytes (cgroupfs), where an asynchronous step was a thread-pool round trip,
// two dozen of them on a v1 host between a container's exit and its release.

/** The cgroup's directory in each hierarchy where it exists (one on cgroup v2, one per controller on v1). */
function cgroupDirectories(context: DriverContext, cgroupsPath: string): string[] {
  const { cgroupRoot, host } = context;
  if (cgroupsPath.split('/').includes('..')) return [];
  const roots = host.cgroupMode === 'unified' ? [cgroupRoot] : listDirectories(cgroupRoot).map((name) => join(cgroupRoot, name));
  return roots.map((root) => join(root, cgroupsPath)).filter((directory) => existsSync(directory));
}

function listDirectories(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Every directory of a cgroup tree, deepest first. */
function treeDeepestFirst(directory: string): string[] {
  return [...listDirectories(directory).flatMap((name) => treeDeepestFirst(join(directory, name))), directory];
}

function processesIn(directories: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const directory of directories) {
    let text = '';
    try {
      text = readFileSync(join(directory, 'cgroup.procs'), 'utf8');
    } catch {
      // Gone meanwhile: nothing in it.
    }
    for (const line of text.split('\n')) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
  }
  return [...pids];
}

function setFrozen(directories: readonly string[], frozen: boolean): void {
  for (const directory of directories) {
    try {
      if (existsSync(join(directory, 'freezer.state'))) writeFileSync(join(directory, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
      else if (existsSync(join(directory, 'cgroup.freeze'))) writeFileSync(join(directory, 'cgroup.freeze'), frozen ? '1' : '0');
    } catch {
      // A cgroup going away meanwhile.
    }
  }
}

/** Kills what is in the cgroup and removes its directories; returns what could not be removed. */
async function removeCgroup(context: DriverContext, cgroupsPath: string): Promise<string[]> {
  const tops = cgroupDirectories(context, cgroupsPath);
  if (tops.length === 0) return [];
  const directories = tops.flatMap(treeDeepestFirst);
  if (processesIn(directories).length > 0) {
    // Frozen, a process cannot fork a child we would miss; SIGKILL is delivered on thaw.
    setFrozen(tops, true);
    for (const pid of processesIn(directories)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    setFrozen(tops, false);
    for (let waited = 0; waited < killWaitMs && processesIn(directories).length > 0; waited += 20) await sleep(20);
  }
  const left: string[] = [];
  for (const directory of directories) {
    try {
      rmdirSync(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') left.push(`cgroup ${directory} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  return left;
}
