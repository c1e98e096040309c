// The state of a container: the OCI state (runtime.md "State", schema/state-schema.json) as
// printed by `runc state <id>`, with runc's own additions (`rootfs`, `created`, `owner`, and the
// `paused` status). `runc list --format json` prints an array of the same objects, or `null`.
import * as z from 'zod';
import { annotationsSchema } from './runtime-spec.js';
import { SpecError, issuesFromZod } from './errors.js';
import type { WithoutExtensions } from './extensions.js';
import { integer, requiredMessage } from './schema-primitives.js';
import { lazySchema } from './lazy-schema.js';

/**
 * runtime.md: `creating`, `created`, `running`, `stopped`; "Additional values MAY be defined by the
 * runtime". runc adds `paused` (a frozen cgroup), which the official state schema rejects.
 */
export const containerStatusSchema = lazySchema(() => z.enum(['creating', 'created', 'running', 'stopped', 'paused']));
export type ContainerStatus = z.infer<typeof containerStatusSchema>;

/** RFC 3339 with optional fractional seconds (runc prints nanoseconds). */
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * One container's state. runtime.md: "`pid` (int, REQUIRED when `status` is `created` or
 * `running` on Linux" (the official schema leaves `pid` optional); runc also reports a `paused`
 * container's pid, and 0 once it has stopped.
 */
export const containerStateSchema = lazySchema(() =>
  z
    .looseObject({
      ociVersion: z.string(),
      id: z.string().min(1, { message: 'must not be empty' }),
      status: containerStatusSchema,
      pid: integer('a process id (an integer of at least 0)', 0).optional(),
      bundle: z.string(),
      annotations: annotationsSchema.optional(),
      /** runc: the root filesystem as an absolute host path. */
      rootfs: z.string().optional(),
      /** runc: when the container was created, RFC 3339 with nanoseconds; kept as text. */
      created: z.string().regex(rfc3339, { message: 'must be an RFC 3339 timestamp' }).optional(),
      /** runc: the owner's user name, often empty. */
      owner: z.string().optional(),
    })
    .superRefine((state, context) => {
      if ((state.status === 'created' || state.status === 'running') && !state.pid) {
        context.addIssue({ code: 'custom', path: ['pid'], message: `must be a process id when status is ${state.status}` });
      }
    }),
);
export type ContainerState = WithoutExtensions<z.infer<typeof containerStateSchema>>;

/** `runc list --format json`: an array of states, or `null` when there are none. */
export const containerListSchema = lazySchema(() =>
  z
    .array(containerStateSchema)
    .nullable()
    .transform((list) => list ?? []),
);
export type ContainerList = ContainerState[];

/**
 * Parses `runc state` output (already JSON-decoded) or an OCI state document.
 * @throws SpecError with code `INVALID_SPEC` listing every offending path and value.
 */
export function parseContainerState(input: unknown): ContainerState {
  const result = containerStateSchema.safeParse(input, { error: requiredMessage, jitless: true });
  if (!result.success) throw new SpecError('INVALID_STATE', issuesFromZod(result.error, input), { cause: result.error });
  return result.data;
}

/**
 * Parses `runc list --format json` output (already JSON-decoded); `null` gives `[]`.
 * @throws SpecError with code `INVALID_SPEC` listing every offending path and value.
 */
export function parseContainerList(input: unknown): ContainerList {
  const result = containerListSchema.safeParse(input, { error: requiredMessage, jitless: true });
  if (!result.success) throw new SpecError('INVALID_STATE', issuesFromZod(result.error, input), { cause: result.error });
  return result.data;
}
