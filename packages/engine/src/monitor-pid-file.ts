import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from './errors.js';

/**
 * The start time of a process (field 22 of /proc/<pid>/stat) or undefined when it is gone (or a
 * zombie). A pid with its start time names one process for good: a recycled pid never matches.
 */
export function processStartTime(pid: number, procRoot = '/proc'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
  return fields[19];
}

/** Where a container's restart monitor keeps its pid file and its log: `<stateRoot>/monitors/<id>.{pid,log}`. */
export function monitorPaths(stateRoot: string, id: string): { dir: string; pidFile: string; log: string } {
  const dir = join(stateRoot, 'monitors');
  return { dir, pidFile: join(dir, `${id}.pid`), log: join(dir, `${id}.log`) };
}

interface PidFileContent {
  pid: number;
  startTime: string;
}

async function readPidFile(path: string): Promise<PidFileContent | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const match = text === undefined ? null : /^(\d+) (\d+)\n?$/.exec(text);
  return match ? { pid: Number(match[1]), startTime: match[2]! } : undefined;
}

/**
 * The pid of the container's live monitor, or undefined. `file` says whether a pid file is there
 * (a file without a live process: its monitor was killed before it could decide).
 */
export async function liveMonitor(stateRoot: string, id: string, procRoot = '/proc'): Promise<{ pid: number | undefined; file: boolean }> {
  const content = await readPidFile(monitorPaths(stateRoot, id).pidFile);
  if (!content) return { pid: undefined, file: false };
  return { pid: processStartTime(content.pid, procRoot) === content.startTime ? content.pid : undefined, file: true };
}

/**
 * Claims the container's monitor pid file for this process, atomically (a hard link of a complete
 * file): false when another live monitor holds it. A file of a dead monitor is taken over.
 */
export async function claimMonitorPidFile(stateRoot: string, id: string, procRoot = '/proc'): Promise<boolean> {
  const paths = monitorPaths(stateRoot, id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const startTime = processStartTime(process.pid, procRoot);
  if (startTime === undefined) throw new EngineError('MONITOR_FAILED', `cannot read the start time of process ${process.pid} in ${procRoot}`);
  const temporary = `${paths.pidFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${process.pid} ${startTime}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await link(temporary, paths.pidFile);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await liveMonitor(stateRoot, id, procRoot);
      if (holder.pid === process.pid) return true;
      if (holder.pid !== undefined) return false;
      await rm(paths.pidFile, { force: true });
    }
    return false;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Removes the pid file if this process holds it (a monitor that ends on its own). */
export async function releaseMonitorPidFile(stateRoot: string, id: string): Promise<void> {
  const path = monitorPaths(stateRoot, id).pidFile;
  if ((await readPidFile(path))?.pid === process.pid) await rm(path, { force: true });
}

/**
 * Ends the container's monitor for good: SIGKILL (it holds no state a kill could tear: every
 * decision re-reads the record), waits until it is gone, removes its pid file.
 * @throws EngineError MONITOR_FAILED when it outlives 5 s
 */
export async function stopMonitor(stateRoot: string, id: string, procRoot = '/proc'): Promise<void> {
  const paths = monitorPaths(stateRoot, id);
  const content = await readPidFile(paths.pidFile);
  if (content && content.pid !== process.pid && processStartTime(content.pid, procRoot) === content.startTime) {
    try {
      process.kill(content.pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    for (let waited = 0; processStartTime(content.pid, procRoot) === content.startTime; waited += 20) {
      if (waited > 5000) throw new EngineError('MONITOR_FAILED', `the restart monitor ${content.pid} of container ${id} did not end after SIGKILL`);
      await sleep(20);
    }
  }
  await rm(paths.pidFile, { force: true });
}
