import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createRuncRoot,
  findLeftovers,
  officialValidator,
  runBundle,
  temporaryBusyboxRootfs,
  uniqueId,
  type RunResult,
} from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syscallProbe } from './__fixtures__/syscall-probe.js';
import { defaultSeccompPolicy } from './default-policy.js';
import type { LinuxSeccomp } from './oci-seccomp.js';
import { resolveSeccompPolicy } from './resolve.js';

// Real containers: runc as root, a private runc root, a busybox root filesystem, and a config from
// `runc spec` with the resolved policy in linux.seccomp. Each test asserts what happened inside.

// Unique per test run, so concurrent runs never remove each other's cgroup parent.
const marker = `execdriver-test-seccomp-${process.pid}`;
const cgroupRoot = '/sys/fs/cgroup';

const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
const withSysAdmin = [...defaultCapabilities, 'CAP_SYS_ADMIN'];

let runcRoot: { root: string; cleanup: () => Promise<string[]> };
let bundle: { rootfs: string; dir: string; remove: () => Promise<void> };
let baseConfig: Record<string, unknown>;

function policyFor(capabilities: readonly string[]): LinuxSeccomp {
  return resolveSeccompPolicy(defaultSeccompPolicy(), { architecture: process.arch, capabilities });
}

/** Runs `script` under sh in a container holding `capabilities`, with `seccomp` (or none). */
async function run(script: string, capabilities: readonly string[], seccomp: LinuxSeccomp | undefined): Promise<RunResult> {
  const id = uniqueId('seccomp');
  const config = structuredClone(baseConfig) as {
    process: Record<string, unknown>;
    linux: Record<string, unknown>;
  };
  config.process.terminal = false;
  config.process.args = ['/bin/sh', '-c', script];
  config.process.capabilities = {
    bounding: [...capabilities],
    effective: [...capabilities],
    permitted: [...capabilities],
    inheritable: [],
    ambient: [],
  };
  config.linux.cgroupsPath = `/${marker}/${id}`;
  if (seccomp === undefined) delete config.linux.seccomp;
  else config.linux.seccomp = seccomp;
  for (const version of ['v1.0.2', 'v1.2.1'] as const) {
    expect(officialValidator(version)(config), `config valid under ${version}`).toEqual({ valid: true, errors: [] });
  }
  return runBundle({ runcRoot: runcRoot.root, bundle: bundle.dir, id, config });
}

