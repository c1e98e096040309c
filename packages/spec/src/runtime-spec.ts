// The OCI runtime configuration (config.json) up to runtime-spec v1.2.1, Linux platform.
//
// Shapes follow the official JSON schemas (schema/config-schema.json, config-linux.json,
// defs.json, defs-linux.json at v1.2.1); field names are spelled exactly as the spec spells them.
// Every object keeps unknown keys, because config.md ("Extensibility") says: "Runtimes MAY log
// unknown properties but MUST otherwise ignore them. That includes not generating errors if they
// encounter an unknown property." The `windows`, `solaris`, `vm` and `zos` sections are kept but
// not validated.
//
// Where these schemas are stricter than the official JSON schemas, the doc comment quotes the
// sentence of the spec text that makes the rule (config.md, config-linux.md at v1.2.1).
import * as z from 'zod';
import { SpecError, issuesFromZod } from './errors.js';
import type { WithoutExtensions } from './extensions.js';
import { ociAbsolutePathSchema as absolutePath, integer, requiredMessage } from './schema-primitives.js';
import { lazySchema } from './lazy-schema.js';

// ---------------------------------------------------------------------------------------------
// Numbers (defs.json). JSON numbers beyond 2^53 are not exact in JavaScript; the bounds are
// compared as doubles, the same way ajv checks the official schema.

const int32 = lazySchema(() => integer('an int32 from -2147483648 to 2147483647', -2147483648, 2147483647));
const int64 = lazySchema(() => integer('an int64 (an integer from -2^63 to 2^63-1)', -9223372036854775808, 9223372036854775807));
const uint16 = lazySchema(() => integer('a uint16 from 0 to 65535', 0, 65535));
const uint32 = lazySchema(() => integer('a uint32 from 0 to 4294967295', 0, 4294967295));
const uint64 = lazySchema(() => integer('a uint64 (an integer from 0 to 2^64-1)', 0, 18446744073709551615));

const stringArray = lazySchema(() => z.array(z.string()));

/** defs.json `mapStringString`. */
const stringMap = lazySchema(() => z.record(z.string(), z.string()));

/**
 * SemVer 2.0.0, from semver.org. config.md: "`ociVersion` (string, REQUIRED) MUST be in SemVer
 * v2.0.0 format" (the official schema accepts any string).
 */
const semver =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const ociVersionSchema = lazySchema(() => z.string().regex(semver, { message: 'must be a SemVer 2.0.0 version such as 1.0.2' }));

/**
 * Annotations. config.md: "Keys MUST NOT be an empty string." (the official schema lets an empty
 * key through). "Values MUST be strings."
 */
export const annotationsSchema = lazySchema(() =>
  z.record(z.string(), z.string()).superRefine((annotations, context) => {
    if ('' in annotations) context.addIssue({ code: 'custom', path: [''], message: 'annotation keys must not be empty' });
  }),
);

// ---------------------------------------------------------------------------------------------
// Enumerations (defs-linux.json)

export const linuxNamespaceTypeSchema = lazySchema(() => z.enum(['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time']));
export type LinuxNamespaceType = z.infer<typeof linuxNamespaceTypeSchema>;

export const linuxRootfsPropagationSchema = lazySchema(() => z.enum(['private', 'shared', 'slave', 'unbindable']));
export type LinuxRootfsPropagation = z.infer<typeof linuxRootfsPropagationSchema>;

