import type { Command, Mount } from '@execdriver/spec';
import { defaultMounts } from './defaults.js';
import { OciError } from './errors.js';
import type { OciMount } from './oci-types.js';

/** Docker's options for a `--tmpfs` mount unless the Command says otherwise. */
const tmpfsDefaultOptions = ['nosuid', 'nodev', 'noexec'];
/** An option that cancels a default (`exec` cancels `noexec`). */
const cancels: Readonly<Record<string, string>> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };

/** One Command mount -> one OCI mount. Binds default to `rbind` + `rprivate`, as Docker's. */
export function toOciMount(mount: Mount, index: number): OciMount {
  if (mount.type === 'bind') {
    const options = [mount.recursive ? 'rbind' : 'bind', mount.readonly ? 'ro' : 'rw', mount.propagation ?? 'rprivate'];
    return { destination: mount.destination, type: 'bind', source: mount.source, options };
  }
  if (mount.type === 'tmpfs') {
    if ('propagation' in mount) {
      throw new OciError('INVALID_COMMAND', `mounts.${index}.propagation: a propagation mode applies only to bind mounts, not to the tmpfs at ${mount.destination}`, {
        field: `mounts.${index}.propagation`,
        value: (mount as { propagation?: unknown }).propagation,
      });
    }
    const extra = mount.options ?? [];
    const cancelled = new Set(extra.map((option) => cancels[option]).filter((option): option is string => option !== undefined));
    const options = [...tmpfsDefaultOptions.filter((option) => !cancelled.has(option)), ...extra.filter((option) => !(option in cancels))];
    if (mount.readonly) options.push('ro');
    if (mount.sizeBytes !== undefined) options.push(`size=${mount.sizeBytes}`);
    if (mount.mode !== undefined) options.push(`mode=${mount.mode.toString(8).padStart(4, '0')}`);
    return { destination: mount.destination, type: 'tmpfs', source: 'tmpfs', options: [...new Set(options)] };
  }
  const unknown: { type?: unknown } = mount;
  throw new OciError('INVALID_COMMAND', `mounts.${index}.type: unknown mount type ${JSON.stringify(unknown.type)}`, { field: `mounts.${index}.type`, value: unknown.type });
}

export interface MountsContext {
  /** Where the container's ipc comes from: the host's /dev/shm is bound for 'host', the other container's for a join. */
  ipcShmSource?: string;
  /** The network namespace is not new: sysfs cannot be mounted from a user namespace then, so /sys is bound from the host. */
  bindSys: boolean;
  /** The size of the container's own /dev/shm (Command.shmSizeBytes with a new IPC namespace). Default 64 MiB. */
  shmSizeBytes?: number;
  /** Host files the caller wrote for /etc/hosts, /etc/resolv.conf and /etc/hostname (see EtcFiles). */
  etcFiles?: EtcFiles;
}

/** Host paths of a container's own /etc/hosts, /etc/resolv.conf and /etc/hostname (hostsFileContent() and friends). */
export interface EtcFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
}

/**
 * Docker's bind mounts of the per-container /etc files: `rbind`, `rprivate`, writable unless the
 * rootfs is read-only (moby's NetworkMounts: `writable := !ReadonlyRootfs`).
 */
function etcFileMounts(files: EtcFiles, readonlyRootfs: boolean): OciMount[] {
  const targets: [string, string | undefined][] = [
    ['/etc/resolv.conf', files.resolvConf],
    ['/etc/hostname', files.hostname],
    ['/etc/hosts', files.hosts],
  ];
  return targets.flatMap(([destination, source]) =>
    source === undefined ? [] : [{ destination, type: 'bind', source, options: ['rbind', 'rprivate', readonlyRootfs ? 'ro' : 'rw'] }],
  );
}

/**
 * Docker's default mounts adjusted for the Command, then the Command's own mounts, then the
 * container's /etc files. A Command mount replaces a default or /etc-file one at the same
 * destination. Privileged containers get /sys and /sys/fs/cgroup read-write; /dev/shm is bound
 * from `ipcShmSource` when given, else a tmpfs of `shmSizeBytes`.
 */
export function toOciMounts(command: Command, context: MountsContext): OciMount[] {
  const own = command.mounts.map(toOciMount);
  const taken = new Set(own.map((mount) => mount.destination));
  const defaults = defaultMounts()
    .map((mount): OciMount => {
      if (mount.destination === '/dev/shm' && context.ipcShmSource !== undefined) {
        return { destination: '/dev/shm', type: 'bind', source: context.ipcShmSource, options: ['rbind', 'rprivate'] };
      }
      if (mount.destination === '/dev/shm' && context.shmSizeBytes !== undefined) {
        return { ...mount, options: (mount.options ?? []).map((option) => (option.startsWith('size=') ? `size=${context.shmSizeBytes}` : option)) };
      }
      if (mount.destination === '/sys' && context.bindSys) {
        return { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', command.privileged ? 'rw' : 'ro'] };
      }
      if (command.privileged && (mount.destination === '/sys' || mount.destination === '/sys/fs/cgroup')) {
        return { ...mount, options: (mount.options ?? []).map((option) => (option === 'ro' ? 'rw' : option)) };
      }
      return mount;
    })
    .filter((mount) => !taken.has(mount.destination));
  // After the Command's mounts, so a user bind of /etc does not cover them; one the user mounts at the same path wins.
  const etc = context.etcFiles ? etcFileMounts(context.etcFiles, command.readonlyRootfs).filter((mount) => !taken.has(mount.destination)) : [];
  return [...defaults, ...own, ...etc];
}

/**
 * The rootfs propagation shared/slave bind mounts need: the container's root must be shared for
 * a shared mount to propagate, at least slave for a slave mount (as dockerd sets it).
 */
export function rootfsPropagationFor(mounts: readonly Mount[]): 'shared' | 'slave' | undefined {
  const propagations = mounts.flatMap((mount) => (mount.type === 'bind' && mount.propagation ? [mount.propagation] : []));
  if (propagations.some((propagation) => propagation === 'shared' || propagation === 'rshared')) return 'shared';
  if (propagations.some((propagation) => propagation === 'slave' || propagation === 'rslave')) return 'slave';
  return undefined;
}
