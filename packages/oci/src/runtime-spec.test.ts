import { knownCapabilities, type CommandInput } from '@execdriver/spec';
import { describe, expect, test } from 'vitest';
import { OciError } from './errors.js';
import { createRuntimeSpec, type RuntimeSpecOptions } from './runtime-spec.js';
import { defaultDeviceRules, defaultMaskedPaths, defaultMounts, defaultReadonlyPaths } from './defaults.js';
import { expectValidSpec, testCommand } from './__fixtures__/harness.js';
import type { RuntimeSpec } from './oci-types.js';

/** The two required fields of a features document. */
const features = { ociVersionMin: '1.0.0', ociVersionMax: '1.2.1' };

/** createRuntimeSpec + both official schemas on every config these tests produce. */
function build(input: Parameters<typeof testCommand>[0], options?: RuntimeSpecOptions) {
  const result = createRuntimeSpec(testCommand(input), options);
  expectValidSpec(result.spec);
  return result;
}

function thrown(run: () => unknown): OciError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OciError);
    return error as OciError;
  }
  throw new Error('expected an OciError');
}

describe('defaults', () => {
  test('a Command with only args gets Docker defaults', () => {
    const { spec, warnings } = build({ id: 'web-1', rootfs: '/srv/rootfs', process: { args: ['nginx'] } });
    expect(warnings).toEqual([]);
    expect(spec.ociVersion).toBe('1.0.2-dev');
    expect(spec.root).toEqual({ path: '/srv/rootfs', readonly: false });
    expect(spec.hostname).toBe('web-1');
    expect(spec.mounts).toEqual(defaultMounts());
    expect(spec.process).toMatchObject({
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['nginx'],
      cwd: '/',
      noNewPrivileges: false,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=web-1', 'HOME=/'],
    });
    const caps = spec.process!.capabilities!;
    expect(caps.bounding).toHaveLength(14);
    expect(caps.effective).toEqual(caps.bounding);
    expect(caps.permitted).toEqual(caps.bounding);
    expect(caps.inheritable).toEqual([]);
    expect(caps.ambient).toEqual([]);
    expect(spec.linux?.namespaces?.map((namespace) => namespace.type)).toEqual(['mount', 'pid', 'network', 'ipc', 'uts', 'cgroup']);
    expect(spec.linux?.maskedPaths).toEqual(defaultMaskedPaths());
    expect(spec.linux?.readonlyPaths).toEqual(defaultReadonlyPaths());
    expect(spec.linux?.resources).toEqual({ devices: defaultDeviceRules() });
    expect(spec.linux?.cgroupsPath).toBe('/execdriver-test-oci/web-1');
    expect(spec.linux?.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(spec.linux?.seccomp?.syscalls?.length).toBeGreaterThan(0);
    // Docker's network sysctls for a network namespace of the container's own.
    expect(spec.linux?.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
    expect(spec.hooks).toBeUndefined();
  });

  test('no cgroup namespace when the kernel lacks it', () => {
    const { spec } = build({}, { supportedNamespaces: new Set(['mount', 'pid', 'network', 'ipc', 'uts', 'user']) });
    expect(spec.linux?.namespaces?.map((namespace) => namespace.type)).not.toContain('cgroup');
  });

  test('TERM=xterm with a tty, consoleSize passed through, the Command env overrides by key', () => {
    const { spec } = build({ process: { args: ['sh'], tty: true, consoleSize: { height: 40, width: 120 }, env: ['HOME=/work', 'TERM=vt100', 'A=1'] } });
    expect(spec.process?.terminal).toBe(true);
    expect(spec.process?.consoleSize).toEqual({ height: 40, width: 120 });
    expect(spec.process?.env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', expect.stringMatching(/^HOSTNAME=/), 'HOME=/work', 'TERM=vt100', 'A=1']);
  });

  test('pure: the same Command gives equal configs, and changing one does not change the next', () => {
    const command = testCommand({ id: 'same' });
    const first = createRuntimeSpec(command).spec;
    first.linux!.maskedPaths!.push('/oops');
    first.mounts!.push({ destination: '/oops' });
    first.linux!.seccomp!.syscalls![0]!.names.push('oops');
    first.linux!.seccomp!.architectures!.pop();
    const second = createRuntimeSpec(command).spec;
    expect(second.linux?.seccomp?.syscalls?.[0]?.names).not.toContain('oops');
    expect(second.linux?.seccomp).toEqual(createRuntimeSpec(testCommand({ id: 'other' })).spec.linux?.seccomp);
    expect(second.linux?.maskedPaths).toEqual(defaultMaskedPaths());
    expect(second.mounts).toEqual(defaultMounts());
  });
});

describe('privileged', () => {
  test('all capabilities, no masked or read-only paths, all devices, rw /sys, no seccomp', () => {
    const { spec } = build({ privileged: true });
    expect(spec.process?.capabilities?.bounding).toEqual([...knownCapabilities]);
    expect(spec.linux?.maskedPaths).toEqual([]);
    expect(spec.linux?.readonlyPaths).toEqual([]);
    expect(spec.linux?.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
    expect(spec.linux?.seccomp).toBeUndefined();
    const sys = spec.mounts?.find((mount) => mount.destination === '/sys');
    expect(sys?.options).toContain('rw');
    expect(sys?.options).not.toContain('ro');
  });

  test('seccomp set explicitly stays on', () => {
    expect(build({ privileged: true, seccomp: { mode: 'default' } }).spec.linux?.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
  });

  test('availableCapabilities bounds what privileged gets', () => {
    const { spec } = build({ privileged: true }, { availableCapabilities: ['CAP_CHOWN', 'CAP_KILL'] });
    expect(spec.process?.capabilities?.bounding).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });

  const loop0 = { type: 'b', path: '/dev/loop0', major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 6 };
  const nullDevice = { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 };

  test('hostDevices: all of them in linux.devices, after the Command devices, duplicates by path skipped', () => {
    const fuse = { type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 };
    const { spec } = build({ privileged: true, devices: [{ path: '/dev/fuse' }] }, { devices: [fuse], hostDevices: [nullDevice, { ...fuse, fileMode: 0o666 }, loop0, { ...loop0, minor: 9 }] });
    expect(spec.linux?.devices).toEqual([fuse, nullDevice, loop0]);
    expect(spec.linux?.resources?.devices).toEqual([{ allow: true, access: 'rwm' }]);
  });

  test('hostDevices are ignored without privileged (and with exec-style process.privileged)', () => {
    expect(build({}, { hostDevices: [loop0] }).spec.linux?.devices).toBeUndefined();
    expect(build({ process: { args: ['sh'], privileged: true } }, { hostDevices: [loop0] }).spec.linux?.devices).toBeUndefined();
  });

  test('process.privileged (exec style) gives all capabilities and no seccomp but keeps masked paths', () => {
    const { spec } = build({ process: { args: ['sh'], privileged: true } });
    expect(spec.process?.capabilities?.bounding).toHaveLength(knownCapabilities.length);
    expect(spec.linux?.seccomp).toBeUndefined();
    expect(spec.linux?.maskedPaths).toEqual(defaultMaskedPaths());
  });
});

describe('capabilities', () => {
  test.each([
    { capAdd: ['SYS_ADMIN'], capDrop: [], has: ['CAP_SYS_ADMIN', 'CAP_CHOWN'], hasNot: [], count: 15 },
    { capAdd: [], capDrop: ['chown', 'NET_RAW'], has: ['CAP_KILL'], hasNot: ['CAP_CHOWN', 'CAP_NET_RAW'], count: 12 },
    { capAdd: ['ALL'], capDrop: ['SYS_ADMIN'], has: ['CAP_SYS_MODULE'], hasNot: ['CAP_SYS_ADMIN'], count: knownCapabilities.length - 1 },
    { capAdd: ['KILL'], capDrop: ['ALL'], has: ['CAP_KILL'], hasNot: ['CAP_CHOWN'], count: 1 },
    { capAdd: [], capDrop: ['ALL'], has: [], hasNot: ['CAP_CHOWN'], count: 0 },
  ])('capAdd $capAdd capDrop $capDrop', ({ capAdd, capDrop, has, hasNot, count }) => {
    const bounding = build({ capAdd, capDrop }).spec.process?.capabilities?.bounding ?? [];
    expect(bounding).toHaveLength(count);
    expect(bounding).toEqual(expect.arrayContaining(has));
    for (const name of hasNot) expect(bounding).not.toContain(name);
  });

  test.each([
    [{ capAdd: ['SYS_RESOURCE'] }, 'capAdd.0'],
    [{ capAdd: ['KILL', 'SYS_RESOURCE'], capDrop: ['ALL'] }, 'capAdd.1'],
    [{ privileged: true, capAdd: ['SYS_RESOURCE'] }, 'capAdd.0'],
  ])('capAdd beyond availableCapabilities: %o is CAPABILITY_UNAVAILABLE', (input, field) => {
    const available = knownCapabilities.filter((name) => name !== 'CAP_SYS_RESOURCE');
    const error = thrown(() => createRuntimeSpec(testCommand(input), { availableCapabilities: available }));
    expect(error).toMatchObject({ code: 'CAPABILITY_UNAVAILABLE', field, value: 'CAP_SYS_RESOURCE' });
    expect(error.message).toMatch(/CAP_SYS_RESOURCE .*bounding set lacks it/);
  });

  test('capAdd ALL and privileged are everything available, never an error; without availableCapabilities nothing is checked', () => {
    const available = knownCapabilities.filter((name) => name !== 'CAP_SYS_RESOURCE');
    expect(build({ capAdd: ['ALL'] }, { availableCapabilities: available }).spec.process?.capabilities?.bounding).toEqual(available);
    expect(build({ privileged: true }, { availableCapabilities: available }).spec.process?.capabilities?.bounding).toEqual(available);
    expect(build({ capAdd: ['SYS_RESOURCE'] }).spec.process?.capabilities?.bounding).toContain('CAP_SYS_RESOURCE');
  });

  test('capabilities the runtime does not know are left out with a warning', () => {
    const { spec, warnings } = build({ capAdd: ['BPF'] }, { features: { ...features, linux: { capabilities: ['CAP_CHOWN', 'CAP_KILL'] } } });
    expect(spec.process?.capabilities?.bounding).toEqual(['CAP_CHOWN', 'CAP_KILL']);
    expect(warnings).toEqual([expect.objectContaining({ code: 'CAPABILITY_UNKNOWN_TO_RUNTIME', field: 'capAdd' })]);
  });
});

describe('user', () => {
  test('numeric uid:gid and groupAdd need no lookup', () => {
    const { spec } = build({ groupAdd: ['29', '100'], process: { args: ['id'], user: '1000:1000' } });
    expect(spec.process?.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [29, 100] });
  });

  test('a resolved user from options: uid, gid, groups and HOME', () => {
    const { spec } = build({ process: { args: ['id'], user: 'tester' } }, { user: { uid: 1000, gid: 1000, additionalGids: [100], home: '/home/tester' } });
    expect(spec.process?.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [100] });
    expect(spec.process?.env).toContain('HOME=/home/tester');
  });

  test('names without a resolved user are refused', () => {
    const error = thrown(() => createRuntimeSpec(testCommand({ process: { args: ['id'], user: 'tester' } })));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.field).toBe('process.user');
    expect(error.message).toContain('tester');
  });
});

describe('resources', () => {
  test('every field lands in linux.resources and process.rlimits', () => {
    const { spec, warnings } = build({
      resources: {
        memory: 64 * 1024 * 1024,
        memoryReservation: 32 * 1024 * 1024,
        memorySwap: -1,
        memorySwappiness: 0,
        oomKillDisable: true,
        cpuShares: 1024,
        cpuQuota: 50_000,
        cpuPeriod: 100_000,
        cpusetCpus: '0-1',
        cpusetMems: '0',
        blkioWeight: 500,
        pidsLimit: 100,
        ulimits: [{ name: 'nofile', soft: 1024, hard: 4096 }],
      },
    });
    expect(warnings).toEqual([]);
    expect(spec.linux?.resources).toMatchObject({
      memory: { limit: 67108864, reservation: 33554432, swap: -1, swappiness: 0, disableOOMKiller: true },
      cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
      blockIO: { weight: 500 },
      pids: { limit: 100 },
    });
    expect(spec.process?.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }]);
  });

  test('cgroup v2: kernel memory, swappiness and OOM-kill-disable become warnings, not config', () => {
    const { spec, warnings } = build({ resources: { memory: 64 * 1024 * 1024, kernelMemory: 1024 * 1024, memorySwappiness: 10, oomKillDisable: true } }, { cgroupMode: 'unified' });
    expect(spec.linux?.resources?.memory).toEqual({ limit: 67108864, swap: 134217728 });
    expect(warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ['KERNEL_MEMORY_IGNORED', 'resources.kernelMemory'],
      ['SWAPPINESS_UNSUPPORTED', 'resources.memorySwappiness'],
      ['OOM_KILL_DISABLE_UNSUPPORTED', 'resources.oomKillDisable'],
    ]);
  });

  test('cgroup v1: kernel memory is written and warned about (runc 1.1 ignores it)', () => {
    const { spec, warnings } = build({ resources: { kernelMemory: 1024 * 1024 } }, { cgroupMode: 'legacy' });
    expect(spec.linux?.resources?.memory).toEqual({ kernel: 1048576 });
    expect(warnings.map((warning) => warning.code)).toEqual(['KERNEL_MEMORY_IGNORED']);
  });

  test('blkio weight without a weight-capable scheduler is a warning', () => {
    const { spec, warnings } = build({ resources: { blkioWeight: 300 } }, { blkioWeightSupported: false });
    expect(spec.linux?.resources?.blockIO).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ code: 'BLKIO_WEIGHT_UNSUPPORTED', field: 'resources.blkioWeight' })]);
  });

  test('onlineCpus: cpus above the count and a cpuset naming an offline CPU are INVALID_RESOURCES', () => {
    const onlineCpus = new Set([0, 1]);
    expect(build({ resources: { cpus: 2, cpusetCpus: '0-1' } }, { onlineCpus }).spec.linux?.resources?.cpu).toMatchObject({ quota: 200000, cpus: '0-1' });
    expect(thrown(() => createRuntimeSpec(testCommand({ resources: { cpus: 3 } }), { onlineCpus }))).toMatchObject({ code: 'INVALID_RESOURCES', field: 'resources.cpus', value: 3 });
    expect(thrown(() => createRuntimeSpec(testCommand({ resources: { cpusetCpus: '1-2' } }), { onlineCpus }))).toMatchObject({ code: 'INVALID_RESOURCES', field: 'resources.cpusetCpus', value: '1-2' });
    // Not checked without the option.
    expect(build({ resources: { cpus: 64 } }).spec.linux?.resources?.cpu?.quota).toBe(6_400_000);
  });

  test('cpus becomes quota over a 100 ms period; pidsLimit 0 and -1 are unlimited', () => {
    expect(build({ resources: { cpus: 0.5 } }).spec.linux?.resources?.cpu).toEqual({ period: 100000, quota: 50000 });
    expect(build({ resources: { pidsLimit: 0 } }).spec.linux?.resources?.pids).toEqual({ limit: -1 });
    expect(build({ resources: { pidsLimit: -1 } }).spec.linux?.resources?.pids).toEqual({ limit: -1 });
  });
});