export const linuxSeccompArchSchema = lazySchema(() =>
  z.enum([
    'SCMP_ARCH_X86',
    'SCMP_ARCH_X86_64',
    'SCMP_ARCH_X32',
    'SCMP_ARCH_ARM',
    'SCMP_ARCH_AARCH64',
    'SCMP_ARCH_LOONGARCH64',
    'SCMP_ARCH_M68K',
    'SCMP_ARCH_MIPS',
    'SCMP_ARCH_MIPS64',
    'SCMP_ARCH_MIPS64N32',
    'SCMP_ARCH_MIPSEL',
    'SCMP_ARCH_MIPSEL64',
    'SCMP_ARCH_MIPSEL64N32',
    'SCMP_ARCH_PPC',
    'SCMP_ARCH_PPC64',
    'SCMP_ARCH_PPC64LE',
    'SCMP_ARCH_S390',
    'SCMP_ARCH_S390X',
    'SCMP_ARCH_SH',
    'SCMP_ARCH_SHEB',
    'SCMP_ARCH_PARISC',
    'SCMP_ARCH_PARISC64',
    'SCMP_ARCH_RISCV64',
  ]),
);
export type LinuxSeccompArch = z.infer<typeof linuxSeccompArchSchema>;

export const linuxSeccompActionSchema = lazySchema(() =>
  z.enum([
    'SCMP_ACT_KILL',
    'SCMP_ACT_KILL_PROCESS',
    'SCMP_ACT_KILL_THREAD',
    'SCMP_ACT_TRAP',
    'SCMP_ACT_ERRNO',
    'SCMP_ACT_TRACE',
    'SCMP_ACT_ALLOW',
    'SCMP_ACT_LOG',
    'SCMP_ACT_NOTIFY',
  ]),
);
export type LinuxSeccompAction = z.infer<typeof linuxSeccompActionSchema>;

export const linuxSeccompFlagSchema = lazySchema(() =>
  z.enum([
    'SECCOMP_FILTER_FLAG_TSYNC',
    'SECCOMP_FILTER_FLAG_LOG',
    'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
    'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
  ]),
);
export type LinuxSeccompFlag = z.infer<typeof linuxSeccompFlagSchema>;

export const linuxSeccompOperatorSchema = lazySchema(() =>
  z.enum([
    'SCMP_CMP_NE',
    'SCMP_CMP_LT',
    'SCMP_CMP_LE',
    'SCMP_CMP_EQ',
    'SCMP_CMP_GE',
    'SCMP_CMP_GT',
    'SCMP_CMP_MASKED_EQ',
  ]),
);
export type LinuxSeccompOperator = z.infer<typeof linuxSeccompOperatorSchema>;

export const linuxSchedulerPolicySchema = lazySchema(() => z.enum(['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE']));
export type LinuxSchedulerPolicy = z.infer<typeof linuxSchedulerPolicySchema>;

export const linuxSchedulerFlagSchema = lazySchema(() =>
  z.enum([
    'SCHED_FLAG_RESET_ON_FORK',
    'SCHED_FLAG_RECLAIM',
    'SCHED_FLAG_DL_OVERRUN',
    'SCHED_FLAG_KEEP_POLICY',
    'SCHED_FLAG_KEEP_PARAMS',
    'SCHED_FLAG_UTIL_CLAMP_MIN',
    'SCHED_FLAG_UTIL_CLAMP_MAX',
  ]),
);
export type LinuxSchedulerFlag = z.infer<typeof linuxSchedulerFlagSchema>;

/** The resources of getrlimit(2) on Linux. */
export const posixRlimitTypes = [
  'RLIMIT_AS',
  'RLIMIT_CORE',
  'RLIMIT_CPU',
  'RLIMIT_DATA',
  'RLIMIT_FSIZE',
  'RLIMIT_LOCKS',
  'RLIMIT_MEMLOCK',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_NOFILE',
  'RLIMIT_NPROC',
  'RLIMIT_RSS',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
  'RLIMIT_SIGPENDING',
  'RLIMIT_STACK',
] as const;

/** Seccomp actions that can return an errno (`errnoRet`, `defaultErrnoRet`). */
const errnoActions: ReadonlySet<string> = new Set(['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE']);

// ---------------------------------------------------------------------------------------------
// Shared shapes (defs.json)

/** defs.json `IDMapping`: user namespace and idmapped-mount mappings. */
export const linuxIdMappingSchema = lazySchema(() =>
  z.looseObject({
    containerID: uint32,
    hostID: uint32,
    size: uint32,
  }),
);
export type LinuxIdMapping = WithoutExtensions<z.infer<typeof linuxIdMappingSchema>>;

