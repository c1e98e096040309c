import { readFileSync } from 'node:fs';
import { referenceFile } from '@execdriver/testkit';
import { describe, expect, it } from 'vitest';
import { defaultSeccompPolicy } from './default-policy.js';
import type { LinuxSeccomp } from './oci-seccomp.js';
import { resolveSeccompPolicy } from './resolve.js';

// Docker's default profile (moby/profiles seccomp/default.json v0.2.3), test data only.
/** moby's default profile: a CI extra named by EXECDRIVER_REFERENCE (see referenceFile). */
const dockerProfile = referenceFile('moby-seccomp-default.json');

interface DockerArgument {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
interface DockerCondition {
  caps?: string[] | null;
  arches?: string[] | null;
  minKernel?: string | null;
}
interface DockerRule {
  name?: string;
  names?: string[] | null;
  action: string;
  errnoRet?: number | null;
  args?: DockerArgument[] | null;
  includes?: DockerCondition | null;
  excludes?: DockerCondition | null;
}
interface DockerProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: { architecture: string; subArchitectures: string[] | null }[] | null;
  syscalls: DockerRule[];
}

/** What a profile does, reduced to comparable sets. */
interface Outcome {
  /** Names allowed whatever the arguments. */
  allowed: Set<string>;
  /** `name args-json` for allows under argument conditions (names already allowed outright left out). */
  filtered: Set<string>;
  /** Names failed with a specific errno other than the default: `name errno`. */
  errno: Set<string>;
  architectures: string[];
}

