// Real containers: Docker's defaults, privileged mode and seccomp, as the kernel shows them inside.
import { readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { capabilitiesFromMask } from '../capabilities.js';
import { createRuntimeSpec } from '../runtime-spec.js';
import { createContainerLab, script, sections, statusField } from '../__fixtures__/harness.js';

let lab: Awaited<ReturnType<typeof createContainerLab>>;
beforeAll(async () => {
  lab = await createContainerLab('defaults');
});
afterAll(async () => {
  await lab?.cleanup();
});

const hostInode = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);

const probe = {
  status: 'cat /proc/self/status',
  // /proc/kcore is the example, but this kernel has none (runc skips absent paths):
  // /proc/timer_list (a file) and /proc/acpi (a directory) show the masking instead.
  masked: 'wc -c < /proc/timer_list; ls /proc/acpi | wc -l; grep -cE " /proc/(timer_list|acpi|keys|interrupts) " /proc/self/mounts',
  procsys: 'grep " /proc/sys " /proc/self/mounts; echo 1 > /proc/sys/vm/drop_caches 2>&1 && echo WROTE || echo REFUSED',
  sysfs: 'grep -E " /sys(/fs/cgroup/memory)? " /proc/self/mounts; touch /sys/fs/cgroup/memory/x 2>/dev/null && echo CGROUP-WRITABLE || echo CGROUP-READONLY',
  shm: 'grep " /dev/shm " /proc/self/mounts',
  hostname: 'hostname',
  env: 'env | sort',
  ns: 'for kind in ipc mnt net pid uts cgroup; do echo "$kind $(readlink /proc/self/ns/$kind)"; done',
  devices: 'cat /sys/fs/cgroup/devices/devices.list',
  unshare: 'unshare -U true 2>&1 && echo UNSHARED || echo REFUSED',
};

describe('a container with nothing set gets Docker defaults', () => {
  test('capabilities, masked and read-only paths, mounts, hostname, environment, namespaces, device cgroup, seccomp', async () => {
    const command = lab.command({ process: { args: script(probe) } });
    const { spec, warnings } = createRuntimeSpec(command);
    expect(warnings).toEqual([]);
    const result = await lab.run(spec, command.id);
    expect(result.stderr).toBe("sh: can't create /proc/sys/vm/drop_caches: Read-only file system\n");
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);

    expect(statusField(out.status!, 'CapEff')).toBe('00000000a80425fb');
    expect(statusField(out.status!, 'CapBnd')).toBe('00000000a80425fb');
    expect(statusField(out.status!, 'CapInh')).toBe('0000000000000000');
    expect(statusField(out.status!, 'CapAmb')).toBe('0000000000000000');
    expect(statusField(out.status!, 'Seccomp')).toBe('2');
    expect(statusField(out.status!, 'NoNewPrivs')).toBe('0');
    // /dev/null bound over the file, an empty read-only tmpfs over the directory.
    expect(out.masked!.split('\n')).toEqual(['0', '0', '4']);
    expect(out.procsys).toMatch(/ \/proc\/sys proc ro,/);
    expect(out.procsys).toMatch(/REFUSED$/);
    expect(out.sysfs).toMatch(/ \/sys sysfs ro,/);
    // cgroup v1: a tmpfs with one ro mount per controller.
    expect(out.sysfs).toMatch(/ \/sys\/fs\/cgroup\/memory cgroup ro,/);
    expect(out.sysfs).toMatch(/CGROUP-READONLY$/);
    expect(out.shm).toMatch(/ \/dev\/shm tmpfs rw,nosuid,nodev,noexec,.*size=65536k/);
    expect(out.hostname).toBe(command.id);
    expect(out.env!.split('\n')).toEqual(
      expect.arrayContaining(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOSTNAME=${command.id}`, 'HOME=/']),
    );
    expect(out.env).not.toMatch(/^TERM=/m);
    for (const line of out.ns!.split('\n')) {
      const [kind, inode] = line.split(' ');
      expect(inode, `${kind} namespace is new`).not.toBe(hostInode(kind!));
    }
    const rules = out.devices!.split('\n');
    expect(rules).toEqual(expect.arrayContaining(['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 136:* rwm']));
    expect(rules).not.toContain('a *:* rwm');
    expect(rules.some((rule) => rule.startsWith('c 10:229'))).toBe(false);
    // unshare(CLONE_NEWUSER) needs no capability: only the seccomp filter refuses it.
    expect(out.unshare).toMatch(/Operation not permitted[\s\S]*REFUSED$/);
  });

  test('seccomp unconfined lets the same unshare through (the refusal above is the filter)', async () => {
    const command = lab.command({ seccomp: { mode: 'unconfined' }, process: { args: script({ status: 'grep Seccomp: /proc/self/status', unshare: probe.unshare }) } });
    const { spec } = createRuntimeSpec(command);
    expect(spec.linux?.seccomp).toBeUndefined();
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(out.status).toMatch(/Seccomp:\s+0/);
    expect(out.unshare).toBe('UNSHARED');
  });

  test('mount is refused by the default filter even with CAP_SYS_ADMIN unless the policy opens it', async () => {
    // With CAP_SYS_ADMIN the policy opens mount-related calls: mounting a tmpfs works.
    const withAdmin = lab.command({ capAdd: ['SYS_ADMIN'], process: { args: script({ mount: 'mkdir -p /mnt && mount -t tmpfs none /mnt 2>&1 && echo MOUNTED || echo REFUSED' }) } });
    const admin = await lab.run(createRuntimeSpec(withAdmin).spec, withAdmin.id);
    expect(sections(admin.stdout).mount).toBe('MOUNTED');
    // Default capabilities: refused.
    const plain = lab.command({ process: { args: script({ mount: 'mkdir -p /mnt && mount -t tmpfs none /mnt 2>&1 && echo MOUNTED || echo REFUSED' }) } });
    const refused = await lab.run(createRuntimeSpec(plain).spec, plain.id);
    expect(sections(refused.stdout).mount).toMatch(/REFUSED$/);
  });
});

describe('privileged', () => {
  test('all capabilities, nothing masked or read-only, rw /sys, all devices, no seccomp', async () => {
    // "All" is what this process can hand out: here the bounding set lacks CAP_SYS_RESOURCE.
    const hostBounding = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapBnd')!;
    const command = lab.command({ privileged: true, process: { args: script(probe) } });
    const { spec } = createRuntimeSpec(command, { availableCapabilities: capabilitiesFromMask(hostBounding) });
    const result = await lab.run(spec, command.id);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = sections(result.stdout);
    expect(statusField(out.status!, 'CapEff')).toBe(hostBounding);
    expect(statusField(out.status!, 'CapBnd')).toBe(hostBounding);
    expect(statusField(out.status!, 'Seccomp')).toBe('0');
    const [timerListBytes, , maskMounts] = out.masked!.split('\n');
    expect(Number(timerListBytes)).toBeGreaterThan(0);
    expect(maskMounts).toBe('0');
    expect(out.procsys).toBe('WROTE');
    expect(out.sysfs).toMatch(/ \/sys sysfs rw,/);
    expect(out.sysfs).toMatch(/ \/sys\/fs\/cgroup\/memory cgroup rw,/);
    expect(out.devices).toBe('a *:* rwm');
  });
});
