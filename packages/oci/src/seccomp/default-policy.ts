import type { SeccompPolicy, SeccompRule } from './policy.js';

// Numbers from the kernel's uapi headers (errno-base.h, socket.h, personality.h, sched.h).
const EPERM = 1;
const ENOSYS = 38;
const AF_ALG = 38;
const AF_NFC = 39;
const AF_VSOCK = 40;
const PER_LINUX = 0x0000;
const PER_LINUX32 = 0x0008;
const UNAME26 = 0x0020000;
/** personality(0xffffffff) changes nothing and returns the current persona. */
const PERSONALITY_QUERY = 0xffffffff;
/** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

// The rule tables are functions, not constants, so that each policy gets fresh objects cheaply.

/** The calls every container may make, whatever it holds: grouped by what they are for. */
function unconditionalRules(): SeccompRule[] {
  return [
    {
      reason: 'paths: look up, create, rename, remove, change owner, mode and times, read mount information (the kernel still checks permissions and capabilities)',
      action: 'allow',
      names: [
        'access', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'getcwd', 'umask',
        'open', 'openat', 'openat2', 'creat', 'close', 'close_range',
        'stat', 'stat64', 'lstat', 'lstat64', 'fstat', 'fstat64', 'fstatat64', 'newfstatat', 'statx',
        'statfs', 'statfs64', 'fstatfs', 'fstatfs64',
        'getdents', 'getdents64', 'readlink', 'readlinkat',
        'mkdir', 'mkdirat', 'rmdir', 'mknod', 'mknodat',
        'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2',
        'truncate', 'truncate64', 'ftruncate', 'ftruncate64', 'fallocate',
        'chmod', 'fchmod', 'fchmodat', 'fchmodat2',
        'chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32',
        'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat',
        'name_to_handle_at', 'statmount', 'listmount',
      ],
    },
    {
      reason: 'extended attributes (Linux security attributes stay guarded by the kernel and the LSM)',
      action: 'allow',
      names: [
        'getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat',
        'setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat',
        'listxattr', 'llistxattr', 'flistxattr', 'listxattrat',
        'removexattr', 'lremovexattr', 'fremovexattr', 'removexattrat',
        'file_getattr', 'file_setattr',
      ],
    },
    {
      reason: 'reading, writing and waiting on file descriptors',
      action: 'allow',
      names: [
        'read', 'readv', 'pread64', 'preadv', 'preadv2', 'write', 'writev', 'pwrite64', 'pwritev', 'pwritev2',
        'lseek', '_llseek', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'ioctl', 'flock',
        'pipe', 'pipe2', 'splice', 'tee', 'vmsplice', 'sendfile', 'sendfile64', 'copy_file_range',
        'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'fadvise64', 'fadvise64_64', 'readahead',
        'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64',
        'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_wait', 'epoll_pwait', 'epoll_pwait2',
        'eventfd', 'eventfd2', 'signalfd', 'signalfd4', 'memfd_create', 'memfd_secret',
        'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch', 'fanotify_mark',
        'cachestat',
      ],
    },
    {
      reason: 'Linux native asynchronous I/O and I/O priorities (io_uring stays denied: a large, often-exploited kernel surface)',
      action: 'allow',
      names: [
        'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64',
        'ioprio_get', 'ioprio_set',
      ],
    },
    {
      reason: 'memory of the calling process',
      action: 'allow',
      names: [
        'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'remap_file_pages',
        'mlock', 'mlock2', 'mlockall', 'munlock', 'munlockall', 'membarrier',
        'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'mseal', 'map_shadow_stack',
      ],
    },
    {
      reason: 'creating, running, waiting for and ending processes and threads (clone is below, with an argument filter)',
      action: 'allow',
      names: [
        'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid',
        'getpid', 'getppid', 'gettid', 'getpgid', 'setpgid', 'getpgrp', 'getsid', 'setsid',
        'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'restart_syscall',
        'futex', 'futex_time64', 'futex_waitv', 'futex_wait', 'futex_wake', 'futex_requeue',
        'set_thread_area', 'get_thread_area', 'prctl', 'getcpu',
        'pidfd_open', 'pidfd_send_signal', 'process_mrelease',
        'capget', 'capset', 'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
        'lsm_get_self_attr', 'lsm_list_modules',
      ],
    },
    {
      reason: 'scheduling, priorities, limits and usage of the calling processes (raising them still needs CAP_SYS_NICE / CAP_SYS_RESOURCE)',
      action: 'allow',
      names: [
        'sched_yield', 'sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr',
        'sched_getparam', 'sched_setparam', 'sched_getscheduler', 'sched_setscheduler',
        'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
        'getpriority', 'setpriority', 'getrlimit', 'ugetrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times',
        'sysinfo', 'uname', 'getrandom',
      ],
    },
    {
      reason: 'user and group identities (changing them still needs CAP_SETUID / CAP_SETGID)',
      action: 'allow',
      names: [
        'getuid', 'getuid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getegid', 'getegid32',
        'getresuid', 'getresuid32', 'getresgid', 'getresgid32', 'getgroups', 'getgroups32',
        'setuid', 'setuid32', 'setgid', 'setgid32', 'setreuid', 'setreuid32', 'setregid', 'setregid32',
        'setresuid', 'setresuid32', 'setresgid', 'setresgid32', 'setgroups', 'setgroups32',
        'setfsuid', 'setfsuid32', 'setfsgid', 'setfsgid32',
      ],
    },
    {
      reason: 'signals',
      action: 'allow',
      names: [
        'kill', 'tkill', 'tgkill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigpending', 'rt_sigsuspend',
        'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'rt_sigreturn',
        'sigreturn', 'sigprocmask', 'sigaltstack', 'pause', 'alarm',
      ],
    },
    {
      reason: 'reading clocks, sleeping and timers (adjtimex and clock_adjtime only read unless the caller has CAP_SYS_TIME)',
      action: 'allow',
      names: [
        'time', 'gettimeofday', 'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64',
        'clock_nanosleep', 'clock_nanosleep_time64', 'nanosleep', 'getitimer', 'setitimer',
        'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64',
        'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64',
        'adjtimex', 'clock_adjtime', 'clock_adjtime64',
      ],
    },
    {
      reason: 'sockets once created (socket itself is below, with an address-family filter)',
      action: 'allow',
      names: [
        'socketpair', 'bind', 'connect', 'listen', 'accept', 'accept4', 'shutdown',
        'getsockname', 'getpeername', 'getsockopt', 'setsockopt',
        'send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg', 'recvmmsg_time64',
      ],
    },
    {
      reason: 'System V and POSIX IPC (the container has its own IPC namespace)',
      action: 'allow',
      names: [
        'ipc', 'msgget', 'msgctl', 'msgsnd', 'msgrcv', 'semget', 'semctl', 'semop', 'semtimedop', 'semtimedop_time64',
        'shmget', 'shmat', 'shmctl', 'shmdt',
        'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedsend_time64', 'mq_timedreceive', 'mq_timedreceive_time64',
        'mq_notify', 'mq_getsetattr',
      ],
    },
  ];
}

