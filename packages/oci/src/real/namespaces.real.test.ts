// Real containers: namespace modes (new, host, another container's, none) and user-namespace remapping.
import { execFileSync, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import { temporaryBusyboxRootfs } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntimeSpec } from '../runtime-spec.js';
import { createContainerLab, expectValidSpec, script, sections } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
let remappedRootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>> | undefined;
beforeAll(async () => {
  lab = await createContainerLab('namespaces');
});
afterAll(async () => {
  await lab?.cleanup();
  await remappedRootfs?.remove();
});

const probes = { ns: 'for kind in ipc net pid uts cgroup; do echo "$kind $(readlink /proc/self/ns/$kind)"; done', hostname: 'hostname', netdev: 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "' };
const inodes = script(probes);
const namespaceLines = (output: string) => Object.fromEntries(sections(output).ns!.split('\n').map((line) => line.split(' ') as [string, string]));
const hostNamespace = (kind: string, pid: number | 'self' = 'self') => readlinkSync(`/proc/${pid}/ns/${kind}`);

describe('host namespaces', () => {
  test("ipc, pid, uts, network and cgroup 'host' share the host's inodes; the hostname comes from hostNetwork", async () => {
    const command = lab.command({
      namespaces: { ipc: { mode: 'host' }, pid: { mode: 'host' }, uts: { mode: 'host' }, network: { mode: 'host' }, cgroup: { mode: 'host' } },
      process: { args: inodes },
    });
    const { spec } = createRuntimeSpec(command, { hostNetwork: { hostname: hostHostname() } });
    expect(spec.linux?.namespaces).toEqual([{ type: 'mount' }]);
    expect(spec.hostname).toBeUndefined();
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const seen = namespaceLines(result.stdout);
    for (const kind of ['ipc', 'net', 'pid', 'uts', 'cgroup']) expect(seen[kind], kind).toBe(hostNamespace(kind));
    expect(sections(result.stdout).hostname).toBe(hostHostname());
  });

  test("network 'host' with a new UTS namespace gets the host's hostname, as Docker gives it", async () => {
    const command = lab.command({ namespaces: { network: { mode: 'host' } }, process: { args: inodes } });
    const { spec } = createRuntimeSpec(command, { hostNetwork: { hostname: 'the-host' } });
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(sections(result.stdout).hostname).toBe('the-host');
    expect(namespaceLines(result.stdout).uts).not.toBe(hostNamespace('uts'));
  });
});

describe("network 'none'", () => {
  test('a new network namespace with only loopback', async () => {
    const command = lab.command({ namespaces: { network: { mode: 'none' } }, process: { args: inodes } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(sections(result.stdout).netdev).toBe('lo');
    expect(namespaceLines(result.stdout).net).not.toBe(hostNamespace('net'));
  });
});

describe("another container's namespaces", () => {
  test('ipc, pid, uts and network joined by container id have that container’s inodes', async () => {
    // The first container's /dev/shm is a host directory, as dockerd keeps one per container.
    const shm = join(lab.scratch, `${lab.cgroupParent.split('/').pop()}-shm`);
    await mkdir(shm, { recursive: true });
    const first = lab.command({ mounts: [{ type: 'bind', source: shm, destination: '/dev/shm' }], process: { args: ['sh', '-c', 'echo from-first > /dev/shm/note; sleep 30'] } });
    const bundle = join(lab.scratch, `${first.id}-bundle`);
    await mkdir(bundle, { recursive: true });
    const firstSpec = createRuntimeSpec(first).spec;
    expectValidSpec(firstSpec);
    await writeFile(join(bundle, 'config.json'), JSON.stringify(firstSpec));
    try {
      // stdio ignored: the detached container would otherwise hold a pipe open until it ends.
      const started = spawnSync('runc', ['--root', lab.runcRoot, '--log', join(bundle, 'runc.log'), 'run', '-d', '--bundle', bundle, first.id], { stdio: 'ignore' });
      expect(started.status).toBe(0);
      const state = JSON.parse(execFileSync('runc', ['--root', lab.runcRoot, 'state', first.id], { encoding: 'utf8' })) as { pid: number };

      const second = lab.command({
        namespaces: { ipc: { mode: 'container', container: first.id }, pid: { mode: 'container', container: first.id }, uts: { mode: 'container', container: first.id }, network: { mode: 'container', container: first.id } },
        process: { args: script({ ...probes, shm: 'cat /dev/shm/note' }) },
      });
      const { spec, warnings } = createRuntimeSpec(second, { containerPid: (id) => (id === first.id ? state.pid : undefined), shmPath: (id) => (id === first.id ? shm : undefined) });
      expect(warnings).toEqual([]);
      const result = await lab.run(spec, second.id);
      expect(result.exitCode, result.stderr).toBe(0);
      const seen = namespaceLines(result.stdout);
      for (const kind of ['ipc', 'net', 'pid', 'uts']) expect(seen[kind], kind).toBe(hostNamespace(kind, state.pid));
      expect(seen.cgroup).not.toBe(hostNamespace('cgroup', state.pid));
      expect(sections(result.stdout).hostname).toBe(first.id);
      expect(sections(result.stdout).shm).toBe('from-first');
    } finally {
      spawnSync('runc', ['--root', lab.runcRoot, 'delete', '-f', first.id]);
    }
  });
});

describe('user namespace', () => {
  test('uid_map and gid_map show the remapping; root inside is 100000 outside', async () => {
    remappedRootfs = await temporaryBusyboxRootfs();
    // The mapped root must own the rootfs and be able to reach it (mkdtemp makes the parent 0700).
    execFileSync('chown', ['-R', '100000:100000', remappedRootfs.rootfs]);
    await chmod(remappedRootfs.dir, 0o755);
    const command = lab.command({
      rootfs: remappedRootfs.rootfs,
      userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }] },
      process: { args: script({ uid: 'cat /proc/self/uid_map', gid: 'cat /proc/self/gid_map', id: 'id -u', user: 'readlink /proc/self/ns/user' }) },
    });
    const { spec } = createRuntimeSpec(command);
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.uid!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(out.gid!.trim().split(/\s+/)).toEqual(['0', '100000', '65536']);
    expect(out.id).toBe('0');
    expect(out.user).not.toBe(hostNamespace('user'));
  });
});
