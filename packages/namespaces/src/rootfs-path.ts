import { lstat, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { NamespaceError, hasErrorCode } from './errors.js';
import { parseGroup, parsePasswd, readOptionalFile, type GroupEntry, type PasswdEntry } from './passwd.js';

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS). */
const maxSymlinks = 40;

/**
 * Resolves `path` inside `rootfs` as the kernel would after chroot(rootfs): `..` stops at the
 * root, absolute symlink targets restart at the root, so the result never escapes `rootfs`.
 * Returns the host path, or undefined when a component does not exist.
 */
export async function resolveInRootfs(rootfs: string, path: string): Promise<string | undefined> {
  const pending = path.split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  let symlinks = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = join(rootfs, ...resolved, part);
    let stats;
    try {
      stats = await lstat(candidate);
    } catch (error) {
      if (hasErrorCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw new NamespaceError('PATH_RESOLUTION_FAILED', `cannot resolve ${path} in ${rootfs} at ${candidate}`, { value: path, cause: error });
    }
    if (!stats.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    symlinks += 1;
    if (symlinks > maxSymlinks) {
      throw new NamespaceError('PATH_RESOLUTION_FAILED', `too many symlinks resolving ${path} in ${rootfs}`, { value: path });
    }
    const target = await readlink(candidate);
    if (posix.isAbsolute(target)) resolved.length = 0;
    pending.unshift(...target.split('/').filter((item) => item !== '' && item !== '.'));
  }
  return join(rootfs, ...resolved);
}

async function readInRootfs(rootfs: string, path: string): Promise<string | undefined> {
  const resolved = await resolveInRootfs(rootfs, path);
  return resolved === undefined ? undefined : readOptionalFile(resolved);
}

/** Reads `<rootfs>/etc/passwd`, resolving symlinks inside the rootfs as a chroot would; missing -> []. */
export async function readPasswdInRootfs(rootfs: string): Promise<PasswdEntry[]> {
  const text = await readInRootfs(rootfs, '/etc/passwd');
  return text === undefined ? [] : parsePasswd(text);
}

/** Reads `<rootfs>/etc/group`, resolving symlinks inside the rootfs as a chroot would; missing -> []. */
export async function readGroupInRootfs(rootfs: string): Promise<GroupEntry[]> {
  const text = await readInRootfs(rootfs, '/etc/group');
  return text === undefined ? [] : parseGroup(text);
}