beforeAll(async () => {
  runcRoot = await createRuncRoot();
  bundle = await temporaryBusyboxRootfs();
  await mkdir(join(bundle.rootfs, 'mnt'), { recursive: true });
  execFileSync('runc', ['spec', '--bundle', bundle.dir]);
  baseConfig = JSON.parse(await readFile(join(bundle.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
});

afterAll(async () => {
  try {
    await runcRoot?.cleanup();
    // runc removes each container's own cgroup; remove the parent directory in every hierarchy.
    if (existsSync(cgroupRoot)) {
      for (const hierarchy of readdirSync(cgroupRoot)) {
        const dir = join(cgroupRoot, hierarchy, marker);
        if (existsSync(dir)) rmdirSync(dir);
      }
    }
  } finally {
    await bundle?.remove();
  }
  expect(findLeftovers(marker)).toEqual([]);
});

describe('default seccomp policy in real containers', () => {
  it('refuses unshare under the default policy and allows it with seccomp removed', async () => {
    const script = 'grep ^Seccomp: /proc/self/status; unshare -U true; echo "exit=$?"';
    const confined = await run(script, defaultCapabilities, policyFor(defaultCapabilities));
    expect(confined.exitCode).toBe(0);
    expect(confined.stdout).toMatch(/^Seccomp:\s+2$/m);
    expect(confined.stderr).toMatch(/unshare.*Operation not permitted/);
    expect(confined.stdout).toMatch(/^exit=1$/m);

    const unconfined = await run(script, defaultCapabilities, undefined);
    expect(unconfined.stdout).toMatch(/^Seccomp:\s+0$/m);
    expect(unconfined.stderr).toBe('');
    expect(unconfined.stdout).toMatch(/^exit=0$/m);
  });

  it('refuses mount with the default capabilities, and with CAP_SYS_ADMIN unless the policy is resolved for it', async () => {
    const script = 'mount -t tmpfs none /mnt; echo "exit=$?"; grep " /mnt " /proc/self/mounts || echo "no mount"';
    const byDefault = await run(script, defaultCapabilities, policyFor(defaultCapabilities));
    expect(byDefault.stdout).toMatch(/^exit=[1-9]/m);
    expect(byDefault.stdout).toMatch(/^no mount$/m);
    expect(byDefault.stderr).toMatch(/mount/);

    // The capability alone is not enough: the policy resolved for the default set still refuses.
    const capabilityOnly = await run(script, withSysAdmin, policyFor(defaultCapabilities));
    expect(capabilityOnly.stdout).toMatch(/^exit=[1-9]/m);
    expect(capabilityOnly.stdout).toMatch(/^no mount$/m);

    const resolvedForIt = await run(script, withSysAdmin, policyFor(withSysAdmin));
    expect(resolvedForIt.stdout).toMatch(/^exit=0$/m);
    expect(resolvedForIt.stdout).toMatch(/^none \/mnt tmpfs /m);
  });

  it('allows unshare -m with CAP_SYS_ADMIN when the policy is resolved for it', async () => {
    const script = 'unshare -m true; echo "exit=$?"';
    const resolvedForIt = await run(script, withSysAdmin, policyFor(withSysAdmin));
    expect(resolvedForIt.stderr).toBe('');
    expect(resolvedForIt.stdout).toMatch(/^exit=0$/m);

    const notResolved = await run(script, withSysAdmin, policyFor(defaultCapabilities));
    expect(notResolved.stderr).toMatch(/Operation not permitted/);
    expect(notResolved.stdout).toMatch(/^exit=1$/m);
  });

  it('runs an ordinary shell script', async () => {
    const script = [
      'set -e',
      'ls / > /dev/null',
      'cat /etc/hostname',
      'sh -c "echo child $((6 * 7))"',
      'sleep 0.1',
      'date +year=%Y',
      'id -u',
      'echo piped | tr a-z A-Z',
      'ip -o link show lo | grep -c lo',
      'linux32 uname -m',
      'echo done',
    ].join('\n');
    const result = await run(script, defaultCapabilities, policyFor(defaultCapabilities));
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('busybox');
    expect(lines[1]).toBe('child 42');
    expect(lines[2]).toMatch(/^year=\d{4}$/);
    expect(lines.slice(3)).toEqual(['0', 'PIPED', '1', process.arch === 'x64' ? 'i686' : expect.any(String), 'done']);
  });

  it('filters arguments: socket families, personality flags, clone namespace flags, clone3 (x86_64 probes)', async () => {
    expect(process.arch, 'the probes are x86_64 machine code').toBe('x64');
    // x86_64 system call numbers; `denied` is the errno the policy gives, `same` means the policy
    // lets the call through, so it must end exactly as it does without seccomp.
    const probes: { name: string; number: number; args: (number | bigint)[]; expected: 'same' | number }[] = [
      { name: 'getpid', number: 39, args: [], expected: 'same' },
      { name: 'socket-inet', number: 41, args: [2, 1, 0], expected: 'same' },
      { name: 'socket-alg', number: 41, args: [38, 5, 0], expected: 1 },
      { name: 'socket-nfc', number: 41, args: [39, 5, 0], expected: 'same' },
      { name: 'socket-vsock', number: 41, args: [40, 1, 0], expected: 1 },
      { name: 'socket-xdp', number: 41, args: [44, 3, 0], expected: 'same' },
      { name: 'personality-linux32', number: 135, args: [0x0008], expected: 'same' },
      { name: 'personality-no-aslr', number: 135, args: [0x0040000], expected: 1 },
      { name: 'clone-fork', number: 56, args: [17, 0, 0, 0, 0], expected: 'same' },
      { name: 'clone-newuser', number: 56, args: [0x10000000 | 17, 0, 0, 0, 0], expected: 1 },
      { name: 'clone3', number: 435, args: [0, 0], expected: 38 },
      { name: 'ptrace-traceme', number: 101, args: [0, 0, 0, 0], expected: 'same' },
      { name: 'keyctl-session', number: 250, args: [0, -3n, 0], expected: 1 },
    ];
    await mkdir(join(bundle.rootfs, 'probes'), { recursive: true });
    for (const probe of probes) {
      const path = join(bundle.rootfs, 'probes', probe.name);
      await writeFile(path, syscallProbe(probe.number, probe.args));
      await chmod(path, 0o755);
    }
    const script = 'for probe in /probes/*; do "$probe"; echo "${probe#/probes/}=$?"; done';
    const parse = (result: RunResult) =>
      Object.fromEntries(result.stdout.trim().split('\n').map((line) => line.split('=') as [string, string]).map(([name, code]) => [name, Number(code)]));
    const confined = parse(await run(script, defaultCapabilities, policyFor(defaultCapabilities)));
    const unconfined = parse(await run(script, defaultCapabilities, undefined));
    for (const probe of probes) {
      const outcome = `${probe.name}: confined ${confined[probe.name]}, unconfined ${unconfined[probe.name]}`;
      expect(unconfined[probe.name], outcome).toBeTypeOf('number');
      if (probe.expected === 'same') {
        expect(confined[probe.name], outcome).toBe(unconfined[probe.name]);
      } else {
        expect(confined[probe.name], outcome).toBe(probe.expected);
        expect(unconfined[probe.name], outcome).not.toBe(probe.expected);
      }
    }
    // Resolved for CAP_SYS_ADMIN, clone with namespace flags and clone3 reach the kernel.
    const withAdmin = parse(await run(script, withSysAdmin, policyFor(withSysAdmin)));
    expect([withAdmin['clone-newuser'], withAdmin.clone3]).toEqual([unconfined['clone-newuser'], unconfined.clone3]);
    expect([withAdmin['socket-alg'], withAdmin['socket-vsock']]).toEqual([1, 1]);
  });
});