/** Calls whose arguments decide: what they can do harmlessly is allowed, the rest falls to the default. */
function argumentFilteredRules(): SeccompRule[] {
  return [
    {
      reason:
        'socketcall multiplexes socket(2) for 32-bit x86 processes with the address family behind a pointer seccomp cannot read, ' +
        'which would bypass the filter on socket below; ENOSYS (not EPERM) makes their libc use the direct socket calls (Linux 4.3+)',
      names: ['socketcall'],
      action: 'errno',
      errnoRet: ENOSYS,
    },
    {
      reason: 'every address family except AF_ALG (kernel crypto sockets, CVE-2026-31431 "Copy Fail") and AF_VSOCK (reaches the hypervisor host)',
      names: ['socket'],
      action: 'allow',
      args: [{ index: 0, op: 'lt', value: AF_ALG }],
    },
    { names: ['socket'], action: 'allow', args: [{ index: 0, op: 'eq', value: AF_NFC }] },
    { names: ['socket'], action: 'allow', args: [{ index: 0, op: 'gt', value: AF_VSOCK }] },
    ...[PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32 | UNAME26, PERSONALITY_QUERY].map(
      (persona): SeccompRule => ({
        reason: 'the personas programs use (linux32, uname26) and the query; not ADDR_NO_RANDOMIZE or READ_IMPLIES_EXEC',
        names: ['personality'],
        action: 'allow',
        args: [{ index: 0, op: 'eq', value: persona }],
      }),
    ),
    {
      reason: 'clone for processes and threads, without namespace flags (flags are the first argument except on s390)',
      names: ['clone'],
      action: 'allow',
      args: [{ index: 0, op: 'masked-eq', mask: CLONE_NAMESPACE_FLAGS, value: 0 }],
      excludes: { capabilities: ['CAP_SYS_ADMIN'], architectures: ['s390', 's390x'] },
    },
    {
      reason: 'clone without namespace flags on s390, where the flags are the second argument',
      names: ['clone'],
      action: 'allow',
      args: [{ index: 1, op: 'masked-eq', mask: CLONE_NAMESPACE_FLAGS, value: 0 }],
      includes: { architectures: ['s390', 's390x'] },
      excludes: { capabilities: ['CAP_SYS_ADMIN'] },
    },
    {
      reason: 'clone3 passes its flags in memory seccomp cannot read; ENOSYS makes glibc and musl fall back to clone, which is filtered above',
      names: ['clone3'],
      action: 'errno',
      errnoRet: ENOSYS,
      excludes: { capabilities: ['CAP_SYS_ADMIN'] },
    },
  ];
}