function atLeast(kernel: string, minimum: string): boolean {
  const [major = 0, minor = 0] = kernel.split('.').map(Number);
  const [wantMajor = 0, wantMinor = 0] = minimum.split('.').map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/**
 * Docker's own evaluation (moby profiles/seccomp setupSeccomp): excludes first (any listed
 * arch or cap held removes the rule, a met minKernel removes it), then includes (arch must be
 * listed, every cap held, minKernel met). `arch` is the daemon's GOARCH.
 */
function evaluateDocker(profile: DockerProfile, arch: string, capabilities: readonly string[], kernel: string): Outcome {
  const held = new Set(capabilities);
  const outcome: Outcome = { allowed: new Set(), filtered: new Set(), errno: new Set(), architectures: [] };
  const native = profile.archMap?.find((entry) => entry.architecture === 'SCMP_ARCH_X86_64');
  if (arch === 'amd64' && native) outcome.architectures = [native.architecture, ...(native.subArchitectures ?? [])];
  const filtered: [string, string][] = [];
  for (const rule of profile.syscalls) {
    const names = rule.names ?? (rule.name ? [rule.name] : []);
    const { includes, excludes } = rule;
    if (excludes?.arches?.includes(arch)) continue;
    if (excludes?.caps?.some((cap) => held.has(cap))) continue;
    if (excludes?.minKernel && atLeast(kernel, excludes.minKernel)) continue;
    if (includes?.arches && includes.arches.length > 0 && !includes.arches.includes(arch)) continue;
    if (includes?.caps && !includes.caps.every((cap) => held.has(cap))) continue;
    if (includes?.minKernel && !atLeast(kernel, includes.minKernel)) continue;
    const args = rule.args ?? [];
    if (rule.action === 'SCMP_ACT_ALLOW') {
      if (args.length === 0) for (const name of names) outcome.allowed.add(name);
      else for (const name of names) filtered.push([name, canonicalArguments(args)]);
    } else if (rule.action === 'SCMP_ACT_ERRNO') {
      const errno = rule.errnoRet ?? profile.defaultErrnoRet ?? 1;
      if (errno !== profile.defaultErrnoRet) for (const name of names) outcome.errno.add(`${name} ${errno}`);
    } else {
      throw new Error(`this evaluator does not know action ${rule.action}`);
    }
  }
  for (const [name, args] of filtered) if (!outcome.allowed.has(name)) outcome.filtered.add(`${name} ${args}`);
  return outcome;
}

function describeOurs(seccomp: LinuxSeccomp): Outcome {
  const outcome: Outcome = { allowed: new Set(), filtered: new Set(), errno: new Set(), architectures: seccomp.architectures ?? [] };
  for (const syscall of seccomp.syscalls ?? []) {
    const args = syscall.args ?? [];
    for (const name of syscall.names) {
      if (syscall.action === 'SCMP_ACT_ALLOW' && args.length === 0) outcome.allowed.add(name);
      else if (syscall.action === 'SCMP_ACT_ALLOW') outcome.filtered.add(`${name} ${canonicalArguments(args)}`);
      else if (syscall.action === 'SCMP_ACT_ERRNO') outcome.errno.add(`${name} ${syscall.errnoRet ?? seccomp.defaultErrnoRet ?? 1}`);
      else throw new Error(`unexpected action ${syscall.action}`);
    }
  }
  return outcome;
}

/** valueTwo defaults to 0 (how runc reads a MASKED_EQ without it). */
function canonicalArguments(args: readonly DockerArgument[]): string {
  return JSON.stringify(args.map((arg) => [arg.index, arg.op, arg.value, arg.valueTwo ?? 0]));
}

const dockerDefaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** Where execdriver's default policy deliberately differs from Docker's on amd64. */
interface Difference {
  /** `allowed`: a syscall name; `errno`: `name errno`. */
  entry: string;
  kind: 'allowed' | 'errno';
  /** Which side has it. */
  onlyIn: 'ours' | 'docker';
  /** Absent: with the 14 default capabilities and with CAP_SYS_ADMIN added. */
  only?: 'default' | 'with CAP_SYS_ADMIN';
  reason: string;
}

const differences: Difference[] = [
  {
    entry: 'file_getattr',
    kind: 'allowed',
    onlyIn: 'ours',
    reason: 'Linux 6.17; does what the FS_IOC_FSGETXATTR ioctl (allowed through ioctl) does. Docker\'s profile predates it',
  },
  {
    entry: 'file_setattr',
    kind: 'allowed',
    onlyIn: 'ours',
    reason: 'Linux 6.17; does what the FS_IOC_FSSETXATTR ioctl (allowed through ioctl) does, with the same permission checks',
  },
  {
    entry: 'lsm_get_self_attr',
    kind: 'allowed',
    onlyIn: 'ours',
    only: 'default',
    reason: 'reads the caller\'s own LSM labels, as reading /proc/self/attr/* (always possible) does; Docker asks for CAP_SYS_ADMIN',
  },
  {
    entry: 'lsm_list_modules',
    kind: 'allowed',
    onlyIn: 'ours',
    only: 'default',
    reason: 'lists the active LSMs, as /sys/kernel/security/lsm does; Docker asks for CAP_SYS_ADMIN',
  },
  {
    entry: 'epoll_ctl_old',
    kind: 'allowed',
    onlyIn: 'docker',
    reason: 'never implemented by Linux (sys_ni_syscall): there is nothing to allow',
  },
  {
    entry: 'epoll_wait_old',
    kind: 'allowed',
    onlyIn: 'docker',
    reason: 'never implemented by Linux (sys_ni_syscall): there is nothing to allow',
  },
  {
    entry: 'riscv_hwprobe',
    kind: 'allowed',
    onlyIn: 'docker',
    reason: 'exists on riscv64 only: ours lists it in the riscv64 rule (Docker allows it on every architecture, where libseccomp ignores it)',
  },
  {
    entry: 'socketcall',
    kind: 'allowed',
    onlyIn: 'docker',
    reason: 'the 32-bit x86 socket multiplexer hides the address family behind a pointer, bypassing the AF_ALG/AF_VSOCK filter on socket (moby/profiles#21 made the same change after v0.2.3)',
  },
  {
    entry: 'socketcall 38',
    kind: 'errno',
    onlyIn: 'ours',
    reason: 'denied with ENOSYS, not EPERM, so 32-bit libcs fall back to the direct socket calls (Linux 4.3+)',
  },
  {
    entry: 'open_tree_attr',
    kind: 'allowed',
    onlyIn: 'ours',
    only: 'with CAP_SYS_ADMIN',
    reason: 'Linux 6.15 mount API call (open_tree plus mount_setattr), opened with the rest of the mount API; Docker\'s profile predates it',
  },
  {
    entry: 'pivot_root',
    kind: 'allowed',
    onlyIn: 'ours',
    only: 'with CAP_SYS_ADMIN',
    reason: 'with CAP_SYS_ADMIN the container can already mount anything, and runtimes nested in the container need pivot_root',
  },
];

function unexpected(ours: Outcome, docker: Outcome, scenario: 'default' | 'with CAP_SYS_ADMIN'): string[] {
  const listed = new Set(
    differences.filter((difference) => difference.only === undefined || difference.only === scenario).map((d) => `${d.kind} ${d.onlyIn} ${d.entry}`),
  );
  const found = new Set<string>();
  for (const kind of ['allowed', 'errno'] as const) {
    for (const entry of ours[kind]) if (!docker[kind].has(entry)) found.add(`${kind} ours ${entry}`);
    for (const entry of docker[kind]) if (!ours[kind].has(entry)) found.add(`${kind} docker ${entry}`);
  }
  return [
    ...[...found].filter((entry) => !listed.has(entry)).map((entry) => `unlisted difference: ${entry}`),
    ...[...listed].filter((entry) => !found.has(entry)).map((entry) => `listed difference no longer found: ${entry}`),
  ];
}

describe.skipIf(dockerProfile.skip !== undefined)(dockerProfile.skip ?? 'default policy compared with Docker\'s default profile (amd64)', () => {
  if (dockerProfile.skip) console.log(`default-policy.test.ts: ${dockerProfile.skip}`);
  it('has Docker\'s profile to compare with', () => {
    if (dockerProfile.error) throw new Error(dockerProfile.error);
  });
  const docker = (dockerProfile.path ? JSON.parse(readFileSync(dockerProfile.path, 'utf8')) : { defaultAction: '', syscalls: [] }) as DockerProfile;
  const kernel = '6.1';

  it('has the same default action and errno', () => {
    const ours = resolveSeccompPolicy(defaultSeccompPolicy(), { architecture: 'amd64', capabilities: dockerDefaultCapabilities });
    expect([ours.defaultAction, ours.defaultErrnoRet]).toEqual([docker.defaultAction, docker.defaultErrnoRet]);
  });

  for (const scenario of ['default', 'with CAP_SYS_ADMIN'] as const) {
    describe(scenario === 'default' ? 'with the 14 default capabilities' : 'with CAP_SYS_ADMIN added', () => {
      const capabilities = scenario === 'default' ? dockerDefaultCapabilities : [...dockerDefaultCapabilities, 'CAP_SYS_ADMIN'];
      const theirs = evaluateDocker(docker, 'amd64', capabilities, kernel);
      const ours = describeOurs(
        resolveSeccompPolicy(defaultSeccompPolicy(), { architecture: 'x64', capabilities, kernelVersion: kernel }),
      );

      it('allows the same syscalls outright, apart from the listed differences', () => {
        expect(theirs.allowed.size).toBeGreaterThan(300);
        expect(unexpected(ours, theirs, scenario)).toEqual([]);
      });

      it('filters the same syscalls on the same argument values', () => {
        expect([...ours.filtered].sort()).toEqual([...theirs.filtered].sort());
      });

      it('lists the same architectures', () => {
        expect(ours.architectures).toEqual(theirs.architectures);
      });
    });
  }

  it('keeps the mount and namespace calls closed without CAP_SYS_ADMIN on both sides', () => {
    const closed = ['mount', 'umount2', 'unshare', 'setns', 'clone3', 'pivot_root', 'bpf', 'keyctl', 'io_uring_setup', 'userfaultfd', 'kexec_load'];
    const theirs = evaluateDocker(docker, 'amd64', dockerDefaultCapabilities, kernel);
    const ours = describeOurs(resolveSeccompPolicy(defaultSeccompPolicy(), { architecture: 'x64', capabilities: dockerDefaultCapabilities }));
    expect(closed.filter((name) => ours.allowed.has(name) || theirs.allowed.has(name))).toEqual([]);
  });

  it('gives every listed difference a reason', () => {
    for (const difference of differences) expect(difference.reason.length, difference.entry).toBeGreaterThan(20);
  });
});
