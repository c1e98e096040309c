// Docker's defaults for a container whose Command is silent, each a function returning a fresh
// object so callers can change what they get. Sources: moby's oci.DefaultLinuxSpec and
// daemon/oci_linux.go, and the issue text listing them.
import type { Capability } from '@execdriver/spec';
import type { LinuxDeviceCgroup, OciMount } from './oci-types.js';

/** Docker's 14 default capabilities (CapEff 00000000a80425fb). */
export function defaultCapabilities(): Capability[] {
  return [
    'CAP_CHOWN',
    'CAP_DAC_OVERRIDE',
    'CAP_FSETID',
    'CAP_FOWNER',
    'CAP_MKNOD',
    'CAP_NET_RAW',
    'CAP_SETGID',
    'CAP_SETUID',
    'CAP_SETFCAP',
    'CAP_SETPCAP',
    'CAP_NET_BIND_SERVICE',
    'CAP_SYS_CHROOT',
    'CAP_KILL',
    'CAP_AUDIT_WRITE',
  ];
}

/** Paths hidden from the container (runc bind-mounts /dev/null over files, an empty ro tmpfs over directories). */
export function defaultMaskedPaths(): string[] {
  return [
    '/proc/acpi',
    '/proc/asound',
    '/proc/interrupts',
    '/proc/kcore',
    '/proc/keys',
    '/proc/latency_stats',
    '/proc/sched_debug',
    '/proc/scsi',
    '/proc/timer_list',
    '/proc/timer_stats',
    '/sys/devices/virtual/powercap',
    '/sys/firmware',
  ];
}

/** Paths remounted read-only in the container. */
export function defaultReadonlyPaths(): string[] {
  return ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
}

/** Docker's /dev/shm size: 64 MiB. */
export const defaultShmSizeBytes = 64 * 1024 * 1024;

/** /proc, /dev (tmpfs), /dev/pts, /dev/shm (64 MiB), /dev/mqueue, /sys (ro) and /sys/fs/cgroup (ro). */
export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${defaultShmSizeBytes}`] },
  ];
}

const charDevice = (major: number, minor?: number): LinuxDeviceCgroup =>
  minor === undefined ? { allow: true, type: 'c', major, access: 'rwm' } : { allow: true, type: 'c', major, minor, access: 'rwm' };

/**
 * The device cgroup: deny everything, then allow mknod of any node (as runc does) and the standard
 * devices: /dev/null, zero, full, random, urandom, tty, console, ptmx and /dev/pts/*. Major/minor
 * left out mean `*`. Docker's explicit deny of /dev/fuse (10:229) is left out: deny-all already
 * covers it, and runc 1.1 refuses a deny rule that punches a hole into the `c *:* m` wildcard.
 */
export function defaultDeviceRules(): LinuxDeviceCgroup[] {
  return [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    charDevice(1, 3), // /dev/null
    charDevice(1, 5), // /dev/zero
    charDevice(1, 7), // /dev/full
    charDevice(1, 8), // /dev/random
    charDevice(1, 9), // /dev/urandom
    charDevice(5, 0), // /dev/tty
    charDevice(5, 1), // /dev/console
    charDevice(5, 2), // /dev/ptmx
    charDevice(136), // /dev/pts/*
  ];
}

/** The search path Docker gives a container without PATH in its environment. */
export const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Docker's environment defaults: PATH, HOSTNAME, HOME (from /etc/passwd, else /) and TERM=xterm
 * under a terminal. The Command's own entries override these by key.
 */
export function defaultEnvironment(context: { hostname?: string; home?: string; tty?: boolean }): string[] {
  const environment = [`PATH=${defaultPath}`];
  if (context.hostname !== undefined) environment.push(`HOSTNAME=${context.hostname}`);
  environment.push(`HOME=${context.home ?? '/'}`);
  if (context.tty) environment.push('TERM=xterm');
  return environment;
}
