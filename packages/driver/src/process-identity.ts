import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The start time of a process (field 22 of /proc/<pid>/stat, in clock ticks since boot), or
 * undefined when it does not exist. A pid plus its start time names one process for good, so a
 * recycled pid is never mistaken for the container's.
 */
export function processStartTime(pid: number, procRoot = '/proc'): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X') return undefined;
  return fields[19];
}

/** The parent of a process (field 4 of /proc/<pid>/stat), or undefined when it does not exist. */
export function parentProcess(pid: number, procRoot = '/proc'): number | undefined {
  try {
    const stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(parent) && parent > 0 ? parent : undefined;
  } catch {
    return undefined;
  }
}

/** A process's command name (/proc/<pid>/comm), or undefined when it does not exist. */
export function processName(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return readFileSync(join(procRoot, String(pid), 'comm'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether a container's shim still runs: the `sh` at `pid` that started no later than the
 * container's process (`containerStartTime`, clock ticks). It writes the exit code as it ends; a
 * `sh` that started later is another process that got the pid since.
 */
export function shimAlive(pid: number, containerStartTime: string | undefined, procRoot = '/proc'): boolean {
  const started = processStartTime(pid, procRoot);
  if (started === undefined || processName(pid, procRoot) !== 'sh') return false;
  return containerStartTime === undefined || Number(started) <= Number(containerStartTime);
}
