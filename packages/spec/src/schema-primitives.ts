// Small building blocks shared by the OCI schemas (config, state, features).
import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

/**
 * A JSON integer within [minimum, maximum], like the official schemas' `int64`, `uint32`, ...
 * Not `z.int()`: that stops at 2^53, while the spec's uint64/int64 fields legitimately hold
 * larger values (`"limit": 9223372036854772000`). Bounds are compared as doubles, as ajv does.
 * `description` completes "must be ...", e.g. `a uint32 from 0 to 4294967295`.
 */
export function integer(description: string, minimum = -Number.MAX_VALUE, maximum = Number.MAX_VALUE): z.ZodNumber {
  const message = `must be ${description}`;
  return z
    .number({ error: (issue) => (issue.input === undefined ? undefined : message) })
    .min(minimum, { message })
    .max(maximum, { message })
    .refine(Number.isInteger, { message });
}

/**
 * An absolute path (starts with `/`). Used only where the spec text says a path MUST be absolute;
 * the official schemas accept any string there.
 */
export const ociAbsolutePathSchema = lazySchema(() => z.string().refine((value) => value.startsWith('/'), { message: 'must be an absolute path' }));

/** Per-parse error map: a missing required field reads "is required" instead of a type error. */
export function requiredMessage(issue: { input?: unknown; code?: string }): string | undefined {
  return issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value') ? 'is required' : undefined;
}