describe('mounts and root', () => {
  test('binds rw/ro with propagation, tmpfs with size, mode and options, read-only rootfs', () => {
    const { spec } = build({
      readonlyRootfs: true,
      mounts: [
        { type: 'bind', source: '/srv/data', destination: '/data' },
        { type: 'bind', source: '/srv/conf', destination: '/conf', readonly: true, propagation: 'rslave', recursive: false },
        { type: 'tmpfs', destination: '/run', sizeBytes: 1048576, mode: 0o755, options: ['exec', 'uid=1000'] },
        { type: 'tmpfs', destination: '/dev/shm', sizeBytes: 8388608 },
      ],
    });
    expect(spec.root.readonly).toBe(true);
    const byDestination = Object.fromEntries((spec.mounts ?? []).map((mount) => [mount.destination, mount]));
    expect(byDestination['/data']).toEqual({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'rw', 'rprivate'] });
    expect(byDestination['/conf']).toEqual({ destination: '/conf', type: 'bind', source: '/srv/conf', options: ['bind', 'ro', 'rslave'] });
    expect(byDestination['/run']).toEqual({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'uid=1000', 'size=1048576', 'mode=0755'] });
    // A Command mount replaces the default one at the same place.
    expect(spec.mounts?.filter((mount) => mount.destination === '/dev/shm')).toEqual([
      { destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', 'size=8388608'] },
    ]);
    expect(spec.linux?.rootfsPropagation).toBe('slave');
  });

  test('shmSizeBytes sizes the own /dev/shm; ipc host or joined ignores it', () => {
    const shm = (spec: RuntimeSpec) => spec.mounts?.find((mount) => mount.destination === '/dev/shm');
    expect(shm(build({ shmSizeBytes: 128 * 1024 * 1024 }).spec)).toEqual({
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=134217728'],
    });
    expect(shm(build({ shmSizeBytes: 1024, namespaces: { ipc: { mode: 'host' } } }).spec)).toEqual({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
    const joined = build({ shmSizeBytes: 1024, namespaces: { ipc: { mode: 'container', container: 'db' } } }, { containerPid: () => 42 });
    expect(shm(joined.spec)?.options).toContain('size=67108864');
  });

  const etcFiles = { hosts: '/run/c1/hosts', resolvConf: '/run/c1/resolv.conf', hostname: '/run/c1/hostname' };

  test('etcFiles: rbind, rprivate, rw bind mounts at /etc after the Command mounts', () => {
    const { spec } = build({ mounts: [{ type: 'bind', source: '/srv/etc', destination: '/etc' }] }, { etcFiles });
    expect(spec.mounts?.slice(-4)).toEqual([
      { destination: '/etc', type: 'bind', source: '/srv/etc', options: ['rbind', 'rw', 'rprivate'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: '/run/c1/resolv.conf', options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/etc/hostname', type: 'bind', source: '/run/c1/hostname', options: ['rbind', 'rprivate', 'rw'] },
      { destination: '/etc/hosts', type: 'bind', source: '/run/c1/hosts', options: ['rbind', 'rprivate', 'rw'] },
    ]);
  });

  test("etcFiles: read-only with a read-only rootfs (moby's NetworkMounts); only those given; a Command mount at the same path wins", () => {
    const readonly = build({ readonlyRootfs: true }, { etcFiles: { hosts: etcFiles.hosts } }).spec.mounts?.filter((mount) => mount.destination.startsWith('/etc'));
    expect(readonly).toEqual([{ destination: '/etc/hosts', type: 'bind', source: '/run/c1/hosts', options: ['rbind', 'rprivate', 'ro'] }]);
    const own = build({ mounts: [{ type: 'bind', source: '/srv/hosts', destination: '/etc/hosts', readonly: true }] }, { etcFiles }).spec.mounts;
    expect(own?.filter((mount) => mount.destination === '/etc/hosts')).toEqual([{ destination: '/etc/hosts', type: 'bind', source: '/srv/hosts', options: ['rbind', 'ro', 'rprivate'] }]);
    expect(own?.map((mount) => mount.destination)).toEqual(expect.arrayContaining(['/etc/resolv.conf', '/etc/hostname']));
  });

  test('a shared bind makes the root shared', () => {
    expect(build({ mounts: [{ type: 'bind', source: '/a', destination: '/a', propagation: 'rshared' }] }).spec.linux?.rootfsPropagation).toBe('shared');
  });

  test('a propagation mode on a tmpfs is refused naming the field', () => {
    const command = testCommand({});
    const mounts = [{ type: 'tmpfs', destination: '/run', readonly: false, propagation: 'shared' }] as unknown as typeof command.mounts;
    const error = thrown(() => createRuntimeSpec({ ...command, mounts }));
    expect(error.code).toBe('INVALID_COMMAND');
    expect(error.field).toBe('mounts.0.propagation');
  });

  test("ipc 'host' binds the host's /dev/shm; ipc of another container binds its shmPath", () => {
    expect(build({ namespaces: { ipc: { mode: 'host' } } }).spec.mounts?.find((mount) => mount.destination === '/dev/shm')).toMatchObject({ type: 'bind', source: '/dev/shm' });
    const joined = build({ namespaces: { ipc: { mode: 'container', container: 'db' } } }, { containerPid: () => 42, shmPath: (id) => `/var/lib/execdriver/${id}/shm` });
    expect(joined.warnings).toEqual([]);
    expect(joined.spec.mounts?.find((mount) => mount.destination === '/dev/shm')).toMatchObject({ type: 'bind', source: '/var/lib/execdriver/db/shm' });
  });
});

describe('namespaces', () => {
  test("'host' is omitted, 'container' is the other container's path, 'path' passes through", () => {
    const { spec } = build(
      { namespaces: { pid: { mode: 'host' }, network: { mode: 'container', container: 'db' }, uts: { mode: 'path', path: '/run/netns/x' }, ipc: { mode: 'new' } } },
      { containerPid: (id) => (id === 'db' ? 4242 : undefined), procRoot: '/host/proc' },
    );
    expect(spec.linux?.namespaces).toEqual([{ type: 'mount' }, { type: 'network', path: '/host/proc/4242/ns/net' }, { type: 'ipc' }, { type: 'uts', path: '/run/netns/x' }, { type: 'cgroup' }]);
    // Not our UTS namespace: no hostname.
    expect(spec.hostname).toBeUndefined();
  });

  test('joining a container that does not exist is CONTAINER_NOT_FOUND naming it', () => {
    const error = thrown(() => createRuntimeSpec(testCommand({ namespaces: { network: { mode: 'container', container: 'ghost' } } }), { containerPid: () => undefined }));
    expect(error.code).toBe('CONTAINER_NOT_FOUND');
    expect(error.field).toBe('namespaces');
    expect(error.message).toContain('ghost');
  });

  test('user namespace: uid and gid maps in OCI spelling', () => {
    const { spec } = build({
      userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMappings: [{ containerId: 0, hostId: 200000, size: 1000 }] },
    });
    expect(spec.linux?.namespaces?.at(-1)).toEqual({ type: 'user' });
    expect(spec.linux?.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    expect(spec.linux?.gidMappings).toEqual([{ containerID: 0, hostID: 200000, size: 1000 }]);
  });

  test('a user namespace with the host network is refused', () => {
    const error = thrown(() => createRuntimeSpec(testCommand({ namespaces: { network: { mode: 'host' } }, userNamespace: { uidMappings: [{ containerId: 0, hostId: 1000, size: 1 }], gidMappings: [{ containerId: 0, hostId: 1000, size: 1 }] } })));
    expect(error.code).toBe('INVALID_NAMESPACES');
  });

  test('hostname with the host UTS namespace is refused; host network takes the host hostname', () => {
    expect(thrown(() => createRuntimeSpec(testCommand({ hostname: 'x', namespaces: { uts: { mode: 'host' } } }))).field).toBe('hostname');
    expect(thrown(() => createRuntimeSpec(testCommand({ domainname: 'x.org', namespaces: { uts: { mode: 'path', path: '/run/uts' } } }))).field).toBe('domainname');
    expect(build({ namespaces: { network: { mode: 'host' } } }, { hostNetwork: { hostname: 'box' } }).spec.hostname).toBe('box');
    expect(build({ hostname: 'mine', domainname: 'example.org' }).spec).toMatchObject({ hostname: 'mine', domainname: 'example.org' });
  });
});

describe('sysctls', () => {
  test('namespaced ones pass (slashes become dots)', () => {
    const { spec } = build({ sysctls: { 'net.ipv4.ip_forward': '1', 'kernel/shmmax': '1000', 'kernel.sem': '1 2 3 4', 'fs.mqueue.msg_max': '20', 'kernel.msgmax': '9' } });
    expect(spec.linux?.sysctl).toEqual({
      'net.ipv4.ping_group_range': '0 2147483647',
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.ipv4.ip_forward': '1',
      'kernel.shmmax': '1000',
      'kernel.sem': '1 2 3 4',
      'fs.mqueue.msg_max': '20',
      'kernel.msgmax': '9',
    });
  });

  test.each([
    [{ network: { mode: 'none' } }, {}, true, true],
    [{ network: { mode: 'host' } }, {}, false, false],
    [{ network: { mode: 'container', container: 'db' } }, {}, false, false],
    [{ network: { mode: 'path', path: '/run/netns/x' } }, {}, false, false],
    // Like Docker: no ping range in a user namespace (the kernel refuses unmapped gids).
    [{}, { userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }] } }, false, true],
  ] as [CommandInput['namespaces'], Partial<CommandInput>, boolean, boolean][])("Docker's network sysctls with namespaces %o %o: ping %s, ports %s", (namespaces, extra, ping, ports) => {
    const sysctl = build({ namespaces, ...extra }, { containerPid: () => 42 }).spec.linux?.sysctl ?? {};
    expect('net.ipv4.ping_group_range' in sysctl).toBe(ping);
    expect('net.ipv4.ip_unprivileged_port_start' in sysctl).toBe(ports);
  });

  test("the Command's own values win (slash spelling too)", () => {
    const { spec } = build({ sysctls: { 'net/ipv4/ip_unprivileged_port_start': '1024', 'net.ipv4.ping_group_range': '1 0' } });
    expect(spec.linux?.sysctl).toEqual({ 'net.ipv4.ping_group_range': '1 0', 'net.ipv4.ip_unprivileged_port_start': '1024' });
  });

  test.each([
    [{ 'kernel.domainname': 'x' }, {}, 'SYSCTL_NOT_NAMESPACED', 'sysctls.kernel.domainname'],
    [{ 'vm.swappiness': '1' }, {}, 'SYSCTL_NOT_NAMESPACED', 'sysctls.vm.swappiness'],
    [{ 'net.core.somaxconn': '1' }, { network: { mode: 'host' } }, 'SYSCTL_HOST_NETWORK', 'sysctls.net.core.somaxconn'],
    [{ 'kernel.shmmax': '1' }, { ipc: { mode: 'host' } }, 'SYSCTL_HOST_IPC', 'sysctls.kernel.shmmax'],
  ] as const)('%o with %o is %s', (sysctls, namespaces, code, field) => {
    const error = thrown(() => createRuntimeSpec(testCommand({ sysctls, namespaces })));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
    expect(error.value).toBe(Object.keys(sysctls)[0]);
  });
});