/**
 * A lifecycle hook. config.md: "This specification extends the IEEE standard in that **`path`**
 * MUST be absolute." and "If set, `timeout` MUST be greater than zero."
 */
export const runtimeHookSchema = lazySchema(() =>
  z.looseObject({
    path: absolutePath,
    args: stringArray.optional(),
    env: stringArray.optional(),
    timeout: integer('an integer greater than 0', 1).optional(),
  }),
);
export type RuntimeHook = WithoutExtensions<z.infer<typeof runtimeHookSchema>>;

const hookList = lazySchema(() => z.array(runtimeHookSchema).optional());

/** All six hook kinds of runtime-spec v1.2 (`prestart` is deprecated but still run by runc). */
export const runtimeHooksSchema = lazySchema(() =>
  z.looseObject({
    prestart: hookList,
    createRuntime: hookList,
    createContainer: hookList,
    startContainer: hookList,
    poststart: hookList,
    poststop: hookList,
  }),
);
export type RuntimeHooks = WithoutExtensions<z.infer<typeof runtimeHooksSchema>>;

/**
 * A mount. config.md: `uidMappings` "If specified, it MUST be specified along with
 * `gidMappings`." (and the other way round); the official schema does not check the pairing.
 * The Linux `destination` SHOULD be absolute but MAY be relative (deprecated), so any string passes.
 */
export const runtimeMountSchema = lazySchema(() =>
  z
    .looseObject({
      destination: z.string(),
      source: z.string().optional(),
      options: stringArray.optional(),
      type: z.string().optional(),
      uidMappings: z.array(linuxIdMappingSchema).optional(),
      gidMappings: z.array(linuxIdMappingSchema).optional(),
    })
    .superRefine((mount, context) => {
      if ((mount.uidMappings === undefined) !== (mount.gidMappings === undefined)) {
        const missing = mount.uidMappings === undefined ? 'uidMappings' : 'gidMappings';
        context.addIssue({ code: 'custom', path: [missing], message: 'uidMappings and gidMappings must be set together on a mount' });
      }
    }),
);
export type RuntimeMount = WithoutExtensions<z.infer<typeof runtimeMountSchema>>;

/**
 * The root filesystem. config.md: "`path` (string, REQUIRED)"; on POSIX platforms it "is either
 * an absolute path or a relative path to the bundle".
 */
export const runtimeRootSchema = lazySchema(() =>
  z.looseObject({
    path: z.string(),
    readonly: z.boolean().optional(),
  }),
);
export type RuntimeRoot = WithoutExtensions<z.infer<typeof runtimeRootSchema>>;

// ---------------------------------------------------------------------------------------------
// Process (config.md "Process", "POSIX process", "Linux Process", "User")

export const runtimeConsoleSizeSchema = lazySchema(() =>
  z.looseObject({
    height: uint64,
    width: uint64,
  }),
);
export type RuntimeConsoleSize = WithoutExtensions<z.infer<typeof runtimeConsoleSizeSchema>>;

/**
 * The POSIX user. config.md: "`uid` (int, REQUIRED)", "`gid` (int, REQUIRED)" (the official
 * schema leaves both optional). `username` is the Windows field, kept for completeness.
 */
export const runtimeUserSchema = lazySchema(() =>
  z.looseObject({
    uid: uint32,
    gid: uint32,
    umask: uint32.optional(),
    additionalGids: z.array(uint32).optional(),
    username: z.string().optional(),
  }),
);
export type RuntimeUser = WithoutExtensions<z.infer<typeof runtimeUserSchema>>;

/**
 * Capability sets. Names are not checked against a list: config.md says a value that cannot be
 * mapped "MUST be logged as a warning" and "Runtimes SHOULD NOT fail" on it.
 */
