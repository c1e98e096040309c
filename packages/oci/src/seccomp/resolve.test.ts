import { officialValidator } from '@execdriver/testkit';
import { describe, expect, it } from 'vitest';
import { OciError } from '../errors.js';
import { defaultSeccompPolicy } from './default-policy.js';
import type { LinuxSeccomp, LinuxSyscall } from './oci-seccomp.js';
import type { SeccompPolicy } from './policy.js';
import { resolveSeccompPolicy } from './resolve.js';

const defaultCapabilities = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const resolveDefault = (architecture: string, capabilities: readonly string[] = defaultCapabilities, kernelVersion?: string) =>
  resolveSeccompPolicy(defaultSeccompPolicy(), { architecture, capabilities, ...(kernelVersion === undefined ? {} : { kernelVersion }) });

/** The rules naming `name`, without the names themselves. */
function rulesFor(seccomp: LinuxSeccomp, name: string): Omit<LinuxSyscall, 'names'>[] {
  return (seccomp.syscalls ?? []).filter((syscall) => syscall.names.includes(name)).map(({ names: _names, ...rest }) => rest);
}

const allowed = (seccomp: LinuxSeccomp, name: string) =>
  rulesFor(seccomp, name).some((rule) => rule.action === 'SCMP_ACT_ALLOW' && rule.args === undefined);

/** Every config fragment is checked as `linux.seccomp` of a minimal config under both official schemas. */
function expectValid(seccomp: LinuxSeccomp, versions: readonly ('v1.0.2' | 'v1.2.1')[] = ['v1.0.2', 'v1.2.1']) {
  const config = { ociVersion: '1.0.2', root: { path: 'rootfs' }, linux: { seccomp } };
  for (const version of versions) expect(officialValidator(version)(config), version).toEqual({ valid: true, errors: [] });
}

describe('defaultSeccompPolicy', () => {
  it('returns a fresh object on each call', () => {
    const first = defaultSeccompPolicy();
    first.rules.length = 0;
    const second = defaultSeccompPolicy();
    expect(second.rules.length).toBeGreaterThan(10);
    expect(defaultSeccompPolicy()).toEqual(second);
    expect(defaultSeccompPolicy().rules[0]).not.toBe(second.rules[0]);
  });

  it('denies by default with EPERM and never compares one argument twice in a rule', () => {
    const policy = defaultSeccompPolicy();
    expect([policy.defaultAction, policy.defaultErrnoRet]).toEqual(['errno', 1]);
    for (const rule of policy.rules) {
      const indexes = (rule.args ?? []).map((condition) => condition.index);
      expect(new Set(indexes).size, rule.names.join(',')).toBe(indexes.length);
    }
  });
});

