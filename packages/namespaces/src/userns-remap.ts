import { execFile } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import type { IdMap } from '@execdriver/spec';
import { NamespaceError } from './errors.js';
import { toHostId, validateIdMaps } from './id-map.js';
import { findGroup, findUser, readGroup, readOptionalFile, readPasswd } from './passwd.js';
import { parseSubordinateIds, subordinateRanges, type SubordinateRange } from './subordinate-ids.js';

/** The user `default` stands for (dockerd uses `dockremap`). */
export const defaultRemapUser = 'execdriver';
/** Where the search for a free subordinate range starts, and its size, as dockerd does. */
export const defaultRangeStart = 100_000;
export const defaultRangeSize = 65_536;

/** Runs a program with arguments (never a shell string); rejects when it fails. */
export type RunCommand = (command: string, args: readonly string[]) => Promise<void>;

export interface UserNamespaceRemap {
  uidMappings: IdMap[];
  gidMappings: IdMap[];
  /** The host uid / gid of the container's root (container id 0). */
  rootUid: number;
  rootGid: number;
  /** The user and group whose subordinate ranges were used. */
  user: string;
  group: string;
}

export interface ResolveRemapOptions {
  etcRoot?: string;
  /** For `default`: create the `execdriver` user and its subordinate ranges when missing. */
  createDefaultUser?: boolean;
  /** Runs useradd / usermod; defaults to spawning them. */
  run?: RunCommand;
}

const runProgram: RunCommand = (command, args) =>
  new Promise((resolvePromise, reject) => {
    execFile(command, [...args], (error, _stdout, stderr) => {
      if (error) reject(Object.assign(error, { stderr }));
      else resolvePromise();
    });
  });

/**
 * Resolves a `dockerd --userns-remap` value into ID mappings:
 * - `default`: the user `execdriver` (created with useradd / usermod --add-subuids --add-subgids
 *   when missing and `createDefaultUser` is set);
 * - `user`, `uid`: that user's subordinate uids, and the subordinate gids of the group of the same name;
 * - `user:group`, `uid:gid`: that user's subordinate uids and that group's subordinate gids.
 * Each owner's ranges, in file order, map container ids 0, 0+count1, ... onto them.
 */
export async function resolveUserNamespaceRemap(spec: string, options: ResolveRemapOptions = {}): Promise<UserNamespaceRemap> {
  const etcRoot = options.etcRoot ?? '/etc';
  const trimmed = spec.trim();
  const parts = trimmed.split(':');
  if (trimmed === '' || parts.length > 2 || parts.some((part) => part === '')) {
    throw new NamespaceError('INVALID_REMAP_SPEC', `invalid user namespace remap ${JSON.stringify(spec)}: expected default, user, user:group, uid or uid:gid`, {
      value: spec,
    });
  }
  const isDefault = trimmed === 'default';
  if (isDefault) await ensureDefaultUser(etcRoot, options);

  const [userPart, groupPart] = isDefault ? [defaultRemapUser, undefined] : (parts as [string, string | undefined]);
  const user = findUser(await readPasswd({ etcRoot }), userPart);
  if (!user) {
    throw new NamespaceError('USER_NOT_FOUND', `remap user ${JSON.stringify(userPart)} is not in ${etcRoot}/passwd`, { value: userPart });
  }
  let groupName = user.name;
  if (groupPart !== undefined) {
    const group = findGroup(await readGroup({ etcRoot }), groupPart);
    if (!group) {
      throw new NamespaceError('GROUP_NOT_FOUND', `remap group ${JSON.stringify(groupPart)} is not in ${etcRoot}/group`, { value: groupPart });
    }
    groupName = group.name;
  }

  const uidRanges = await subordinateRanges(user.name, { etcRoot, kind: 'uid' });
  const gidRanges = await subordinateRanges(groupName, { etcRoot, kind: 'gid' });
  if (uidRanges.length === 0) {
    throw new NamespaceError('NO_SUBORDINATE_IDS', `user ${user.name} has no subordinate uids in ${etcRoot}/subuid`, { value: user.name });
  }
  if (gidRanges.length === 0) {
    throw new NamespaceError('NO_SUBORDINATE_IDS', `group ${groupName} has no subordinate gids in ${etcRoot}/subgid`, { value: groupName });
  }
  const uidMappings = validateIdMaps(toIdMaps(uidRanges), `subordinate uids of ${user.name}`);
  const gidMappings = validateIdMaps(toIdMaps(gidRanges), `subordinate gids of ${groupName}`);
  return {
    uidMappings,
    gidMappings,
    rootUid: toHostId(uidMappings, 0),
    rootGid: toHostId(gidMappings, 0),
    user: user.name,
    group: groupName,
  };
}