/** Calls that exist on some architectures only. */
function architectureRules(): SeccompRule[] {
  return [
    { names: ['arch_prctl'], action: 'allow', includes: { architectures: ['x86_64', 'x32'] }, reason: 'x86_64 thread-local storage setup' },
    { names: ['modify_ldt'], action: 'allow', includes: { architectures: ['x86_64', 'x32', 'x86'] }, reason: 'x86 local descriptor table (Wine, old threading libraries)' },
    { names: ['uretprobe'], action: 'allow', includes: { architectures: ['x86_64'] }, reason: 'the kernel\'s uretprobe trampoline calls it in the probed process' },
    {
      names: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
      action: 'allow',
      includes: { architectures: ['aarch64', 'arm'] },
      reason: 'ARM spellings of fadvise and sync_file_range, cache flushing and TLS for 32-bit ARM processes',
    },
    { names: ['sync_file_range2', 'swapcontext'], action: 'allow', includes: { architectures: ['ppc64le'] }, reason: 'POWER spellings' },
    {
      names: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
      action: 'allow',
      includes: { architectures: ['s390', 's390x'] },
      reason: 's390 user-space PCI access and runtime instrumentation',
    },
    { names: ['riscv_flush_icache', 'riscv_hwprobe'], action: 'allow', includes: { architectures: ['riscv64'] }, reason: 'RISC-V instruction cache flush and CPU feature probe' },
  ];
}

