import { join } from 'node:path';
import { CgroupError } from './errors.js';
import { readKernelFile } from './read-file.js';

/** One line of `/proc/<pid>/cgroup`: `hierarchy-ID:controller-list:cgroup-path`. */
export interface ProcCgroupEntry {
  hierarchyId: number;
  /** Empty for the cgroup v2 entry (`0::/path`); `name=systemd` for a named v1 hierarchy. */
  controllers: string[];
  path: string;
}

/** Parses the text of `/proc/<pid>/cgroup` (see cgroups(7)). */
export function parseProcCgroup(text: string, path: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first <= 0 || second < 0 || !/^\d+$/.test(line.slice(0, first))) {
      throw new CgroupError('INVALID_FORMAT', `${path}: expected "ID:controllers:path", got "${line}"`, { path });
    }
    const controllers = line.slice(first + 1, second);
    entries.push({
      hierarchyId: Number(line.slice(0, first)),
      controllers: controllers === '' ? [] : controllers.split(','),
      path: line.slice(second + 1),
    });
  }
  return entries;
}

/** Reads and parses `<procRoot>/<pid>/cgroup`; `PROCESS_NOT_FOUND` when the process is gone. */
export function readProcCgroup(pid: number, procRoot = '/proc'): ProcCgroupEntry[] {
  const path = join(procRoot, String(pid), 'cgroup');
  const text = readKernelFile(path);
  if (text === undefined) {
    throw new CgroupError('PROCESS_NOT_FOUND', `no process ${pid}: ${path} does not exist`, { path });
  }
  return parseProcCgroup(text, path);
}
