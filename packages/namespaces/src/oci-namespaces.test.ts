import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Namespaces } from '@execdriver/spec';
import { NamespaceError } from './errors.js';
import { namespaceInode, namespacePath, supportedNamespaceKinds, type NamespaceKind } from './namespace-kind.js';
import { toOciNamespaces } from './oci-namespaces.js';

/** A fake /proc: self and pids 42 (host user namespace), 43 and 44 (each its own user namespace). */
let proc: string;
const pids: Record<string, number> = { plain: 42, remapped: 43, other: 44 };
beforeAll(async () => {
  proc = await mkdtemp(join(tmpdir(), 'ns-proc-'));
  const links: [string, string][] = [
    ['self', 'user:[4026531837]'],
    ['42', 'user:[4026531837]'],
    ['43', 'user:[4026532001]'],
    ['44', 'user:[4026532002]'],
  ];
  for (const [pid, target] of links) {
    await mkdir(join(proc, pid, 'ns'), { recursive: true });
    await symlink(target, join(proc, pid, 'ns/user'));
    await symlink('ipc:[4026532100]', join(proc, pid, 'ns/ipc'));
  }
  for (const name of ['ipc', 'uts', 'net', 'mnt', 'pid', 'pid_for_children', 'cgroup']) {
    await symlink(`${name}:[1]`, join(proc, 'self/ns', name)).catch(() => undefined);
  }
});
afterAll(() => rm(proc, { recursive: true, force: true }));

const containerPid = (id: string) => pids[id];
const options = () => ({ containerPid, procRoot: proc });

function errorOf(action: () => unknown): NamespaceError {
  try {
    action();
  } catch (error) {
    if (error instanceof NamespaceError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('namespacePath / namespaceInode / supportedNamespaceKinds', () => {
  it.each([
    ['network', '/proc/7/ns/net'],
    ['mount', '/proc/7/ns/mnt'],
    ['ipc', '/proc/7/ns/ipc'],
    ['time', '/proc/7/ns/time'],
  ] as const)('%s -> %s', (kind, path) => {
    expect(namespacePath(7, kind)).toBe(path);
  });

  it('reads inodes and the supported kinds', async () => {
    expect(namespacePath(42, 'user', { procRoot: proc })).toBe(`${proc}/42/ns/user`);
    expect(await namespaceInode(43, 'user', { procRoot: proc })).toBe(4026532001);
    await expect(namespaceInode(99, 'ipc', { procRoot: proc })).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    expect([...(await supportedNamespaceKinds({ procRoot: proc }))].sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts']);
    const real = await supportedNamespaceKinds();
    expect(real.has('pid') && real.has('user') && real.has('mount')).toBe(true);
    expect(await namespaceInode(process.pid, 'ipc')).toBeGreaterThan(0);
  });
});

describe('toOciNamespaces', () => {
  it.each<[string, Namespaces, object, object[]]>([
    ['defaults: all new', {}, {}, [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'cgroup' }]],
    [
      'host kinds omitted, none is a new network',
      { pid: { mode: 'host' }, network: { mode: 'none' }, ipc: { mode: 'host' }, uts: { mode: 'host' }, cgroup: { mode: 'host' } },
      {},
      [{ type: 'mount' }, { type: 'network' }],
    ],
    [
      'joined by container and by path',
      { ipc: { mode: 'container', container: 'plain' }, network: { mode: 'path', path: '/var/run/netns/x' } },
      { procRoot: '/proc' },
      [{ type: 'mount' }, { type: 'pid' }, { type: 'network', path: '/var/run/netns/x' }, { type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'uts' }, { type: 'cgroup' }],
    ],
    [
      'cgroup omitted when unsupported',
      {},
      { supportedKinds: new Set<NamespaceKind>(['mount', 'pid', 'network', 'ipc', 'uts']) },
      [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }],
    ],
    ['time: new only when asked for', { time: { mode: 'new' } }, {}, [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'cgroup' }, { type: 'time' }]],
    ['time: joined by path', { time: { mode: 'path', path: '/proc/7/ns/time' }, cgroup: { mode: 'host' } }, {}, [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'time', path: '/proc/7/ns/time' }]],
    ['user namespace', { cgroup: { mode: 'host' } }, { userNamespace: true }, [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'user' }]],
    [
      'uts host with a user namespace is fine',
      { uts: { mode: 'host' }, cgroup: { mode: 'host' } },
      { userNamespace: true },
      [{ type: 'mount' }, { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'user' }],
    ],
  ])('%s', (_name, namespaces, extra, expected) => {
    const result = toOciNamespaces(namespaces, { ...options(), ...extra });
    expect(result).toEqual(expected);
  });

  it('joins the user namespace of a remapped container whose namespaces it joins', () => {
    const result = toOciNamespaces({ network: { mode: 'container', container: 'remapped' }, pid: { mode: 'container', container: 'remapped' } }, { ...options(), userNamespace: true });
    expect(result).toContainEqual({ type: 'user', path: `${proc}/43/ns/user` });
    expect(result).toContainEqual({ type: 'network', path: `${proc}/43/ns/net` });
    expect(result).toContainEqual({ type: 'pid', path: `${proc}/43/ns/pid` });
  });

  it('unknown container -> CONTAINER_NOT_FOUND naming the id and the kind', () => {
    const error = errorOf(() => toOciNamespaces({ uts: { mode: 'container', container: 'ghost' } }, options()));
    expect(error.code).toBe('CONTAINER_NOT_FOUND');
    expect(error.message).toContain('ghost');
    expect(error.message).toContain('uts');
    expect(errorOf(() => toOciNamespaces({ uts: { mode: 'container', container: 'x' } })).code).toBe('CONTAINER_NOT_FOUND');
  });

  it.each<[string, Namespaces, RegExp]>([
    ['host pid', { pid: { mode: 'host' } }, /pid namespace 'host'.*proc mount/],
    ['host network', { network: { mode: 'host' } }, /network namespace 'host'.*sysfs/],
    ['host ipc', { ipc: { mode: 'host' } }, /ipc namespace 'host'.*mqueue/],
    ['network by path', { network: { mode: 'path', path: '/run/netns/a' } }, /\/run\/netns\/a cannot be combined with a new user namespace/],
    ['ipc of a container in the host user namespace', { ipc: { mode: 'container', container: 'plain' } }, /container plain runs in the host user namespace/],
    [
      'containers in different user namespaces',
      { ipc: { mode: 'container', container: 'remapped' }, network: { mode: 'container', container: 'other' } },
      /different user namespaces/,
    ],
  ])('refuses a user namespace with %s', (_name, namespaces, message) => {
    const error = errorOf(() => toOciNamespaces(namespaces, { ...options(), userNamespace: true }));
    expect(error.code).toBe('INVALID_NAMESPACE_COMBINATION');
    expect(error.message).toMatch(message);
  });

  it('refuses kinds the kernel lacks', () => {
    const supportedKinds = new Set<NamespaceKind>(['mount', 'pid', 'network', 'ipc', 'uts']);
    expect(errorOf(() => toOciNamespaces({ cgroup: { mode: 'new' } }, { supportedKinds })).code).toBe('UNSUPPORTED_NAMESPACE');
    expect(errorOf(() => toOciNamespaces({}, { supportedKinds, userNamespace: true })).code).toBe('UNSUPPORTED_NAMESPACE');
  });
});
