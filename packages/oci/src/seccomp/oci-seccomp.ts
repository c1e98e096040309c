// TODO: use @execdriver/spec's type (`LinuxSeccomp`, `LinuxSyscall`, `LinuxSeccompArg`,
// `LinuxSeccompArch`, `LinuxSeccompAction`) once packages/spec/src/index.ts exports them.

/** An OCI `SCMP_ARCH_*` name (config-linux.md, `linux.seccomp.architectures`). */
export type LinuxSeccompArch =
  | 'SCMP_ARCH_X86'
  | 'SCMP_ARCH_X86_64'
  | 'SCMP_ARCH_X32'
  | 'SCMP_ARCH_ARM'
  | 'SCMP_ARCH_AARCH64'
  | 'SCMP_ARCH_LOONGARCH64'
  | 'SCMP_ARCH_M68K'
  | 'SCMP_ARCH_MIPS'
  | 'SCMP_ARCH_MIPS64'
  | 'SCMP_ARCH_MIPS64N32'
  | 'SCMP_ARCH_MIPSEL'
  | 'SCMP_ARCH_MIPSEL64'
  | 'SCMP_ARCH_MIPSEL64N32'
  | 'SCMP_ARCH_PPC'
  | 'SCMP_ARCH_PPC64'
  | 'SCMP_ARCH_PPC64LE'
  | 'SCMP_ARCH_S390'
  | 'SCMP_ARCH_S390X'
  | 'SCMP_ARCH_SH'
  | 'SCMP_ARCH_SHEB'
  | 'SCMP_ARCH_PARISC'
  | 'SCMP_ARCH_PARISC64'
  | 'SCMP_ARCH_RISCV64';

/** An OCI seccomp action (config-linux.md, `linux.seccomp.defaultAction` and `syscalls[].action`). */
export type LinuxSeccompAction =
  | 'SCMP_ACT_KILL'
  | 'SCMP_ACT_KILL_PROCESS'
  | 'SCMP_ACT_KILL_THREAD'
  | 'SCMP_ACT_TRAP'
  | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE'
  | 'SCMP_ACT_ALLOW'
  | 'SCMP_ACT_LOG';

/** An OCI argument comparison (config-linux.md, `syscalls[].args[].op`). */
export type LinuxSeccompOperator =
  | 'SCMP_CMP_NE'
  | 'SCMP_CMP_LT'
  | 'SCMP_CMP_LE'
  | 'SCMP_CMP_EQ'
  | 'SCMP_CMP_GE'
  | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ';

/** One argument comparison; for `SCMP_CMP_MASKED_EQ`, `(arg & value) == valueTwo`. */
export interface LinuxSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: LinuxSeccompOperator;
}

/** One OCI seccomp rule: "`names` MUST contain at least one entry". */
export interface LinuxSyscall {
  names: string[];
  action: LinuxSeccompAction;
  errnoRet?: number;
  args?: LinuxSeccompArg[];
}

/** The OCI `linux.seccomp` object. */
export interface LinuxSeccomp {
  defaultAction: LinuxSeccompAction;
  defaultErrnoRet?: number;
  architectures?: LinuxSeccompArch[];
  flags?: ('SECCOMP_FILTER_FLAG_TSYNC' | 'SECCOMP_FILTER_FLAG_LOG' | 'SECCOMP_FILTER_FLAG_SPEC_ALLOW' | 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')[];
  syscalls?: LinuxSyscall[];
}
