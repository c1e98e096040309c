import type { Command } from '@execdriver/spec';
import { NamespaceError, readGroupInRootfs, readPasswdInRootfs, type GroupEntry, type PasswdEntry } from '@execdriver/namespaces';
import { OciError } from './errors.js';

/** The process's identity, resolved from the Command and the root filesystem's /etc files. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the user's groups from /etc/group (when no group was named) plus groupAdd. */
  additionalGids: number[];
  /** From /etc/passwd; `/` when the user has no entry. */
  home: string;
}

const maxId = 2 ** 32 - 1;

function numericId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id <= maxId ? id : undefined;
}

/** True when the Command names a user or group that needs the root filesystem's /etc files. */
export function needsUserLookup(command: Pick<Command, 'process' | 'groupAdd'>): boolean {
  const [user, group] = (command.process.user ?? '0').split(':');
  return numericId(user ?? '') === undefined || (group !== undefined && numericId(group) === undefined) || command.groupAdd.some((entry) => numericId(entry) === undefined);
}

/**
 * The user from a Command that uses only numeric ids (`uid[:gid]`, numeric groupAdd), without any
 * file: gid 0 when not given, home `/`. createRuntimeSpec uses it when no resolved user is passed.
 * @throws OciError INVALID_OPTIONS when a name would need the root filesystem.
 */
export function numericUser(command: Pick<Command, 'process' | 'groupAdd'>): ResolvedUser {
  if (needsUserLookup(command)) {
    throw new OciError(
      'INVALID_OPTIONS',
      `process.user ${JSON.stringify(command.process.user)} or groupAdd ${JSON.stringify(command.groupAdd)} uses names: resolve them with resolveUser() and pass options.user`,
      { field: 'process.user', value: command.process.user },
    );
  }
  const [user = '0', group] = (command.process.user ?? '0').split(':');
  return {
    uid: numericId(user)!,
    gid: group === undefined ? 0 : numericId(group)!,
    additionalGids: [...new Set(command.groupAdd.map((entry) => numericId(entry)!))],
    home: '/',
  };
}

function wrapRead(error: unknown, rootfs: string): never {
  if (error instanceof NamespaceError) {
    throw new OciError('READ_FAILED', `cannot read /etc/passwd or /etc/group in ${rootfs}: ${error.message}`, { field: 'rootfs', value: rootfs, cause: error });
  }
  throw error;
}

/**
 * Resolves `process.user` (`uid`, `uid:gid`, `name`, `name:group`) and `groupAdd` against the root
 * filesystem's /etc/passwd and /etc/group, read without following symlinks out of the rootfs.
 * Numeric ids are used as they are (a uid without an entry gets gid 0 and home `/`); names must
 * exist. As Docker (libcontainer's GetExecUser): when no group is named, the user's primary gid
 * comes from /etc/passwd and the groups listing the user become supplementary groups.
 * @throws OciError USER_NOT_FOUND / GROUP_NOT_FOUND naming the value.
 */
export async function resolveUser(command: Pick<Command, 'process' | 'groupAdd'>, options: { rootfs: string }): Promise<ResolvedUser> {
  let passwd: PasswdEntry[];
  let groups: GroupEntry[];
  try {
    [passwd, groups] = await Promise.all([readPasswdInRootfs(options.rootfs), readGroupInRootfs(options.rootfs)]);
  } catch (error) {
    wrapRead(error, options.rootfs);
  }
  const [userText = '0', groupText] = (command.process.user ?? '0').split(':');

  const uidValue = numericId(userText);
  const entry = uidValue === undefined ? passwd.find((candidate) => candidate.name === userText) : passwd.find((candidate) => candidate.uid === uidValue);
  if (entry === undefined && uidValue === undefined) {
    throw new OciError('USER_NOT_FOUND', `user ${JSON.stringify(userText)} is not in ${options.rootfs}/etc/passwd`, { field: 'process.user', value: userText });
  }
  const uid = uidValue ?? entry!.uid;

  const findGroupId = (text: string, field: string): number => {
    const numeric = numericId(text);
    if (numeric !== undefined) return numeric;
    const group = groups.find((candidate) => candidate.name === text);
    if (group === undefined) throw new OciError('GROUP_NOT_FOUND', `group ${JSON.stringify(text)} is not in ${options.rootfs}/etc/group`, { field, value: text });
    return group.gid;
  };

  let gid: number;
  const supplementary: number[] = [];
  if (groupText !== undefined) {
    gid = findGroupId(groupText, 'process.user');
  } else {
    gid = entry?.gid ?? 0;
    if (entry) for (const group of groups) if (group.members.includes(entry.name) && group.gid !== gid) supplementary.push(group.gid);
  }
  for (const [index, text] of command.groupAdd.entries()) supplementary.push(findGroupId(text, `groupAdd.${index}`));

  return { uid, gid, additionalGids: [...new Set(supplementary)], home: entry?.home || '/' };
}
