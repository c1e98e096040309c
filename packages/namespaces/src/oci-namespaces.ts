import type { NamespaceSetting, Namespaces, NetworkSetting } from '@execdriver/spec';
import { NamespaceError } from './errors.js';
import { namespacePath, tryNamespaceInodeSync, type NamespaceKind } from './namespace-kind.js';

/** One OCI `linux.namespaces` entry. "If path is not specified, the runtime MUST create a new container namespace of type type." */
export interface OciNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';
  path?: string;
}

export interface ToOciNamespacesOptions {
  /** The container gets a user namespace (uid/gid mappings are set). */
  userNamespace?: boolean;
  /** The init pid of a running container, by id; undefined when the id is unknown. */
  containerPid?: (id: string) => number | undefined;
  procRoot?: string;
  /** From `supportedNamespaceKinds()`; when absent every kind is assumed present. */
  supportedKinds?: ReadonlySet<NamespaceKind>;
}

type SettingKind = 'pid' | 'network' | 'ipc' | 'uts' | 'cgroup' | 'time';
const settingKinds: readonly SettingKind[] = ['pid', 'network', 'ipc', 'uts', 'cgroup', 'time'];

/**
 * Kinds whose kernel objects a process in a new user namespace cannot use when the namespace is
 * owned by another user namespace: mounting proc needs CAP_SYS_ADMIN over the pid namespace's
 * owner, sysfs over the network namespace's owner, mqueue over the ipc namespace's owner.
 */
const ownedByUserNamespace: ReadonlySet<SettingKind> = new Set(['pid', 'network', 'ipc']);

/**
 * Command.namespaces (+ whether a user namespace is wanted) -> OCI `linux.namespaces` entries.
 *
 * - mount: always new. Missing or 'new' -> `{ type }`; network 'none' -> `{ type: 'network' }` (loopback only).
 * - 'host' -> omitted. 'path' -> `{ type, path }`.
 * - 'container' -> `{ type, path: namespacePath(containerPid(id), kind) }`; an unknown id -> CONTAINER_NOT_FOUND.
 * - cgroup: new by default when `supportedKinds` has it (or is not given), otherwise the host's.
 * - time: the host's by default; new, a path or another container's only when asked for.
 * - user: `{ type: 'user' }` when `userNamespace` is true. When the container joins the pid, network
 *   or ipc namespace of another container that has its own user namespace, it joins that user
 *   namespace instead (as dockerd does), since a new one could not use the joined namespaces.
 *
 * Refused (INVALID_NAMESPACE_COMBINATION) before runc sees them: a user namespace with the host's
 * or a path's pid/network/ipc namespace, or with a joined container's one that lives in the host's
 * user namespace (the kernel refuses mounting proc/sysfs/mqueue there), or joined namespaces from
 * containers in different user namespaces.
 */
export function toOciNamespaces(namespaces: Namespaces, options: ToOciNamespacesOptions = {}): OciNamespace[] {
  const procRoot = options.procRoot ?? '/proc';
  const supported = options.supportedKinds;
  const requireKind = (kind: NamespaceKind, why: string) => {
    if (supported && !supported.has(kind)) {
      throw new NamespaceError('UNSUPPORTED_NAMESPACE', `this kernel has no ${kind} namespace (${why})`, { value: kind });
    }
  };

  const entries: OciNamespace[] = [];
  /** Joined containers' pids for the kinds whose owner matters, to pick or refuse the user namespace. */
  const joinedOwners: { kind: SettingKind; pid: number; container: string }[] = [];

  requireKind('mount', 'mount is always new');
  entries.push({ type: 'mount' });

  for (const kind of settingKinds) {
    const setting: NamespaceSetting | NetworkSetting | undefined = namespaces[kind];
    if (setting === undefined) {
      // time: the host's unless asked for (as Docker); cgroup: new where the kernel has it.
      if (kind === 'time') continue;
      if (kind === 'cgroup' && supported && !supported.has('cgroup')) continue;
      requireKind(kind, 'a new one is the default');
      entries.push({ type: kind });
      continue;
    }
    switch (setting.mode) {
      case 'new':
      case 'none':
        requireKind(kind, `${kind} is '${setting.mode}'`);
        entries.push({ type: kind });
        break;
      case 'host':
        if (options.userNamespace && ownedByUserNamespace.has(kind)) {
          throw new NamespaceError(
            'INVALID_NAMESPACE_COMBINATION',
            `${kind} namespace 'host' cannot be combined with a user namespace: the host's ${kind} namespace belongs to the host user namespace, so the kernel refuses the container's ${mountFor(kind)}; drop the user namespace or the host ${kind} namespace`,
            { value: { kind, mode: 'host' } },
          );
        }
        break;
      case 'path':
        requireKind(kind, `joining ${setting.path}`);
        if (options.userNamespace && ownedByUserNamespace.has(kind)) {
          throw new NamespaceError(
            'INVALID_NAMESPACE_COMBINATION',
            `${kind} namespace at ${setting.path} cannot be combined with a new user namespace: an existing ${kind} namespace always belongs to another user namespace, so the kernel refuses the container's ${mountFor(kind)}`,
            { value: { kind, mode: 'path', path: setting.path } },
          );
        }
        entries.push({ type: kind, path: setting.path });
        break;
      case 'container': {
        requireKind(kind, `joining container ${setting.container}`);
        const pid = options.containerPid?.(setting.container);
        if (pid === undefined) {
          throw new NamespaceError(
            'CONTAINER_NOT_FOUND',
            `container ${setting.container} (whose ${kind} namespace was asked for) is not known or not running`,
            { value: setting.container },
          );
        }
        entries.push({ type: kind, path: namespacePath(pid, kind, { procRoot }) });
        if (ownedByUserNamespace.has(kind)) joinedOwners.push({ kind, pid, container: setting.container });
        break;
      }
    }
  }

  if (options.userNamespace) {
    requireKind('user', 'a user namespace was asked for');
    entries.push(userNamespaceEntry(joinedOwners, procRoot));
  }
  return entries;
}

function mountFor(kind: SettingKind): string {
  return kind === 'pid' ? 'proc mount' : kind === 'network' ? 'sysfs mount' : 'mqueue mount';
}

/** A new user namespace, or the one of the joined containers when they have their own. */
function userNamespaceEntry(joined: readonly { kind: SettingKind; pid: number; container: string }[], procRoot: string): OciNamespace {
  if (joined.length === 0) return { type: 'user' };
  const hostUser = tryNamespaceInodeSync('self', 'user', procRoot);
  let chosen: { inode: number; pid: number; container: string } | undefined;
  for (const { kind, pid, container } of joined) {
    const inode = tryNamespaceInodeSync(pid, 'user', procRoot);
    // Not detectable (no /proc entry readable): leave it to runc.
    if (inode === undefined || hostUser === undefined) continue;
    if (inode === hostUser) {
      throw new NamespaceError(
        'INVALID_NAMESPACE_COMBINATION',
        `cannot join the ${kind} namespace of container ${container} with a user namespace: container ${container} runs in the host user namespace, so the kernel refuses the new container's ${mountFor(kind)}; run both remapped or neither`,
        { value: { kind, container } },
      );
    }
    if (chosen && chosen.inode !== inode) {
      throw new NamespaceError(
        'INVALID_NAMESPACE_COMBINATION',
        `containers ${chosen.container} and ${container} are in different user namespaces: a container can join namespaces of only one of them`,
        { value: [chosen.container, container] },
      );
    }
    chosen = { inode, pid, container };
  }
  return chosen ? { type: 'user', path: namespacePath(chosen.pid, 'user', { procRoot }) } : { type: 'user' };
}
