import * as z from 'zod';
import { absolutePathSchema, containerIdSchema } from './paths.js';
import { idMapsSchema } from './id-map.js';
import { lazySchema } from './lazy-schema.js';

/** A namespace the container gets: a new one, the host's, another container's, or one at a path. */
export const namespaceSettingSchema = lazySchema(() =>
  z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('new') }),
    z.strictObject({ mode: z.literal('host') }),
    z.strictObject({ mode: z.literal('container'), container: containerIdSchema }),
    z.strictObject({ mode: z.literal('path'), path: absolutePathSchema }),
  ]),
);
export type NamespaceSetting = z.infer<typeof namespaceSettingSchema>;

/** Network adds `none`: a new network namespace with only the loopback interface. */
export const networkSettingSchema = lazySchema(() =>
  z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('new') }),
    z.strictObject({ mode: z.literal('none') }),
    z.strictObject({ mode: z.literal('host') }),
    z.strictObject({ mode: z.literal('container'), container: containerIdSchema }),
    z.strictObject({ mode: z.literal('path'), path: absolutePathSchema }),
  ]),
);
export type NetworkSetting = z.infer<typeof networkSettingSchema>;

export const namespacesSchema = lazySchema(() =>
  z.strictObject({
    ipc: namespaceSettingSchema.optional(),
    pid: namespaceSettingSchema.optional(),
    uts: namespaceSettingSchema.optional(),
    network: networkSettingSchema.optional(),
    cgroup: namespaceSettingSchema.optional(),
    /**
     * Time namespace (Linux 5.6+). Unlike the others it is the host's unless asked for, as Docker
     * does; runtimes that do not list it in their features (runc 1.1) refuse a new one.
     */
    time: namespaceSettingSchema.optional(),
  }),
);
export type Namespaces = z.infer<typeof namespacesSchema>;

/** User-namespace remapping: the container's ids 0.. map to host ids (`--userns-remap`). */
export const userNamespaceSchema = lazySchema(() =>
  z.strictObject({
    uidMappings: idMapsSchema,
    gidMappings: idMapsSchema,
  }),
);
export type UserNamespace = z.infer<typeof userNamespaceSchema>;
