// Real containers: the Docker parity options (/etc files, network sysctls, privileged host
// devices, LSMs the host lacks, /dev/shm size), as the kernel shows them inside.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hostnameFileContent, hostsFileContent, resolvConfContent } from '../etc-files.js';
import { listHostDevices } from '../host-devices.js';
import { existsSync, readFileSync } from 'node:fs';
import { capabilitiesFromMask } from '../capabilities.js';
import { detectLsm } from '../lsm.js';
import { createRuntimeSpec } from '../runtime-spec.js';
import { createContainerLab, script, sections, statusField } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
beforeAll(async () => {
  lab = await createContainerLab('parity');
});
afterAll(async () => {
  await lab?.cleanup();
});

/** Writes a container's /etc files as a caller would and returns their host paths. */
async function writeEtcFiles(id: string, hostname: string, hostResolvConf: string) {
  const dir = join(lab.scratch, `etc-${id}`);
  await mkdir(dir, { recursive: true });
  const files = { hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  await writeFile(files.hosts, hostsFileContent({ hostname, network: 'new' }));
  await writeFile(files.resolvConf, resolvConfContent({ hostResolvConf, network: 'new' }));
  await writeFile(files.hostname, hostnameFileContent(hostname));
  return files;
}

describe('/etc/hosts, /etc/resolv.conf and /etc/hostname', () => {
  test('the hostname resolves (hostname -f, ping), resolv.conf lost its stub resolver, the files are writable', async () => {
    const command = lab.command({
      hostname: 'parity-box',
      process: {
        args: script({
          hosts: 'cat /etc/hosts',
          fqdn: 'hostname -f',
          ping: 'ping -c1 -W2 $(hostname) | head -1',
          resolv: 'cat /etc/resolv.conf',
          etchostname: 'cat /etc/hostname',
          mounts: 'grep -E " /etc/(hosts|hostname|resolv.conf) " /proc/self/mounts | cut -d" " -f2,4 | cut -d, -f1',
          write: 'echo "10.1.2.3 extra" >> /etc/hosts && tail -1 /etc/hosts',
        }),
      },
    });
    const etcFiles = await writeEtcFiles(command.id, 'parity-box', 'nameserver 127.0.0.53\nsearch lan\n');
    const result = await lab.run(createRuntimeSpec(command, { etcFiles }).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.hosts).toMatch(/^127\.0\.0\.1\tlocalhost$/m);
    expect(out.hosts).toMatch(/^127\.0\.0\.1\tparity-box$/m);
    expect(out.fqdn).toBe('parity-box');
    expect(out.ping).toMatch(/^PING parity-box \(127\.0\.0\.1\)/);
    expect(out.resolv).toBe('search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4');
    expect(out.etchostname).toBe('parity-box');
    expect(out.mounts!.split('\n').sort()).toEqual(['/etc/hostname rw', '/etc/hosts rw', '/etc/resolv.conf rw']);
    expect(out.write).toBe('10.1.2.3 extra');
  });

  test('a user bind over /etc/hosts wins; with a read-only rootfs the others are read-only (as Docker)', async () => {
    const userHosts = join(lab.scratch, 'user-hosts');
    await writeFile(userHosts, '192.0.2.1 mine\n');
    const command = lab.command({
      readonlyRootfs: true,
      mounts: [{ type: 'bind', source: userHosts, destination: '/etc/hosts', readonly: true }],
      process: { args: script({ hosts: 'cat /etc/hosts', write: '{ echo x >> /etc/hostname; } 2>&1 || echo REFUSED' }) },
    });
    const etcFiles = await writeEtcFiles(command.id, command.id, 'nameserver 10.0.0.2\n');
    const result = await lab.run(createRuntimeSpec(command, { etcFiles }).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.hosts).toBe('192.0.2.1 mine');
    expect(out.write).toMatch(/Read-only file system[\s\S]*REFUSED$/);
  });
});

describe("Docker's network sysctls", () => {
  const probe = {
    sysctls: 'cat /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv4/ip_unprivileged_port_start',
    id: 'id -u',
    caps: 'grep CapEff /proc/self/status',
    // A listener still running after 0.3 s has bound the port; a refused bind exits at once.
    bind: 'nc -l -p 80 2>&1 & pid=$!; sleep 0.3; kill $pid 2>/dev/null && echo BOUND || echo REFUSED',
  };

  // (busybox's ping has no ICMP echo socket fallback, so the ping range is checked in /proc/sys only.)
  test('uid 1000 without capabilities binds port 80', async () => {
    const command = lab.command({ process: { user: '1000:1000', args: script(probe) } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.sysctls!.split('\n').map((line) => line.replace(/\s+/g, ' '))).toEqual(['0 2147483647', '0']);
    expect(out.id).toBe('1000');
    expect(out.caps).toMatch(/CapEff:\s+0000000000000000/);
    expect(out.bind).toBe('BOUND');
  });

  test("the Command's own values win: port 80 is refused again", async () => {
    const command = lab.command({ sysctls: { 'net.ipv4.ip_unprivileged_port_start': '1024', 'net.ipv4.ping_group_range': '1 0' }, process: { user: '1000:1000', args: script(probe) } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.sysctls!.split('\n')[1]).toBe('1024');
    expect(out.sysctls!.split('\n')[0]!.replace(/\s+/g, ' ')).toBe('1 0');
    expect(out.bind).toMatch(/Permission denied[\s\S]*REFUSED$/);
  });
});

describe('privileged host devices', () => {
  test('a privileged container gets the host devices; a plain one does not', async () => {
    const hostDevices = await listHostDevices();
    const wanted = ['/dev/loop0', '/dev/vda', '/dev/kmsg'].filter((path) => existsSync(path));
    expect(wanted.length).toBeGreaterThan(0);
    for (const path of wanted) expect(hostDevices.map((device) => device.path)).toContain(path);
    const args = script({ devices: `for d in ${wanted.join(' ')}; do [ -b $d ] || [ -c $d ] && echo "$d yes" || echo "$d no"; done` });

    const privileged = lab.command({ privileged: true, process: { args } });
    // "All capabilities" is this process's bounding set (this host lacks CAP_SYS_RESOURCE).
    const availableCapabilities = capabilitiesFromMask(statusField(readFileSync('/proc/self/status', 'utf8'), 'CapBnd')!);
    const withDevices = await lab.run(createRuntimeSpec(privileged, { hostDevices, availableCapabilities }).spec, privileged.id);
    expect(withDevices.exitCode, withDevices.stderr).toBe(0);
    expect(sections(withDevices.stdout).devices).toBe(wanted.map((path) => `${path} yes`).join('\n'));

    const plain = lab.command({ process: { args } });
    const without = await lab.run(createRuntimeSpec(plain, { hostDevices }).spec, plain.id);
    expect(without.exitCode, without.stderr).toBe(0);
    expect(sections(without.stdout).devices).toBe(wanted.map((path) => `${path} no`).join('\n'));
  });
});

describe('LSMs this host lacks', () => {
  test('an AppArmor profile is dropped with a warning and the container runs', async () => {
    const lsm = await detectLsm();
    expect(lsm).toEqual({ apparmor: false, selinux: false });
    const command = lab.command({ appArmorProfile: 'docker-default', process: { args: ['echo', 'ran'] } });
    const { spec, warnings } = createRuntimeSpec(command, { lsm });
    expect(warnings).toEqual([expect.objectContaining({ code: 'LSM_DISABLED', field: 'appArmorProfile' })]);
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe('ran\n');
  });
});

describe('/dev/shm size', () => {
  test('shmSizeBytes is the tmpfs size df shows', async () => {
    const command = lab.command({ shmSizeBytes: 32 * 1024 * 1024, process: { args: ['sh', '-c', "df -k /dev/shm | tail -1 | awk '{print $2}'"] } });
    const result = await lab.run(createRuntimeSpec(command).spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(String(32 * 1024));
  });
});
