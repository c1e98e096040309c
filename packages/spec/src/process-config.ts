import * as z from 'zod';
import { SpecError, issuesFromZod } from './errors.js';
import { absolutePathSchema } from './paths.js';
import { lazySchema } from './lazy-schema.js';

/** `KEY=VALUE`, the key non-empty and without `=`. */
export const envEntrySchema = lazySchema(() => z.string().regex(/^[^=\0]+=[^\0]*$/, { message: 'must be KEY=VALUE' }));

/** `uid`, `uid:gid`, `name` or `name:group`, resolved against the root filesystem's /etc files. */
export const userSpecSchema = lazySchema(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/, { message: 'must be uid[:gid] or name[:group]' }),
);

export const consoleSizeSchema = lazySchema(() =>
  z.strictObject({
    height: z.number().int().min(1).max(65535),
    width: z.number().int().min(1).max(65535),
  }),
);
export type ConsoleSize = z.infer<typeof consoleSizeSchema>;

/**
 * A console size as callers send it: a width or height of 0 means "not known" (Docker clients
 * send `ConsoleSize: [0, 0]` when they have no terminal size), so the size is left out and the
 * default applies.
 */
const optionalConsoleSize = lazySchema(() =>
  z
    .strictObject({
      height: z.number().int().min(0).max(65535),
      width: z.number().int().min(0).max(65535),
    })
    .optional()
    .transform((size): ConsoleSize | undefined => (size === undefined || size.width === 0 || size.height === 0 ? undefined : size)),
);

/** The process to run: the container's first process (`run`) or another one (`exec`). */
export const processConfigSchema = lazySchema(() =>
  z.strictObject({
    args: z.array(z.string()).min(1, { message: 'needs at least the program to run' }),
    env: z.array(envEntrySchema).default([]),
    user: userSpecSchema.optional(),
    /** Working directory inside the container; must be absolute. Defaults to `/`. */
    workingDir: absolutePathSchema.default('/'),
    /** Run under a pseudo-terminal. */
    tty: z.boolean().default(false),
    /** The terminal's size; `{ width: 0, height: 0 }` (or either 0) is the same as leaving it out. */
    consoleSize: optionalConsoleSize,
    /** exec only: all capabilities, no seccomp, as `docker exec --privileged`. */
    privileged: z.boolean().default(false),
  }),
);
export type ProcessConfig = z.infer<typeof processConfigSchema>;
export type ProcessConfigInput = z.input<typeof processConfigSchema>;

/** Parses a ProcessConfig at a boundary (an exec request); throws SpecError INVALID_COMMAND listing every problem. */
export function parseProcessConfig(input: unknown): ProcessConfig {
  const result = processConfigSchema.safeParse(input, { jitless: true });
  if (!result.success) throw new SpecError('INVALID_COMMAND', issuesFromZod(result.error, input));
  return result.data;
}
