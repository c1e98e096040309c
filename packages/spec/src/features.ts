// What a runtime supports: the OCI features document (features.md, features-linux.md,
// schema/features-schema.json at v1.2.1) as printed by `runc features`. Every field but the two
// versions is optional: features.md says an absent field means the runtime did not say.
import * as z from 'zod';
import {
  annotationsSchema,
  linuxNamespaceTypeSchema,
  linuxSeccompActionSchema,
  linuxSeccompArchSchema,
  linuxSeccompFlagSchema,
  linuxSeccompOperatorSchema,
} from './runtime-spec.js';
import { SpecError, issuesFromZod } from './errors.js';
import type { WithoutExtensions } from './extensions.js';
import { requiredMessage } from './schema-primitives.js';
import { lazySchema } from './lazy-schema.js';

const enabledSchema = lazySchema(() => z.looseObject({ enabled: z.boolean().optional() }));

export const linuxFeaturesSchema = lazySchema(() =>
  z.looseObject({
    namespaces: z.array(linuxNamespaceTypeSchema).optional(),
    capabilities: z.array(z.string().regex(/^CAP_[A-Z_]+$/, { message: 'must be a capability name such as CAP_CHOWN' })).optional(),
    cgroup: z
      .looseObject({
        v1: z.boolean().optional(),
        v2: z.boolean().optional(),
        systemd: z.boolean().optional(),
        systemdUser: z.boolean().optional(),
        rdma: z.boolean().optional(),
      })
      .optional(),
    seccomp: z
      .looseObject({
        enabled: z.boolean().optional(),
        actions: z.array(linuxSeccompActionSchema).optional(),
        operators: z.array(linuxSeccompOperatorSchema).optional(),
        archs: z.array(linuxSeccompArchSchema).optional(),
        knownFlags: z.array(linuxSeccompFlagSchema).optional(),
        supportedFlags: z.array(linuxSeccompFlagSchema).optional(),
      })
      .optional(),
    apparmor: enabledSchema.optional(),
    selinux: enabledSchema.optional(),
    intelRdt: enabledSchema.optional(),
    mountExtensions: z.looseObject({ idmap: enabledSchema.optional() }).optional(),
  }),
);
export type LinuxFeatures = WithoutExtensions<z.infer<typeof linuxFeaturesSchema>>;

export const featuresSchema = lazySchema(() =>
  z.looseObject({
    ociVersionMin: z.string(),
    ociVersionMax: z.string(),
    hooks: z.array(z.string()).optional(),
    mountOptions: z.array(z.string()).optional(),
    annotations: annotationsSchema.optional(),
    potentiallyUnsafeConfigAnnotations: z.array(z.string()).optional(),
    linux: linuxFeaturesSchema.optional(),
  }),
);
export type Features = WithoutExtensions<z.infer<typeof featuresSchema>>;

/**
 * Parses `runc features` output (already JSON-decoded).
 * @throws SpecError with code `INVALID_SPEC` listing every offending path and value.
 */
export function parseFeatures(input: unknown): Features {
  const result = featuresSchema.safeParse(input, { error: requiredMessage, jitless: true });
  if (!result.success) throw new SpecError('INVALID_FEATURES', issuesFromZod(result.error, input), { cause: result.error });
  return result.data;
}
