import * as z from 'zod';
import { absolutePathSchema } from './paths.js';
import { lazySchema } from './lazy-schema.js';

export const mountPropagations = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'] as const;
export type MountPropagation = (typeof mountPropagations)[number];

/** A mount's destination: absolute and clean, and never `/` (Docker: "destination can't be '/'"; runc would mount over the root and write into the source). */
export const mountDestinationSchema = lazySchema(() => absolutePathSchema.refine((path) => path !== '/', { message: "destination can't be '/'" }));

/** A host directory or file bound into the container (`-v src:dst[:ro][,propagation]`). */
export const bindMountSchema = lazySchema(() =>
  z.strictObject({
    type: z.literal('bind'),
    source: absolutePathSchema,
    destination: mountDestinationSchema,
    readonly: z.boolean().default(false),
    /** Mount propagation; Docker's default for binds is rprivate. */
    propagation: z.enum(mountPropagations).optional(),
    /** Bind recursively (rbind), as Docker does by default. */
    recursive: z.boolean().default(true),
  }),
);

/** A tmpfs in the container (`--tmpfs /run:size=64m,mode=1777`). */
export const tmpfsMountSchema = lazySchema(() =>
  z.strictObject({
    type: z.literal('tmpfs'),
    destination: mountDestinationSchema,
    readonly: z.boolean().default(false),
    sizeBytes: z.number().int().positive().optional(),
    /** Octal permission bits of the tmpfs root, e.g. 0o1777. */
    mode: z.number().int().min(0).max(0o7777).optional(),
    /** Extra mount options such as noexec, nosuid, nodev. */
    options: z.array(z.string().regex(/^[a-z0-9_]+(=[^,]+)?$/, { message: 'must be a mount option like noexec or uid=1000' })).optional(),
  }),
);

export const mountSchema = lazySchema(() => z.discriminatedUnion('type', [bindMountSchema, tmpfsMountSchema]));
export type Mount = z.infer<typeof mountSchema>;
export type BindMount = z.infer<typeof bindMountSchema>;
export type TmpfsMount = z.infer<typeof tmpfsMountSchema>;

/** A host device made available in the container (`--device /dev/fuse:/dev/fuse:rwm`). */
export const deviceSchema = lazySchema(() =>
  z.strictObject({
    /** Path of the device node on the host. */
    path: absolutePathSchema,
    /** Where it appears in the container; defaults to `path`. */
    containerPath: absolutePathSchema.optional(),
    /** Cgroup permissions: any of r (read), w (write), m (mknod). */
    permissions: z.string().regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, { message: 'must be a combination of r, w and m' }).default('rwm'),
  }),
);
export type Device = z.infer<typeof deviceSchema>;