describe('cgroupsPath', () => {
  test.each([
    [{}, undefined, '/execdriver-test-oci/c1'],
    [{ cgroupParent: undefined }, 'mine', '/mine/c1'],
    [{ cgroupParent: 'parent/sub' }, undefined, '/parent/sub/c1'],
    [{ systemdCgroup: true, cgroupParent: undefined }, undefined, 'system.slice:execdriver:c1'],
    [{ systemdCgroup: true, cgroupParent: 'machine.slice' }, 'docker', 'machine.slice:docker:c1'],
  ])('%o prefix %s -> %s', (input, prefix, expected) => {
    const command = { ...testCommand({ id: 'c1' }), ...input };
    expect(createRuntimeSpec(command, prefix === undefined ? {} : { cgroupsPathPrefix: prefix }).spec.linux?.cgroupsPath).toBe(expected);
  });

  test('systemd form needs a slice', () => {
    expect(thrown(() => createRuntimeSpec(testCommand({ systemdCgroup: true, cgroupParent: '/not/a/slice' }))).field).toBe('cgroupParent');
  });
});

describe('security and the rest', () => {
  test('AppArmor, SELinux labels, oomScoreAdj, noNewPrivileges, hooks, annotations', () => {
    const hooks = { prestart: [{ path: '/usr/bin/hook', args: ['hook', 'pre'], timeout: 5 }], poststop: [{ path: '/usr/bin/hook' }] };
    const { spec } = build({
      appArmorProfile: 'docker-default',
      selinux: { processLabel: 'system_u:system_r:container_t:s0', mountLabel: 'system_u:object_r:container_file_t:s0' },
      oomScoreAdj: -500,
      noNewPrivileges: true,
      hooks,
      annotations: { 'org.example': 'yes' },
    });
    expect(spec.process).toMatchObject({ apparmorProfile: 'docker-default', selinuxLabel: 'system_u:system_r:container_t:s0', oomScoreAdj: -500, noNewPrivileges: true });
    expect(spec.linux?.mountLabel).toBe('system_u:object_r:container_file_t:s0');
    expect(spec.hooks).toEqual(hooks);
    expect(spec.annotations).toEqual({ 'org.example': 'yes' });
  });

  test('lsm: a module that is off drops its settings with an LSM_DISABLED warning per field', () => {
    const selinux = { processLabel: 'system_u:system_r:container_t:s0', mountLabel: 'system_u:object_r:container_file_t:s0' };
    const off = build({ appArmorProfile: 'docker-default', selinux }, { lsm: { apparmor: false, selinux: false } });
    expect(off.spec.process?.apparmorProfile).toBeUndefined();
    expect(off.spec.process?.selinuxLabel).toBeUndefined();
    expect(off.spec.linux?.mountLabel).toBeUndefined();
    expect(off.warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ['LSM_DISABLED', 'appArmorProfile'],
      ['LSM_DISABLED', 'selinux.processLabel'],
      ['LSM_DISABLED', 'selinux.mountLabel'],
    ]);
    expect(off.warnings[0]?.message).toContain('docker-default');
    const on = build({ appArmorProfile: 'docker-default', selinux }, { lsm: { apparmor: true, selinux: true } });
    expect(on.warnings).toEqual([]);
    expect(on.spec.process).toMatchObject({ apparmorProfile: 'docker-default', selinuxLabel: selinux.processLabel });
    expect(on.spec.linux?.mountLabel).toBe(selinux.mountLabel);
    const apparmorOnly = build({ appArmorProfile: 'p', selinux }, { lsm: { apparmor: true, selinux: false } });
    expect(apparmorOnly.spec.process?.apparmorProfile).toBe('p');
    expect(apparmorOnly.warnings.map((warning) => warning.field)).toEqual(['selinux.processLabel', 'selinux.mountLabel']);
    // Nothing set, nothing to warn about.
    expect(build({}, { lsm: { apparmor: false, selinux: false } }).warnings).toEqual([]);
  });

  test('runtime features reporting an LSM disabled warn but keep the settings (without options.lsm)', () => {
    const { spec, warnings } = build({ appArmorProfile: 'p' }, { features: { ...features, linux: { apparmor: { enabled: false } } } });
    expect(spec.process?.apparmorProfile).toBe('p');
    expect(warnings).toEqual([expect.objectContaining({ code: 'LSM_DISABLED', field: 'appArmorProfile' })]);
  });

  test('seccomp unconfined is no filter; a custom profile passes through; features without seccomp warn', () => {
    expect(build({ seccomp: { mode: 'unconfined' } }).spec.linux?.seccomp).toBeUndefined();
    const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mount'], action: 'SCMP_ACT_ERRNO' }] };
    expect(build({ seccomp: { mode: 'custom', profile } }).spec.linux?.seccomp).toEqual(profile);
    const bad = thrown(() => createRuntimeSpec(testCommand({ seccomp: { mode: 'custom', profile: { defaultAction: 'SCMP_ACT_SOMETIMES' } } })));
    expect(bad.code).toBe('INVALID_COMMAND');
    expect(bad.field).toBe('seccomp.profile.defaultAction');
    const noSeccomp = build({}, { features: { ...features, linux: { seccomp: { enabled: false } } } });
    expect(noSeccomp.spec.linux?.seccomp).toBeUndefined();
    expect(noSeccomp.warnings.map((warning) => warning.code)).toEqual(['SECCOMP_UNSUPPORTED']);
    expect(thrown(() => createRuntimeSpec(testCommand({ seccomp: { mode: 'default' } }), { features: { ...features, linux: { seccomp: { enabled: false } } } })).code).toBe('UNSUPPORTED');
  });

  test('the default filter follows the architecture and the capabilities', () => {
    const arm = build({}, { architecture: 'arm64' }).spec.linux?.seccomp;
    expect(arm?.architectures).toContain('SCMP_ARCH_AARCH64');
    const allowed = (spec: RuntimeSpec) => new Set((spec.linux?.seccomp?.syscalls ?? []).filter((rule) => rule.action === 'SCMP_ACT_ALLOW' && !rule.args?.length).flatMap((rule) => rule.names));
    expect(allowed(build({}).spec).has('mount')).toBe(false);
    expect(allowed(build({ capAdd: ['SYS_ADMIN'] }).spec).has('mount')).toBe(true);
  });

  test('devices: resolved nodes in linux.devices and an allow rule each; missing resolution is refused', () => {
    const devices = [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 }];
    const { spec } = build({ devices: [{ path: '/dev/fuse', permissions: 'rw' }] }, { devices });
    expect(spec.linux?.devices).toEqual(devices);
    expect(spec.linux?.resources?.devices?.at(-1)).toEqual({ allow: true, type: 'c', major: 10, minor: 229, access: 'rw' });
    const error = thrown(() => createRuntimeSpec(testCommand({ devices: [{ path: '/dev/fuse' }] })));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.field).toBe('devices');
  });
});

describe('time namespace', () => {
  test('the host time namespace by default; a new one only when asked for', () => {
    expect(build({}).spec.linux?.namespaces?.map((entry) => entry.type)).not.toContain('time');
    const spec = createRuntimeSpec(testCommand({ namespaces: { time: { mode: 'new' } } })).spec;
    expect(spec.linux?.namespaces).toContainEqual({ type: 'time' });
  });

  test('refused up front when the runtime features do not list it (runc 1.1)', () => {
    const runcFeatures = { ...features, linux: { namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'] as ('cgroup' | 'ipc' | 'mount' | 'network' | 'pid' | 'user' | 'uts')[] } };
    expect(() => createRuntimeSpec(testCommand({ namespaces: { time: { mode: 'new' } } }), { features: runcFeatures })).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED', field: 'namespaces.time', value: 'time' }),
    );
    expect(build({}, { features: runcFeatures }).spec.linux?.namespaces?.length).toBeGreaterThan(0);
  });
});
