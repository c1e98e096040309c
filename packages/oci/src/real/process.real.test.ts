// Real containers: the process and filesystem fields of a Command, as the kernel shows them inside.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntimeSpec } from '../runtime-spec.js';
import { resolveUser } from '../user.js';
import { resolveDevices } from '../devices.js';
import { createContainerLab, script, sections, statusField } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
let hostDir: string;
beforeAll(async () => {
  lab = await createContainerLab('process');
  hostDir = await mkdtemp(join(tmpdir(), 'execdriver-oci-host-'));
});
afterAll(async () => {
  await lab?.cleanup();
  if (hostDir) await rm(hostDir, { recursive: true, force: true });
});

describe('user and groups', () => {
  test('a user name resolves from the rootfs /etc/passwd with its groups, plus groupAdd', async () => {
    const command = lab.command({ groupAdd: ['staff', '4242'], process: { user: 'tester', args: script({ id: 'id', home: 'echo $HOME' }) } });
    const user = await resolveUser(command, { rootfs: lab.rootfs });
    const result = await lab.run(createRuntimeSpec(command, { user }).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.id).toBe('uid=1000(tester) gid=1000(tester) groups=29(audio),50(staff),100(users),4242');
    expect(out.home).toBe('/home/tester');
  });

  test('uid:gid numbers are used as they are, without supplementary groups', async () => {
    const command = lab.command({ process: { user: '1234:100', args: ['id'] } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.stdout.trim()).toBe('uid=1234 gid=100(users)');
  });
});

describe('capabilities, rlimits, oomScoreAdj, noNewPrivileges, environment, working directory', () => {
  test('all of them in one container', async () => {
    const command = lab.command({
      capAdd: ['NET_ADMIN'],
      capDrop: ['chown', 'CAP_KILL'],
      noNewPrivileges: true,
      oomScoreAdj: 345,
      resources: { ulimits: [{ name: 'nofile', soft: 321, hard: 654 }, { name: 'RLIMIT_NPROC', soft: 77, hard: 88 }] },
      process: {
        args: script({ status: 'cat /proc/self/status', nofile: 'ulimit -n; ulimit -Hn', nproc: 'ulimit -u', oom: 'cat /proc/self/oom_score_adj', env: 'echo "$PATH|$GREETING|$HOME"', cwd: 'pwd' }),
        env: ['PATH=/bin', 'GREETING=hello=world'],
        workingDir: '/tmp',
      },
    });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    // a80425fb - CHOWN(0) - KILL(5) + NET_ADMIN(12)
    const expected = (0xa80425fbn & ~(1n << 0n) & ~(1n << 5n)) | (1n << 12n);
    expect(statusField(out.status!, 'CapEff')).toBe(expected.toString(16).padStart(16, '0'));
    expect(statusField(out.status!, 'NoNewPrivs')).toBe('1');
    expect(out.nofile!.split('\n')).toEqual(['321', '654']);
    expect(out.nproc).toBe('77');
    expect(out.oom).toBe('345');
    expect(out.env).toBe('/bin|hello=world|/');
    expect(out.cwd).toBe('/tmp');
  });

  test('capDrop ALL with one capAdd leaves only that one', async () => {
    const command = lab.command({ capDrop: ['ALL'], capAdd: ['KILL'], process: { args: ['grep', 'CapEff', '/proc/self/status'] } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.stdout).toMatch(/CapEff:\s+0000000000000020/);
  });
});

describe('root filesystem and mounts', () => {
  test('read-only rootfs, ro and rw binds, a tmpfs with size and mode', async () => {
    await mkdir(join(hostDir, 'rw'));
    await mkdir(join(hostDir, 'ro'));
    await writeFile(join(hostDir, 'ro', 'file'), 'from the host\n');
    const command = lab.command({
      readonlyRootfs: true,
      mounts: [
        { type: 'bind', source: join(hostDir, 'rw'), destination: '/data' },
        { type: 'bind', source: join(hostDir, 'ro'), destination: '/config', readonly: true },
        { type: 'tmpfs', destination: '/scratch', sizeBytes: 2 * 1024 * 1024, mode: 0o1770, options: ['exec'] },
      ],
      process: {
        args: script({
          root: 'touch /newfile 2>&1 || echo ROOT-READONLY',
          rw: 'echo written > /data/out && echo RW-OK',
          ro: 'cat /config/file; echo x > /config/file 2>&1 || echo RO-REFUSED',
          tmpfs: 'grep " /scratch " /proc/self/mounts; stat -c %a /scratch',
        }),
      },
    });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.root).toMatch(/Read-only file system[\s\S]*ROOT-READONLY$/);
    expect(out.rw).toBe('RW-OK');
    expect(readFileSync(join(hostDir, 'rw', 'out'), 'utf8')).toBe('written\n');
    expect(out.ro).toBe('from the host\nRO-REFUSED');
    expect(readFileSync(join(hostDir, 'ro', 'file'), 'utf8')).toBe('from the host\n');
    expect(out.tmpfs).toMatch(/ \/scratch tmpfs rw,nosuid,nodev,relatime,size=2048k,mode=1770/);
    expect(out.tmpfs).toMatch(/\n1770$/);
  });
});

describe('sysctls', () => {
  test('a net.* and an IPC sysctl show in /proc/sys', async () => {
    const command = lab.command({
      sysctls: { 'net.ipv4.ip_forward': '1', 'kernel/shmmni': '1234' },
      process: { args: script({ forward: 'cat /proc/sys/net/ipv4/ip_forward', shmmni: 'cat /proc/sys/kernel/shmmni' }) },
    });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(sections(result.stdout)).toEqual({ forward: '1', shmmni: '1234' });
  });
});

describe('devices', () => {
  test('a host device appears at its container path and the device cgroup lets it through', async () => {
    // /dev/fuse (10:229) is not among the default devices: without the Command's rule it is refused.
    const command = lab.command({
      devices: [{ path: '/dev/fuse', containerPath: '/dev/myfuse', permissions: 'rw' }],
      process: { args: script({ node: 'stat -c "%F %t:%T %a" /dev/myfuse', rules: 'grep "^c 10:229" /sys/fs/cgroup/devices/devices.list', open: 'exec 3<>/dev/myfuse 2>&1 && echo OPENED || echo REFUSED' }) },
    });
    const devices = await resolveDevices(command);
    const result = await lab.run(createRuntimeSpec(command, { devices }).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.node).toBe('character special file a:e5 600');
    expect(out.rules).toBe('c 10:229 rw');
    expect(out.open).toBe('OPENED');
  });
});

describe('hooks, annotations', () => {
  test('a createRuntime hook runs on the host with the state on stdin', async () => {
    const marker = join(hostDir, 'hooked');
    const command = lab.command({
      annotations: { 'org.example.test': 'yes' },
      hooks: { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', `cat > ${marker}`] }] },
      process: { args: ['true'] },
    });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);
    const state = JSON.parse(readFileSync(marker, 'utf8')) as { id: string; annotations?: Record<string, string> };
    expect(state.id).toBe(command.id);
    expect(state.annotations).toEqual({ 'org.example.test': 'yes' });
  });
});

describe('AppArmor and SELinux (neither is enabled on this host)', () => {
  // The only proof available here that the fields reach runc: it refuses them as the kernel has no such LSM.
  test('an AppArmor profile reaches runc, which fails to apply it', async () => {
    const command = lab.command({ appArmorProfile: 'docker-default' });
    expect(existsSync('/sys/module/apparmor/parameters/enabled')).toBe(false);
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/apparmor failed to apply profile/);
  });

  test('an SELinux process label reaches runc, which refuses it', async () => {
    const command = lab.command({ selinux: { processLabel: 'system_u:system_r:container_t:s0:c1,c2', mountLabel: 'system_u:object_r:container_file_t:s0:c1,c2' } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/selinux label is specified in config, but selinux is disabled or not supported/);
  });
});