export const linuxCapabilitiesSchema = lazySchema(() =>
  z.looseObject({
    bounding: stringArray.optional(),
    effective: stringArray.optional(),
    inheritable: stringArray.optional(),
    permitted: stringArray.optional(),
    ambient: stringArray.optional(),
  }),
);
export type LinuxCapabilities = WithoutExtensions<z.infer<typeof linuxCapabilitiesSchema>>;

/**
 * One rlimit. config.md: "The runtime MUST generate an error for any values which cannot be
 * mapped to a relevant kernel interface." so `type` must be a Linux getrlimit(2) resource (the
 * official schema only checks `^RLIMIT_[A-Z]+$`).
 */
export const posixRlimitSchema = lazySchema(() =>
  z.looseObject({
    type: z.enum(posixRlimitTypes, { error: `must be a Linux rlimit (${posixRlimitTypes.join(', ')})` }),
    soft: uint64,
    hard: uint64,
  }),
);
export type PosixRlimit = WithoutExtensions<z.infer<typeof posixRlimitSchema>>;

/**
 * config.md: "`priority` (int, REQUIRED) specifies the priority level within the class." (the
 * official schema leaves it optional).
 */
export const linuxIoPrioritySchema = lazySchema(() =>
  z.looseObject({
    class: z.enum(['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE']),
    priority: int32,
  }),
);
export type LinuxIoPriority = WithoutExtensions<z.infer<typeof linuxIoPrioritySchema>>;

export const linuxSchedulerSchema = lazySchema(() =>
  z.looseObject({
    policy: linuxSchedulerPolicySchema,
    nice: int32.optional(),
    priority: int32.optional(),
    flags: z.array(linuxSchedulerFlagSchema).optional(),
    runtime: uint64.optional(),
    deadline: uint64.optional(),
    period: uint64.optional(),
  }),
);
export type LinuxScheduler = WithoutExtensions<z.infer<typeof linuxSchedulerSchema>>;

const cpuList = lazySchema(() => z.string().regex(/^[0-9, -]*$/, { message: 'must be a CPU list such as 0-3,7' }));

export const linuxExecCpuAffinitySchema = lazySchema(() =>
  z.looseObject({
    initial: cpuList.optional(),
    final: cpuList.optional(),
  }),
);
export type LinuxExecCpuAffinity = WithoutExtensions<z.infer<typeof linuxExecCpuAffinitySchema>>;

/**
 * The container process. Stricter than the official schema, per config.md:
 * - `cwd`: "This value MUST be an absolute path."
 * - `args`: "at least one entry is REQUIRED (non-Windows)".
 * - `rlimits`: "If `rlimits` contains duplicated entries with same `type`, the runtime MUST
 *   generate an error."
 */
export const runtimeProcessSchema = lazySchema(() =>
  z.looseObject({
    terminal: z.boolean().optional(),
    consoleSize: runtimeConsoleSizeSchema.optional(),
    cwd: absolutePath,
    env: stringArray.optional(),
    args: z.array(z.string()).min(1, { message: 'must have at least one entry' }),
    commandLine: z.string().optional(),
    rlimits: z
      .array(posixRlimitSchema)
      .superRefine((rlimits, context) => reportDuplicates(rlimits, (rlimit) => rlimit.type, 'type', context))
      .optional(),
    apparmorProfile: z.string().optional(),
    capabilities: linuxCapabilitiesSchema.optional(),
    noNewPrivileges: z.boolean().optional(),
    oomScoreAdj: integer('an integer').optional(),
    scheduler: linuxSchedulerSchema.optional(),
    selinuxLabel: z.string().optional(),
    ioPriority: linuxIoPrioritySchema.optional(),
    execCPUAffinity: linuxExecCpuAffinitySchema.optional(),
    user: runtimeUserSchema.optional(),
  }),
);
export type RuntimeProcess = WithoutExtensions<z.infer<typeof runtimeProcessSchema>>;

// ---------------------------------------------------------------------------------------------
// Linux (config-linux.md)

/**
 * A namespace. config-linux.md: `path` "This value MUST be an absolute path in the runtime mount
 * namespace."
 */