describe('resolveSeccompPolicy with the default policy', () => {
  it('gives an x86_64 container the x86 and x32 sub-architectures, EPERM by default', () => {
    const seccomp = resolveDefault('x64');
    expect(seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(seccomp.defaultErrnoRet).toBe(1);
    expect(seccomp.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    expect(resolveDefault('amd64')).toEqual(seccomp);
    expectValid(seccomp);
  });

  it('keeps mount, namespaces and clone3 closed without CAP_SYS_ADMIN', () => {
    const seccomp = resolveDefault('x64');
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'pivot_root', 'sethostname', 'bpf']) {
      expect(rulesFor(seccomp, name), name).toEqual([]);
    }
    expect(rulesFor(seccomp, 'clone')).toEqual([
      { action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    ]);
    expect(rulesFor(seccomp, 'clone3')).toEqual([{ action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
    expect(rulesFor(seccomp, 'socketcall')).toEqual([{ action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  });

  it('opens mount, unshare, setns and clone with any flags to CAP_SYS_ADMIN', () => {
    const seccomp = resolveDefault('x64', [...defaultCapabilities, 'CAP_SYS_ADMIN']);
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3', 'fsopen', 'pivot_root']) {
      expect(rulesFor(seccomp, name), name).toEqual([{ action: 'SCMP_ACT_ALLOW' }]);
    }
    expectValid(seccomp);
  });

  it('accepts capabilities in other spellings', () => {
    expect(resolveDefault('x64', ['sys_admin'])).toEqual(resolveDefault('x64', ['CAP_SYS_ADMIN']));
  });

  it.each([
    ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise']],
    ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
    ['CAP_SYS_BOOT', ['reboot']],
    ['CAP_SYS_TIME', ['settimeofday', 'clock_settime']],
    ['CAP_SYS_NICE', ['mbind', 'set_mempolicy']],
    ['CAP_SYS_PACCT', ['acct']],
    ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
    ['CAP_SYS_TTY_CONFIG', ['vhangup']],
    ['CAP_SYSLOG', ['syslog']],
    ['CAP_BPF', ['bpf']],
    ['CAP_PERFMON', ['perf_event_open']],
    ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
  ])('%s opens %j', (capability, names) => {
    const without = resolveDefault('x64');
    const withIt = resolveDefault('x64', [...defaultCapabilities, capability]);
    for (const name of names) {
      expect(allowed(without, name), `${name} without ${capability}`).toBe(false);
      expect(allowed(withIt, name), `${name} with ${capability}`).toBe(true);
    }
  });

  it('allows chroot only with CAP_SYS_CHROOT', () => {
    expect(allowed(resolveDefault('x64'), 'chroot')).toBe(true);
    expect(allowed(resolveDefault('x64', defaultCapabilities.filter((name) => name !== 'CAP_SYS_CHROOT')), 'chroot')).toBe(false);
  });

  it('allows ptrace without CAP_SYS_PTRACE only on Linux 4.8 and later', () => {
    expect(allowed(resolveDefault('x64', defaultCapabilities, '6.1.0-18-amd64'), 'ptrace')).toBe(true);
    expect(allowed(resolveDefault('x64', defaultCapabilities, '4.8.0'), 'ptrace')).toBe(true);
    expect(allowed(resolveDefault('x64', defaultCapabilities, '4.4.0-210-generic'), 'ptrace')).toBe(false);
    expect(allowed(resolveDefault('x64', [...defaultCapabilities, 'CAP_SYS_PTRACE'], '4.4.0'), 'ptrace')).toBe(true);
    expect(allowed(resolveDefault('x64'), 'ptrace')).toBe(true);
  });

  it('filters socket by address family: no AF_ALG (38), no AF_VSOCK (40)', () => {
    expect(rulesFor(resolveDefault('x64'), 'socket')).toEqual([
      { action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }] },
      { action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }] },
      { action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }] },
    ]);
  });

  it('allows only the harmless personalities', () => {
    const values = rulesFor(resolveDefault('x64'), 'personality').map((rule) => rule.args?.[0]?.value);
    expect(values).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
  });

  it('lists the socketcall denial before the socket rules (libseccomp adds socketcall companions for socket)', () => {
    const names = (resolveDefault('x64').syscalls ?? []).map((syscall) => syscall.names);
    const socketcall = names.findIndex((list) => list.includes('socketcall'));
    const socket = names.findIndex((list) => list.includes('socket'));
    expect(socketcall).toBeGreaterThan(-1);
    expect(socketcall).toBeLessThan(socket);
  });

  it('gives arm64 its ARM calls and sub-architecture, not the x86 ones', () => {
    const seccomp = resolveDefault('arm64');
    expect(seccomp.architectures).toEqual(['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
    expect(allowed(seccomp, 'arm_fadvise64_64')).toBe(true);
    expect(allowed(seccomp, 'set_tls')).toBe(true);
    expect(allowed(seccomp, 'arch_prctl')).toBe(false);
    expect(allowed(seccomp, 'modify_ldt')).toBe(false);
    expect(allowed(resolveDefault('x64'), 'arch_prctl')).toBe(true);
    expect(allowed(resolveDefault('x64'), 'arm_fadvise64_64')).toBe(false);
    expectValid(seccomp);
  });

  it('filters clone on its second argument on s390x', () => {
    const seccomp = resolveDefault('s390x');
    expect(rulesFor(seccomp, 'clone')).toEqual([
      { action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] },
    ]);
    expect(allowed(seccomp, 's390_runtime_instr')).toBe(true);
    expectValid(seccomp);
  });

  it('validates for riscv64 under v1.2.1 (v1.0.2 has no SCMP_ARCH_RISCV64)', () => {
    const seccomp = resolveDefault('riscv64');
    expect(allowed(seccomp, 'riscv_hwprobe')).toBe(true);
    expectValid(seccomp, ['v1.2.1']);
  });

  it('never repeats a name within one rule', () => {
    const seccomp = resolveDefault('x64', [...defaultCapabilities, 'CAP_SYS_ADMIN', 'CAP_SYS_PTRACE', 'CAP_SYSLOG']);
    for (const syscall of seccomp.syscalls ?? []) expect(new Set(syscall.names).size).toBe(syscall.names.length);
    expect(rulesFor(seccomp, 'ptrace')).toEqual([{ action: 'SCMP_ACT_ALLOW' }]);
    expect(rulesFor(seccomp, 'syslog')).toEqual([{ action: 'SCMP_ACT_ALLOW' }]);
  });

  it('refuses an unknown architecture', () => {
    expect(() => resolveDefault('sparc64')).toThrow(OciError);
    expect(() => resolveDefault('sparc64')).toThrow(/unknown architecture "sparc64"/);
  });
});

describe('resolveSeccompPolicy with other policies', () => {
  const base = (rules: SeccompPolicy['rules']): SeccompPolicy => ({ defaultAction: 'errno', defaultErrnoRet: 1, rules });
  const context = { architecture: 'x64', capabilities: [] };

  it('refuses a rule comparing the same argument twice (runc would OR the comparisons)', () => {
    const policy = base([{ names: ['socket'], action: 'allow', args: [{ index: 0, op: 'gt', value: 1 }, { index: 0, op: 'lt', value: 5 }] }]);
    expect(() => resolveSeccompPolicy(policy, context)).toThrow(/compares argument 0 twice/);
  });

  it('refuses an argument index beyond 5', () => {
    const policy = base([{ names: ['read'], action: 'allow', args: [{ index: 6, op: 'eq', value: 1 }] }]);
    expect(() => resolveSeccompPolicy(policy, context)).toThrow(/arguments 0 to 5/);
  });

  it('refuses conflicting unconditional actions for one name', () => {
    const policy = base([
      { names: ['read'], action: 'allow' },
      { names: ['read'], action: 'kill-process' },
    ]);
    expect(() => resolveSeccompPolicy(policy, context)).toThrow(/read gets both allow and kill-process/);
  });

  it('refuses a malformed minKernel and kernel version', () => {
    expect(() => resolveSeccompPolicy(base([{ names: ['read'], action: 'allow', minKernel: 'new' }]), context)).toThrow(OciError);
    expect(() => resolveSeccompPolicy(base([]), { ...context, kernelVersion: 'unknown' })).toThrow(/not a kernel version/);
  });

  it('leaves out rules that repeat the default and conditions another rule makes moot', () => {
    const policy = base([
      { names: ['write'], action: 'errno' },
      { names: ['read'], action: 'allow' },
      { names: ['read', 'pread64'], action: 'allow', args: [{ index: 0, op: 'eq', value: 0 }] },
      { names: ['open'], action: 'errno', errnoRet: 13 },
    ]);
    expect(resolveSeccompPolicy(policy, context).syscalls).toEqual([
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['pread64'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }] },
      { names: ['open'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
    ]);
  });

  it('emits no defaultErrnoRet for a default action that returns none', () => {
    const seccomp = resolveSeccompPolicy({ defaultAction: 'kill-process', rules: [{ names: ['read'], action: 'allow' }] }, context);
    expect(seccomp).toEqual({
      defaultAction: 'SCMP_ACT_KILL_PROCESS',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }],
    });
    expectValid(seccomp, ['v1.2.1']);
  });
});
