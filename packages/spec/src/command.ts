import * as z from 'zod';
import { capabilityOrAllSchema } from './capabilities.js';
import { SpecError, issuesFromZod } from './errors.js';
import { deviceSchema, mountSchema } from './mount.js';
import { namespacesSchema, userNamespaceSchema } from './namespace-setting.js';
import { absolutePathSchema, containerIdSchema } from './paths.js';
import { processConfigSchema } from './process-config.js';
import { resourcesSchema } from './resources.js';
import { lazySchema } from './lazy-schema.js';

/** A hostname as the kernel accepts it (at most 64 bytes) and RFC 1123 labels. */
export const hostnameSchema = lazySchema(() =>
  z
    .string()
    .max(64, { message: 'must be at most 64 characters' })
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
      message: 'must be a valid hostname (letters, digits, - and .)',
    }),
);

/** The seccomp filter: our default policy, none, or an OCI `linux.seccomp` object passed through. */
export const seccompSettingSchema = lazySchema(() =>
  z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('default') }),
    z.strictObject({ mode: z.literal('unconfined') }),
    z.strictObject({
      mode: z.literal('custom'),
      /** An OCI `linux.seccomp` object; checked against the runtime spec when the config is built. */
      profile: z.looseObject({ defaultAction: z.string() }),
    }),
  ]),
);
export type SeccompSetting = z.infer<typeof seccompSettingSchema>;

/** An OCI hook: a host program run by the runtime at a lifecycle point. */
export const ociHookSchema = lazySchema(() =>
  z.strictObject({
    path: absolutePathSchema,
    args: z.array(z.string()).optional(),
    env: z.array(z.string()).optional(),
    timeout: z.number().int().positive().optional(),
  }),
);
export type OciHook = z.infer<typeof ociHookSchema>;

export const ociHooksSchema = lazySchema(() =>
  z.strictObject({
    prestart: z.array(ociHookSchema).optional(),
    createRuntime: z.array(ociHookSchema).optional(),
    createContainer: z.array(ociHookSchema).optional(),
    startContainer: z.array(ociHookSchema).optional(),
    poststart: z.array(ociHookSchema).optional(),
    poststop: z.array(ociHookSchema).optional(),
  }),
);
export type OciHooks = z.infer<typeof ociHooksSchema>;

/** A sysctl key such as `net.ipv4.ip_forward` (dots or slashes). */
const sysctlKeySchema = lazySchema(() => z.string().regex(/^[a-z0-9_]+([./][a-zA-Z0-9_-]+)+$/, { message: 'must be a sysctl key like net.ipv4.ip_forward' }));

/**
 * A cgroup parent: a cgroupfs path (`/my/parent` or `my/parent`) or a systemd slice
 * (`machine.slice`). Never `..`.
 */
const cgroupParentSchema = lazySchema(() =>
  z
    .string()
    .min(1)
    .refine((parent) => !parent.split('/').some((segment) => segment === '..' || segment === '.'), { message: 'must not contain . or .. segments' }),
);

/** What a container is: the original execdriver's Command, for Linux, in camelCase. */
export const commandSchema = lazySchema(() =>
  z.strictObject({
    id: containerIdSchema,
    /** The root filesystem: a directory on the host. */
    rootfs: absolutePathSchema,
    readonlyRootfs: z.boolean().default(false),
    /**
     * Size of the container's own /dev/shm tmpfs in bytes (Docker's --shm-size; default 64 MiB).
     * Ignored when the IPC namespace is the host's or another container's: /dev/shm is theirs then.
     */
    shmSizeBytes: z.number().int().positive().optional(),
    process: processConfigSchema,
    hostname: hostnameSchema.optional(),
    domainname: hostnameSchema.optional(),
    namespaces: namespacesSchema.default({}),
    userNamespace: userNamespaceSchema.optional(),
    resources: resourcesSchema.default({}),
    mounts: z.array(mountSchema).default([]),
    devices: z.array(deviceSchema).default([]),
    capAdd: z.array(capabilityOrAllSchema).default([]),
    capDrop: z.array(capabilityOrAllSchema).default([]),
    /** All capabilities and devices, no masked or read-only paths, seccomp unconfined unless set. */
    privileged: z.boolean().default(false),
    /** Extra groups for the process: names (from the rootfs /etc/group) or numeric gids. */
    groupAdd: z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { message: 'must be a group name or gid' })).default([]),
    appArmorProfile: z.string().min(1).optional(),
    selinux: z.strictObject({ processLabel: z.string().min(1).optional(), mountLabel: z.string().min(1).optional() }).optional(),
    seccomp: seccompSettingSchema.optional(),
    noNewPrivileges: z.boolean().default(false),
    oomScoreAdj: z.number().int().min(-1000).max(1000).optional(),
    sysctls: z.record(sysctlKeySchema, z.string()).default({}),
    cgroupParent: cgroupParentSchema.optional(),
    /** Use the systemd cgroup form `slice:prefix:name` for cgroupsPath (runc --systemd-cgroup). */
    systemdCgroup: z.boolean().default(false),
    hooks: ociHooksSchema.optional(),
    annotations: z.record(z.string(), z.string()).default({}),
  }),
);

/** A parsed Command: defaults filled in, names canonical. */
export type Command = z.infer<typeof commandSchema>;
/** What callers write: optional fields may be left out. */
export type CommandInput = z.input<typeof commandSchema>;

/** Parses a Command at a boundary (API body, CLI flags); throws SpecError INVALID_COMMAND listing every problem. */
export function parseCommand(input: unknown): Command {
  // jitless (here and in every parse function of this package): zod's compiled fast path costs ~4 ms
  // to build at a schema's first parse and saves ~0.07 ms a parse after it; a process parses few.
  const result = commandSchema.safeParse(input, { jitless: true });
  if (!result.success) throw new SpecError('INVALID_COMMAND', issuesFromZod(result.error, input));
  return result.data;
}

/** How a container's process ended: the original's ExitStatus. A signal gives 128 + its number. */
export const exitStatusSchema = lazySchema(() =>
  z.strictObject({
    exitCode: z.number().int().min(0).max(255),
    oomKilled: z.boolean(),
  }),
);
export type ExitStatus = z.infer<typeof exitStatusSchema>;