/** Calls that need a capability anyway: opened only to containers holding it. */
function capabilityRules(): SeccompRule[] {
  return [
    {
      names: [
        'mount', 'umount', 'umount2', 'mount_setattr', 'move_mount', 'open_tree', 'open_tree_attr',
        'fsopen', 'fsconfig', 'fsmount', 'fspick', 'pivot_root',
        'unshare', 'setns', 'clone', 'clone3',
        'sethostname', 'setdomainname', 'quotactl', 'quotactl_fd', 'fanotify_init', 'lookup_dcookie',
        'bpf', 'perf_event_open', 'syslog', 'lsm_set_self_attr',
      ],
      action: 'allow',
      includes: { capabilities: ['CAP_SYS_ADMIN'] },
      reason: 'mounts, namespaces (clone and clone3 with any flags), host and domain names, quotas, fanotify, BPF and perf',
    },
    {
      names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp', 'pidfd_getfd', 'process_madvise'],
      action: 'allow',
      includes: { capabilities: ['CAP_SYS_PTRACE'] },
      reason: 'tracing and reaching into other processes',
    },
    {
      names: ['ptrace', 'process_vm_readv', 'process_vm_writev'],
      action: 'allow',
      minKernel: '4.8',
      reason: 'since Linux 4.8 seccomp runs after ptrace, so a tracer can no longer rewrite a call past the filter; the kernel still checks ptrace access',
    },
    { names: ['open_by_handle_at'], action: 'allow', includes: { capabilities: ['CAP_DAC_READ_SEARCH'] }, reason: 'opening files by handle escapes the mount namespace ("shocker")' },
    { names: ['reboot'], action: 'allow', includes: { capabilities: ['CAP_SYS_BOOT'] }, reason: 'in a PID namespace, reboot ends the container' },
    { names: ['chroot'], action: 'allow', includes: { capabilities: ['CAP_SYS_CHROOT'] }, reason: 'chroot' },
    { names: ['init_module', 'finit_module', 'delete_module'], action: 'allow', includes: { capabilities: ['CAP_SYS_MODULE'] }, reason: 'kernel modules' },
    { names: ['acct'], action: 'allow', includes: { capabilities: ['CAP_SYS_PACCT'] }, reason: 'process accounting' },
    { names: ['iopl', 'ioperm'], action: 'allow', includes: { capabilities: ['CAP_SYS_RAWIO'] }, reason: 'x86 I/O ports' },
    {
      names: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
      action: 'allow',
      includes: { capabilities: ['CAP_SYS_TIME'] },
      reason: 'setting the (host-wide) clock',
    },
    { names: ['vhangup'], action: 'allow', includes: { capabilities: ['CAP_SYS_TTY_CONFIG'] }, reason: 'hanging up the terminal' },
    {
      names: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
      action: 'allow',
      includes: { capabilities: ['CAP_SYS_NICE'] },
      reason: 'NUMA memory placement',
    },
    { names: ['syslog'], action: 'allow', includes: { capabilities: ['CAP_SYSLOG'] }, reason: 'the kernel log' },
    { names: ['bpf'], action: 'allow', includes: { capabilities: ['CAP_BPF'] }, reason: 'BPF programs and maps' },
    { names: ['perf_event_open'], action: 'allow', includes: { capabilities: ['CAP_PERFMON'] }, reason: 'performance monitoring' },
  ];
}

/**
 * execdriver's default seccomp policy: every system call fails with EPERM unless a rule allows
 * it. Allowed are the calls ordinary programs need, with argument filters on `socket` (no AF_ALG,
 * no AF_VSOCK), `personality` (no ASLR switch-off) and `clone` (no namespace flags); calls that only
 * make sense with a capability (mount, unshare and setns with CAP_SYS_ADMIN, ptrace helpers with
 * CAP_SYS_PTRACE, ...) are opened to containers holding it. Compared with Docker's default profile
 * in `default-policy.test.ts`, where every difference is listed with its reason.
 * Returns a fresh object on each call: callers may change it.
 */
export function defaultSeccompPolicy(): SeccompPolicy {
  return {
    defaultAction: 'errno',
    defaultErrnoRet: EPERM,
    rules: [
      ...unconditionalRules(),
      ...argumentFilteredRules(),
      ...architectureRules(),
      ...capabilityRules(),
    ],
  };
}