/** Subordinate ranges, in order, as a mapping of container ids 0.. onto them. */
export function toIdMaps(ranges: readonly SubordinateRange[]): IdMap[] {
  let containerId = 0;
  return ranges.map((range) => {
    const map = { containerId, hostId: range.start, size: range.count };
    containerId += range.count;
    return map;
  });
}

/** The first start >= `minimum` where `count` ids fit between the existing ranges (of any owner). */
export function findFreeRange(ranges: readonly SubordinateRange[], minimum = defaultRangeStart, count = defaultRangeSize): number {
  let candidate = minimum;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    if (range.start + range.count <= candidate) continue;
    if (range.start >= candidate + count) break;
    candidate = range.start + range.count;
  }
  if (candidate + count - 1 > 2 ** 32 - 1) {
    throw new NamespaceError('NO_SUBORDINATE_IDS', `no free range of ${count} ids above ${minimum}`, { value: count });
  }
  return candidate;
}

/** `--prefix <dir>` so useradd/usermod edit `<etcRoot>` instead of /etc. */
function prefixArgs(etcRoot: string): string[] {
  const absolute = resolve(etcRoot);
  if (absolute === '/etc') return [];
  if (basename(absolute) !== 'etc') {
    throw new NamespaceError('USER_CREATION_FAILED', `cannot create users under ${etcRoot}: useradd --prefix needs a directory named etc`, {
      value: etcRoot,
    });
  }
  return ['--prefix', dirname(absolute)];
}

async function ensureDefaultUser(etcRoot: string, options: ResolveRemapOptions): Promise<void> {
  const run = options.run ?? runProgram;
  const allowed = options.createDefaultUser ?? false;
  const invoke = async (command: string, args: string[]) => {
    try {
      await run(command, args);
    } catch (error) {
      const stderr = (error as { stderr?: unknown }).stderr;
      throw new NamespaceError('USER_CREATION_FAILED', `${command} ${args.join(' ')} failed${typeof stderr === 'string' && stderr ? `: ${stderr.trim()}` : ''}`, {
        value: defaultRemapUser,
        cause: error,
      });
    }
  };

  if (!findUser(await readPasswd({ etcRoot }), defaultRemapUser)) {
    if (!allowed) {
      throw new NamespaceError('USER_NOT_FOUND', `remap user ${defaultRemapUser} is not in ${etcRoot}/passwd (allow createDefaultUser to create it)`, {
        value: defaultRemapUser,
      });
    }
    await invoke('useradd', [...prefixArgs(etcRoot), '--system', '--user-group', '--no-create-home', '--shell', '/bin/false', defaultRemapUser]);
    if (!findUser(await readPasswd({ etcRoot }), defaultRemapUser)) {
      throw new NamespaceError('USER_CREATION_FAILED', `useradd succeeded but ${defaultRemapUser} is not in ${etcRoot}/passwd`, { value: defaultRemapUser });
    }
  }

  const hasUids = (await subordinateRanges(defaultRemapUser, { etcRoot, kind: 'uid' })).length > 0;
  const hasGids = (await subordinateRanges(defaultRemapUser, { etcRoot, kind: 'gid' })).length > 0;
  if (hasUids && hasGids) return;
  if (!allowed) {
    throw new NamespaceError('NO_SUBORDINATE_IDS', `user ${defaultRemapUser} has no subordinate ${hasUids ? 'gids' : 'uids'} in ${etcRoot} (allow createDefaultUser to add them)`, {
      value: defaultRemapUser,
    });
  }
  const args = [...prefixArgs(etcRoot)];
  if (!hasUids) {
    const start = findFreeRange(parseSubordinateIds((await readOptionalFile(`${etcRoot}/subuid`)) ?? ''));
    args.push('--add-subuids', `${start}-${start + defaultRangeSize - 1}`);
  }
  if (!hasGids) {
    const start = findFreeRange(parseSubordinateIds((await readOptionalFile(`${etcRoot}/subgid`)) ?? ''));
    args.push('--add-subgids', `${start}-${start + defaultRangeSize - 1}`);
  }
  await invoke('usermod', [...args, defaultRemapUser]);
}
