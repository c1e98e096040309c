import { describe, expect, test } from 'vitest';
import { SpecError } from './errors.js';
import { parseCommand, type CommandInput } from './command.js';
import { parseProcessConfig } from './process-config.js';

const base: CommandInput = { id: 'web-1', rootfs: '/var/lib/rootfs', process: { args: ['sh'] } };

function errorOf(input: unknown): SpecError {
  try {
    parseCommand(input);
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected parseCommand to throw');
}

describe('parseCommand', () => {
  test('fills in defaults', () => {
    const command = parseCommand(base);
    expect(command).toMatchObject({
      id: 'web-1',
      readonlyRootfs: false,
      privileged: false,
      process: { args: ['sh'], env: [], workingDir: '/', tty: false, privileged: false },
      namespaces: {},
      resources: {},
      mounts: [],
      capAdd: [],
      capDrop: [],
    });
  });

  test('accepts every field', () => {
    const command = parseCommand({
      ...base,
      readonlyRootfs: true,
      shmSizeBytes: 128 * 1024 * 1024,
      process: { args: ['sh', '-c', 'id'], env: ['A=1', 'EMPTY='], user: 'tester:users', workingDir: '/tmp', tty: true, consoleSize: { height: 24, width: 80 } },
      hostname: 'box.example',
      namespaces: { ipc: { mode: 'host' }, pid: { mode: 'container', container: 'other' }, uts: { mode: 'new' }, network: { mode: 'none' }, cgroup: { mode: 'path', path: '/proc/1/ns/cgroup' } },
      userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }] },
      resources: {
        memory: 64 * 1024 * 1024, memorySwap: -1, memoryReservation: 32 * 1024 * 1024, kernelMemory: 50_000_000, memorySwappiness: 10, oomKillDisable: false,
        cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, cpusetCpus: '0-1', cpusetMems: '0', blkioWeight: 300, pidsLimit: 100,
        ulimits: [{ name: 'NOFILE', soft: 1024, hard: 2048 }],
      },
      mounts: [
        { type: 'bind', source: '/srv/data', destination: '/data', readonly: true, propagation: 'rslave' },
        { type: 'tmpfs', destination: '/run', sizeBytes: 65536, mode: 0o755, options: ['noexec'] },
      ],
      devices: [{ path: '/dev/fuse' }],
      capAdd: ['sys_admin', 'CAP_NET_ADMIN'],
      capDrop: ['all'],
      groupAdd: ['audio', '1234'],
      appArmorProfile: 'docker-default',
      selinux: { processLabel: 'system_u:system_r:container_t:s0', mountLabel: 'system_u:object_r:container_file_t:s0' },
      seccomp: { mode: 'unconfined' },
      noNewPrivileges: true,
      oomScoreAdj: 500,
      sysctls: { 'net.ipv4.ip_forward': '1' },
      cgroupParent: '/execdriver',
      hooks: { prestart: [{ path: '/usr/bin/true' }] },
    });
    expect(command.capAdd).toEqual(['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
    expect(command.capDrop).toEqual(['ALL']);
    expect(command.resources.ulimits).toEqual([{ name: 'nofile', soft: 1024, hard: 2048 }]);
    expect(command.mounts[0]).toMatchObject({ recursive: true });
    expect(command.devices[0]).toEqual({ path: '/dev/fuse', permissions: 'rwm' });
    expect(command.shmSizeBytes).toBe(128 * 1024 * 1024);
  });

  const invalid: [string, unknown, string, string][] = [
    ['id with a slash', { ...base, id: 'a/b' }, 'id', '"a/b"'],
    ['id ..', { ...base, id: '..' }, 'id', '".."'],
    ['id starting with a dot', { ...base, id: '.x' }, 'id', '".x"'],
    ['id too long', { ...base, id: 'a'.repeat(129) }, 'id', 'at most 128'],
    ['relative rootfs', { ...base, rootfs: 'rootfs' }, 'rootfs', '"rootfs"'],
    ['rootfs with ..', { ...base, rootfs: '/var/../etc' }, 'rootfs', '"/var/../etc"'],
    ['no args', { ...base, process: { args: [] } }, 'process.args', 'at least'],
    ['relative working dir', { ...base, process: { args: ['sh'], workingDir: 'tmp' } }, 'process.workingDir', '"tmp"'],
    ['env without =', { ...base, process: { args: ['sh'], env: ['NOPE'] } }, 'process.env.0', '"NOPE"'],
    ['memory too small', { ...base, resources: { memory: 1024 } }, 'resources.memory', 'must be at least 6291456 bytes (got 1024)'],
    ['swap below memory', { ...base, resources: { memory: 64 << 20, memorySwap: 32 << 20 } }, 'resources.memorySwap', '33554432'],
    ['swappiness above 100', { ...base, resources: { memorySwappiness: 101 } }, 'resources.memorySwappiness', '101'],
    ['cpus below 0.01', { ...base, resources: { cpus: 0.005 } }, 'resources.cpus', 'at least 0.01'],
    ['shm size 0', { ...base, shmSizeBytes: 0 }, 'shmSizeBytes', '(got 0)'],
    ['shm size fractional', { ...base, shmSizeBytes: 1.5 }, 'shmSizeBytes', '(got 1.5)'],
    ['cpu shares 1', { ...base, resources: { cpuShares: 1 } }, 'resources.cpuShares', '(got 1)'],
    ['bad cpuset', { ...base, resources: { cpusetCpus: '3-1' } }, 'resources.cpusetCpus', '"3-1"'],
    ['cpuset garbage', { ...base, resources: { cpusetCpus: '0,,1' } }, 'resources.cpusetCpus', '"0,,1"'],
    ['blkio weight 5', { ...base, resources: { blkioWeight: 5 } }, 'resources.blkioWeight', '(got 5)'],
    ['unknown rlimit', { ...base, resources: { ulimits: [{ name: 'files', soft: 1, hard: 1 }] } }, 'resources.ulimits.0.name', '"files"'],
    ['soft above hard', { ...base, resources: { ulimits: [{ name: 'nofile', soft: 10, hard: 1 }] } }, 'resources.ulimits.0', 'soft limit'],
    ['unknown capability', { ...base, capAdd: ['CAP_FLY'] }, 'capAdd.0', '"CAP_FLY"'],
    ['overlapping id maps', { ...base, userNamespace: { uidMappings: [{ containerId: 0, hostId: 1000, size: 10 }, { containerId: 5, hostId: 5000, size: 10 }], gidMappings: [{ containerId: 0, hostId: 1000, size: 1 }] } }, 'userNamespace.uidMappings', 'overlap'],
    ['id map size 0', { ...base, userNamespace: { uidMappings: [{ containerId: 0, hostId: 1000, size: 0 }], gidMappings: [{ containerId: 0, hostId: 1000, size: 1 }] } }, 'userNamespace.uidMappings.0.size', '(got 0)'],
    ['id map beyond 32 bits', { ...base, userNamespace: { uidMappings: [{ containerId: 0, hostId: 4294967295, size: 2 }], gidMappings: [{ containerId: 0, hostId: 1000, size: 1 }] } }, 'userNamespace.uidMappings.0', '32 bits'],
    ['propagation on tmpfs', { ...base, mounts: [{ type: 'tmpfs', destination: '/run', propagation: 'shared' }] }, 'mounts.0.propagation', 'unknown field'],
    ['relative mount destination', { ...base, mounts: [{ type: 'bind', source: '/a', destination: 'data' }] }, 'mounts.0.destination', '"data"'],
    ['unknown field', { ...base, memory: 5 }, 'memory', 'memory: unknown field (got 5)'],
    ['bad namespace mode', { ...base, namespaces: { pid: { mode: 'shared' } } }, 'namespaces.pid.mode', ''],
    ['oom score out of range', { ...base, oomScoreAdj: 2000 }, 'oomScoreAdj', '2000'],
    ['bad hostname', { ...base, hostname: 'a b' }, 'hostname', '"a b"'],
  ];
  test.each(invalid)('rejects %s, naming the path and value', (_name, input, path, fragment) => {
    const error = errorOf(input);
    expect(error.code).toBe('INVALID_COMMAND');
    expect(error.issues.map((issue) => issue.path)).toContain(path);
    expect(error.message).toContain(fragment);
  });

  test('lists every problem in one block', () => {
    const error = errorOf({ ...base, id: 'a b', resources: { memory: 1, cpuShares: 0 } });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['id', 'resources.cpuShares', 'resources.memory']);
    expect(error.message.split('\n')).toHaveLength(4);
  });
});

describe('parseProcessConfig console size', () => {
  test('a 0x0 size (what Docker clients send without a terminal size) is left out', () => {
    expect(parseProcessConfig({ args: ['sh'], tty: true, consoleSize: { width: 0, height: 0 } }).consoleSize).toBeUndefined();
    expect(parseProcessConfig({ args: ['sh'], tty: true, consoleSize: { width: 80, height: 0 } }).consoleSize).toBeUndefined();
    expect(parseProcessConfig({ args: ['sh'], tty: true, consoleSize: { width: 100, height: 30 } }).consoleSize).toEqual({ width: 100, height: 30 });
    expect(() => parseProcessConfig({ args: ['sh'], consoleSize: { width: -1, height: 30 } })).toThrow(SpecError);
  });
});
