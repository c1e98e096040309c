import { readdir, readlink } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { NamespaceError, hasErrorCode } from './errors.js';

/** The namespace kinds, as the OCI runtime spec names them (`network`, `mount`), not as /proc does (`net`, `mnt`). */
export type NamespaceKind = 'ipc' | 'pid' | 'uts' | 'network' | 'mount' | 'user' | 'cgroup' | 'time';

export const namespaceKinds: readonly NamespaceKind[] = ['ipc', 'pid', 'uts', 'network', 'mount', 'user', 'cgroup', 'time'];

/** The file name under /proc/<pid>/ns/ for each kind. */
const procNames: Record<NamespaceKind, string> = {
  ipc: 'ipc',
  pid: 'pid',
  uts: 'uts',
  network: 'net',
  mount: 'mnt',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

/** `${procRoot}/${pid}/ns/${net|mnt|...}`: the file to join a process's namespace of that kind. */
export function namespacePath(pid: number, kind: NamespaceKind, options: { procRoot?: string } = {}): string {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new NamespaceError('PROCESS_NOT_FOUND', `invalid pid ${pid} for the ${kind} namespace`, { value: pid });
  }
  return `${options.procRoot ?? '/proc'}/${pid}/ns/${procNames[kind]}`;
}

/** Parses a /proc/<pid>/ns link target such as `net:[4026531840]` into its inode number. */
export function parseNamespaceLink(target: string): number | undefined {
  const match = /^[a-z_]+:\[(\d+)\]$/.exec(target);
  return match ? Number(match[1]) : undefined;
}

function inodeFromLink(path: string, target: string): number {
  const inode = parseNamespaceLink(target);
  if (inode === undefined) {
    throw new NamespaceError('INVALID_FORMAT', `${path} points at ${JSON.stringify(target)}, not <kind>:[<inode>]`, { value: target });
  }
  return inode;
}

function linkError(path: string, pid: number, kind: NamespaceKind, error: unknown): NamespaceError {
  if (hasErrorCode(error, 'ENOENT', 'ESRCH')) {
    return new NamespaceError('PROCESS_NOT_FOUND', `no ${kind} namespace at ${path}: process ${pid} is gone or the kernel lacks ${kind} namespaces`, {
      value: pid,
      cause: error,
    });
  }
  return new NamespaceError('READ_FAILED', `cannot read ${path}`, { value: path, cause: error });
}

/** The inode number identifying the process's namespace of that kind (what `readlink /proc/<pid>/ns/<kind>` shows). */
export async function namespaceInode(pid: number, kind: NamespaceKind, options: { procRoot?: string } = {}): Promise<number> {
  const path = namespacePath(pid, kind, options);
  try {
    return inodeFromLink(path, await readlink(path));
  } catch (error) {
    if (error instanceof NamespaceError) throw error;
    throw linkError(path, pid, kind, error);
  }
}

/** Synchronous `namespaceInode` for `self` or a pid, for use inside pure-ish config builders; undefined when unreadable. */
export function tryNamespaceInodeSync(pidOrSelf: number | 'self', kind: NamespaceKind, procRoot: string): number | undefined {
  try {
    return parseNamespaceLink(readlinkSync(`${procRoot}/${pidOrSelf}/ns/${procNames[kind]}`));
  } catch {
    return undefined;
  }
}

/** The namespace kinds this kernel supports, read from `${procRoot}/self/ns` (`*_for_children` entries ignored). */
export async function supportedNamespaceKinds(options: { procRoot?: string } = {}): Promise<Set<NamespaceKind>> {
  const path = `${options.procRoot ?? '/proc'}/self/ns`;
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    throw new NamespaceError('READ_FAILED', `cannot list ${path}`, { value: path, cause: error });
  }
  const present = new Set(names);
  return new Set(namespaceKinds.filter((kind) => present.has(procNames[kind])));
}