export const linuxNamespaceSchema = lazySchema(() =>
  z.looseObject({
    type: linuxNamespaceTypeSchema,
    path: absolutePath.optional(),
  }),
);
export type LinuxNamespace = WithoutExtensions<z.infer<typeof linuxNamespaceSchema>>;

/**
 * A device node to create. config-linux.md: "`major, minor` (int64, REQUIRED unless `type` is
 * `p`)" (the official schema leaves them optional). `fileMode` is capped at 512 as in the official
 * schema.
 */
export const linuxDeviceSchema = lazySchema(() =>
  z
    .looseObject({
      type: z.string().regex(/^[cbup]$/, { message: 'must be one of c, b, u or p' }),
      path: z.string(),
      major: int64.optional(),
      minor: int64.optional(),
      fileMode: integer('a file mode from 0 to 512', 0, 512).optional(),
      uid: uint32.optional(),
      gid: uint32.optional(),
    })
    .superRefine((device, context) => {
      if (device.type === 'p') return;
      for (const key of ['major', 'minor'] as const) {
        if (device[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: `is required for a device of type ${device.type}` });
      }
    }),
);
export type LinuxDevice = WithoutExtensions<z.infer<typeof linuxDeviceSchema>>;

/**
 * One entry of the device cgroup allow list. Stricter than the official schema, per
 * config-linux.md: "`type` (string, OPTIONAL) - type of device: `a` (all), `c` (char), or `b`
 * (block)" and "`access` ... A composition of `r` (read), `w` (write), and `m` (mknod)", together
 * with config.md: "Runtimes MUST generate an error when invalid or unsupported values are
 * encountered."
 */
export const linuxDeviceCgroupSchema = lazySchema(() =>
  z.looseObject({
    allow: z.boolean(),
    type: z.enum(['a', 'c', 'b'], { error: 'must be one of a, c or b' }).optional(),
    major: int64.optional(),
    minor: int64.optional(),
    access: z.string().regex(/^[rwm]*$/, { message: 'must be a combination of r, w and m' }).optional(),
  }),
);
export type LinuxDeviceCgroup = WithoutExtensions<z.infer<typeof linuxDeviceCgroupSchema>>;

export const linuxMemorySchema = lazySchema(() =>
  z.looseObject({
    limit: int64.optional(),
    reservation: int64.optional(),
    swap: int64.optional(),
    kernel: int64.optional(),
    kernelTCP: int64.optional(),
    swappiness: uint64.optional(),
    disableOOMKiller: z.boolean().optional(),
    useHierarchy: z.boolean().optional(),
    checkBeforeUpdate: z.boolean().optional(),
  }),
);
export type LinuxMemory = WithoutExtensions<z.infer<typeof linuxMemorySchema>>;

/**
 * The cpu and cpuset controllers. config-linux.md: `burst` "If specified, this value MUST be no
 * larger than any positive `quota` (runtimes MAY generate an error)."
 */
export const linuxCpuSchema = lazySchema(() =>
  z
    .looseObject({
      shares: uint64.optional(),
      quota: int64.optional(),
      burst: uint64.optional(),
      period: uint64.optional(),
      realtimeRuntime: int64.optional(),
      realtimePeriod: uint64.optional(),
      cpus: z.string().optional(),
      mems: z.string().optional(),
      idle: int64.optional(),
    })
    .superRefine((cpu, context) => {
      if (cpu.burst !== undefined && cpu.quota !== undefined && cpu.quota > 0 && cpu.burst > cpu.quota) {
        context.addIssue({ code: 'custom', path: ['burst'], message: `must not be larger than quota (${cpu.quota})` });
      }
    }),
);
export type LinuxCpu = WithoutExtensions<z.infer<typeof linuxCpuSchema>>;

/**
 * config-linux.md: "You MUST specify at least one of `weight` or `leafWeight` in a given entry".
 */
