import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuncRoot, findLeftovers, runBundle, temporaryBusyboxRootfs, uniqueId } from '@execdriver/testkit';
import { chownTreeToMapping } from './chown-tree.js';
import { parseIdMap } from './id-map.js';
import { namespaceInode } from './namespace-kind.js';
import { toOciNamespaces } from './oci-namespaces.js';

const marker = 'execdriver-test-namespaces';
const maps = {
  uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
  gidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
};

let runc: Awaited<ReturnType<typeof createRuncRoot>>;
let scratch: string;
const started: string[] = [];

beforeAll(async () => {
  runc = await createRuncRoot();
  scratch = await mkdtemp(join(tmpdir(), 'ns-containers-'));
});

afterAll(async () => {
  for (const id of started) spawnSync('runc', ['--root', runc.root, 'delete', '-f', id]);
  await runc.cleanup();
  // Hybrid/v1: one dir per hierarchy; pure v2: directly under /sys/fs/cgroup.
  const hierarchies = ['', ...(await readdir('/sys/fs/cgroup').catch(() => []))];
  for (const hierarchy of hierarchies) {
    const parent = join('/sys/fs/cgroup', hierarchy, marker);
    for (const child of await readdir(parent).catch(() => [])) await rmdir(join(parent, child)).catch(() => undefined);
    await rmdir(parent).catch(() => undefined);
  }
  await rm(scratch, { recursive: true, force: true });
  expect(findLeftovers(marker)).toEqual([]);
});

/** `runc spec`'s config with our args, no terminal, a marked cgroup path and the given namespaces. */
function baseConfig(bundle: string, id: string, args: string[]): Record<string, any> {
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  config.process.terminal = false;
  config.process.args = args;
  config.root = { path: 'rootfs', readonly: false };
  config.linux.cgroupsPath = `/${marker}/${id}`;
  return config;
}

describe('real containers', () => {
  it('a remapped container is root inside, its files belong to the mapped host id outside', async () => {
    const { rootfs, dir, remove } = await temporaryBusyboxRootfs();
    try {
      await copyFile('/bin/busybox', join(rootfs, 'bin/suidbox'));
      await chmod(join(rootfs, 'bin/suidbox'), 0o4755);
      await chownTreeToMapping(rootfs, maps);
      // The remapped root (host uid 100000) must be able to reach its rootfs through the 0700 temp dir.
      await chmod(dir, 0o711);
      const shared = join(scratch, 'shared');
      await mkdir(shared);
      await chmod(shared, 0o777);
      const id = uniqueId('ns-remap');
      const config = baseConfig(dir, id, ['sh', '-c', 'id; stat -c "%a %u %g" /bin/suidbox /; echo MAP; cat /proc/self/uid_map; echo GMAP; cat /proc/self/gid_map; touch /shared/made']);
      config.linux.namespaces = toOciNamespaces({}, { userNamespace: true });
      config.linux.uidMappings = maps.uidMappings.map((map) => ({ containerID: map.containerId, hostID: map.hostId, size: map.size }));
      config.linux.gidMappings = maps.gidMappings.map((map) => ({ containerID: map.containerId, hostID: map.hostId, size: map.size }));
      config.mounts.push({ destination: '/shared', type: 'bind', source: shared, options: ['rbind', 'rw'] });
      config.mounts = config.mounts.filter((mount: { type: string }) => mount.type !== 'cgroup');
      const result = await runBundle({ runcRoot: runc.root, bundle: dir, id, config });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const [head = '', uidText = '', gidText = ''] = result.stdout.split(/MAP\n|GMAP\n/);
      expect(head).toContain('uid=0(root) gid=0(root)');
      expect(head).toContain('4755 0 0');
      expect(parseIdMap(uidText.replace('G', ''))).toEqual(maps.uidMappings);
      expect(parseIdMap(gidText)).toEqual(maps.gidMappings);
      const made = await lstat(join(shared, 'made'));
      expect([made.uid, made.gid]).toEqual([100000, 100000]);
    } finally {
      await remove();
    }
  });

  it('a container joining another one\'s ipc, uts and pid namespaces has the same namespace inodes', async () => {
    const first = await temporaryBusyboxRootfs();
    const second = await temporaryBusyboxRootfs();
    const firstId = uniqueId('ns-first');
    try {
      const config = baseConfig(first.dir, firstId, ['sleep', '60']);
      config.hostname = 'first';
      config.linux.namespaces = toOciNamespaces({});
      await writeFile(join(first.dir, 'config.json'), JSON.stringify(config));
      started.push(firstId);
      const child = spawn('runc', ['--root', runc.root, 'run', '-d', '--bundle', first.dir, firstId], { stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      const state = JSON.parse(execFileSync('runc', ['--root', runc.root, 'state', firstId], { encoding: 'utf8' })) as { pid: number };

      const secondId = uniqueId('ns-second');
      const joined = baseConfig(second.dir, secondId, ['sh', '-c', 'for kind in ipc uts pid; do readlink /proc/self/ns/$kind; done; hostname; ps -o comm | grep -c sleep']);
      delete joined.hostname;
      joined.linux.namespaces = toOciNamespaces(
        { ipc: { mode: 'container', container: firstId }, uts: { mode: 'container', container: firstId }, pid: { mode: 'container', container: firstId } },
        { containerPid: (id) => (id === firstId ? state.pid : undefined) },
      );
      const result = await runBundle({ runcRoot: runc.root, bundle: second.dir, id: secondId, config: joined });
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      const expected = [
        `ipc:[${await namespaceInode(state.pid, 'ipc')}]`,
        `uts:[${await namespaceInode(state.pid, 'uts')}]`,
        `pid:[${await namespaceInode(state.pid, 'pid')}]`,
        'first',
        '1',
      ];
      expect(result.stdout.trim().split('\n')).toEqual(expected);
      expect(await namespaceInode(state.pid, 'ipc')).not.toBe(await namespaceInode(process.pid, 'ipc'));
    } finally {
      spawnSync('runc', ['--root', runc.root, 'delete', '-f', firstId]);
      await first.remove();
      await second.remove();
    }
  });
});