export const linuxWeightDeviceSchema = lazySchema(() =>
  z
    .looseObject({
      major: int64,
      minor: int64,
      weight: uint16.optional(),
      leafWeight: uint16.optional(),
    })
    .superRefine((device, context) => {
      if (device.weight === undefined && device.leafWeight === undefined) {
        context.addIssue({ code: 'custom', path: ['weight'], message: 'weight or leafWeight is required' });
      }
    }),
);
export type LinuxWeightDevice = WithoutExtensions<z.infer<typeof linuxWeightDeviceSchema>>;

/** config-linux.md: "`rate` (uint64, REQUIRED)" (the official schema leaves it optional). */
export const linuxThrottleDeviceSchema = lazySchema(() =>
  z.looseObject({
    major: int64,
    minor: int64,
    rate: uint64,
  }),
);
export type LinuxThrottleDevice = WithoutExtensions<z.infer<typeof linuxThrottleDeviceSchema>>;

export const linuxBlockIoSchema = lazySchema(() =>
  z.looseObject({
    weight: uint16.optional(),
    leafWeight: uint16.optional(),
    weightDevice: z.array(linuxWeightDeviceSchema).optional(),
    throttleReadBpsDevice: z.array(linuxThrottleDeviceSchema).optional(),
    throttleWriteBpsDevice: z.array(linuxThrottleDeviceSchema).optional(),
    throttleReadIOPSDevice: z.array(linuxThrottleDeviceSchema).optional(),
    throttleWriteIOPSDevice: z.array(linuxThrottleDeviceSchema).optional(),
  }),
);
export type LinuxBlockIo = WithoutExtensions<z.infer<typeof linuxBlockIoSchema>>;

export const linuxHugepageLimitSchema = lazySchema(() =>
  z.looseObject({
    pageSize: z.string().regex(/^[1-9][0-9]*[KMG]B$/, { message: 'must be a page size such as 2MB' }),
    limit: uint64,
  }),
);
export type LinuxHugepageLimit = WithoutExtensions<z.infer<typeof linuxHugepageLimitSchema>>;

export const linuxInterfacePrioritySchema = lazySchema(() =>
  z.looseObject({
    name: z.string(),
    priority: uint32,
  }),
);
export type LinuxInterfacePriority = WithoutExtensions<z.infer<typeof linuxInterfacePrioritySchema>>;

export const linuxNetworkSchema = lazySchema(() =>
  z.looseObject({
    classID: uint32.optional(),
    priorities: z.array(linuxInterfacePrioritySchema).optional(),
  }),
);
export type LinuxNetwork = WithoutExtensions<z.infer<typeof linuxNetworkSchema>>;

/**
 * config-linux.md: "`limit` (int64, REQUIRED)".
 */
export const linuxPidsSchema = lazySchema(() =>
  z.looseObject({
    limit: int64,
  }),
);
export type LinuxPids = WithoutExtensions<z.infer<typeof linuxPidsSchema>>;

/**
 * config-linux.md: "You MUST specify at least one of the `hcaHandles` or `hcaObjects` in a given
 * entry" (the official schema accepts an empty object).
 */
export const linuxRdmaSchema = lazySchema(() =>
  z
    .looseObject({
      hcaHandles: uint32.optional(),
      hcaObjects: uint32.optional(),
    })
    .superRefine((rdma, context) => {
      if (rdma.hcaHandles === undefined && rdma.hcaObjects === undefined) {
        context.addIssue({ code: 'custom', path: ['hcaHandles'], message: 'hcaHandles or hcaObjects is required' });
      }
    }),
);
export type LinuxRdma = WithoutExtensions<z.infer<typeof linuxRdmaSchema>>;

/** The cgroup settings. `unified` holds cgroup v2 files by name (`"memory.high": "1G"`). */
export const linuxResourcesSchema = lazySchema(() =>
  z.looseObject({
    devices: z.array(linuxDeviceCgroupSchema).optional(),
    memory: linuxMemorySchema.optional(),
    cpu: linuxCpuSchema.optional(),
    blockIO: linuxBlockIoSchema.optional(),
    hugepageLimits: z.array(linuxHugepageLimitSchema).optional(),
    network: linuxNetworkSchema.optional(),
    pids: linuxPidsSchema.optional(),
    rdma: z.record(z.string(), linuxRdmaSchema).optional(),
    unified: stringMap.optional(),
  }),
);
export type LinuxResources = WithoutExtensions<z.infer<typeof linuxResourcesSchema>>;

export const linuxSeccompArgSchema = lazySchema(() =>
  z.looseObject({
    index: uint32,
    value: uint64,
    valueTwo: uint64.optional(),
    op: linuxSeccompOperatorSchema,
  }),
);
export type LinuxSeccompArg = WithoutExtensions<z.infer<typeof linuxSeccompArgSchema>>;

/**
 * One seccomp rule. config-linux.md: "`names` MUST contain at least one entry." and for
 * `errnoRet`: "When the action doesn't support an errno, the runtime MUST print and error and
 * fail." (only `SCMP_ACT_ERRNO` and `SCMP_ACT_TRACE` take one; the official schema does not check).
 */
export const linuxSyscallSchema = lazySchema(() =>
  z
    .looseObject({
      names: z.array(z.string()).min(1, { message: 'must have at least one entry' }),
      action: linuxSeccompActionSchema,
      errnoRet: uint32.optional(),
      args: z.array(linuxSeccompArgSchema).optional(),
    })
    .superRefine((syscall, context) => {
      if (syscall.errnoRet !== undefined && !errnoActions.has(syscall.action)) {
        context.addIssue({ code: 'custom', path: ['errnoRet'], message: `is not allowed with action ${syscall.action}` });
      }
    }),
);
export type LinuxSyscall = WithoutExtensions<z.infer<typeof linuxSyscallSchema>>;

/**
 * The seccomp filter. Stricter than the official schema, per config-linux.md: `defaultErrnoRet`
 * "When the action doesn't support an errno, the runtime MUST print and error and fail." and
 * `listenerMetadata` "This field MUST NOT be set if `listenerPath` is not set."
 */
export const linuxSeccompSchema = lazySchema(() =>
  z
    .looseObject({
      defaultAction: linuxSeccompActionSchema,
      defaultErrnoRet: uint32.optional(),
      architectures: z.array(linuxSeccompArchSchema).optional(),
      flags: z.array(linuxSeccompFlagSchema).optional(),
      listenerPath: z.string().optional(),
      listenerMetadata: z.string().optional(),
      syscalls: z.array(linuxSyscallSchema).optional(),
    })
    .superRefine((seccomp, context) => {
      if (seccomp.defaultErrnoRet !== undefined && !errnoActions.has(seccomp.defaultAction)) {
        context.addIssue({ code: 'custom', path: ['defaultErrnoRet'], message: `is not allowed with defaultAction ${seccomp.defaultAction}` });
      }
      if (seccomp.listenerMetadata !== undefined && seccomp.listenerPath === undefined) {
        context.addIssue({ code: 'custom', path: ['listenerMetadata'], message: 'must not be set without listenerPath' });
      }
    }),
);
export type LinuxSeccomp = WithoutExtensions<z.infer<typeof linuxSeccompSchema>>;

export const linuxIntelRdtSchema = lazySchema(() =>
  z.looseObject({
    closID: z.string().optional(),
    l3CacheSchema: z.string().optional(),
    memBwSchema: z.string().regex(/^MB:[^\n]*$/, { message: 'must start with MB: and hold no newline' }).optional(),
    enableCMT: z.boolean().optional(),
    enableMBM: z.boolean().optional(),
  }),
);
export type LinuxIntelRdt = WithoutExtensions<z.infer<typeof linuxIntelRdtSchema>>;

/** config-linux.md: "`domain` (string, REQUIRED)" (the official schema leaves it optional). */
export const linuxPersonalitySchema = lazySchema(() =>
  z.looseObject({
    domain: z.enum(['LINUX', 'LINUX32']),
    flags: stringArray.optional(),
  }),
);
export type LinuxPersonality = WithoutExtensions<z.infer<typeof linuxPersonalitySchema>>;

export const linuxTimeOffsetSchema = lazySchema(() =>
  z.looseObject({
    secs: int64.optional(),
    nanosecs: uint32.optional(),
  }),
);
export type LinuxTimeOffset = WithoutExtensions<z.infer<typeof linuxTimeOffsetSchema>>;

export const linuxTimeOffsetsSchema = lazySchema(() =>
  z.looseObject({
    boottime: linuxTimeOffsetSchema.optional(),
    monotonic: linuxTimeOffsetSchema.optional(),
  }),
);
export type LinuxTimeOffsets = WithoutExtensions<z.infer<typeof linuxTimeOffsetsSchema>>;

/** config-linux.md for `maskedPaths` and `readonlyPaths`: "The values MUST be absolute paths". */
const absolutePathList = lazySchema(() => z.array(absolutePath));

/**
 * The Linux section. config-linux.md: "If a `namespaces` field contains duplicated namespaces with
 * same `type`, the runtime MUST generate an error." (not checked by the official schema).
 */
export const linuxSchema = lazySchema(() =>
  z.looseObject({
    namespaces: z
      .array(linuxNamespaceSchema)
      .superRefine((namespaces, context) => reportDuplicates(namespaces, (namespace) => namespace.type, 'type', context))
      .optional(),
    uidMappings: z.array(linuxIdMappingSchema).optional(),
    gidMappings: z.array(linuxIdMappingSchema).optional(),
    timeOffsets: linuxTimeOffsetsSchema.optional(),
    devices: z.array(linuxDeviceSchema).optional(),
    cgroupsPath: z.string().optional(),
    resources: linuxResourcesSchema.optional(),
    rootfsPropagation: linuxRootfsPropagationSchema.optional(),
    seccomp: linuxSeccompSchema.optional(),
    sysctl: stringMap.optional(),
    maskedPaths: absolutePathList.optional(),
    readonlyPaths: absolutePathList.optional(),
    mountLabel: z.string().optional(),
    intelRdt: linuxIntelRdtSchema.optional(),
    personality: linuxPersonalitySchema.optional(),
  }),
);
export type Linux = WithoutExtensions<z.infer<typeof linuxSchema>>;

// ---------------------------------------------------------------------------------------------
// The whole config

/**
 * config.json for Linux. config.md on `root`: "On all other platforms [than Windows], this field
 * is REQUIRED." (the official schema leaves it optional).
 */
export const runtimeSpecSchema = lazySchema(() =>
  z.looseObject({
    ociVersion: ociVersionSchema,
    root: runtimeRootSchema,
    mounts: z.array(runtimeMountSchema).optional(),
    process: runtimeProcessSchema.optional(),
    hostname: z.string().optional(),
    domainname: z.string().optional(),
    hooks: runtimeHooksSchema.optional(),
    annotations: annotationsSchema.optional(),
    linux: linuxSchema.optional(),
  }),
);

/**
 * A parsed config.json. The type lists only the fields the spec defines; a parsed value still
 * carries any extension keys it had, so writing it back out round-trips.
 */
export type RuntimeSpec = WithoutExtensions<z.infer<typeof runtimeSpecSchema>>;

/**
 * Parses an OCI runtime config (config.json, already JSON-decoded).
 * @throws SpecError with code `INVALID_SPEC` listing every offending path and value.
 */
export function parseRuntimeSpec(input: unknown): RuntimeSpec {
  const result = runtimeSpecSchema.safeParse(input, { error: requiredMessage, jitless: true });
  if (!result.success) throw new SpecError('INVALID_SPEC', issuesFromZod(result.error, input), { cause: result.error });
  return result.data;
}

function reportDuplicates<T>(items: readonly T[], keyOf: (item: T) => string, field: string, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (seen.has(key)) context.addIssue({ code: 'custom', path: [index, field], message: `duplicate ${field} ${JSON.stringify(key)}` });
    seen.add(key);
  });
}
