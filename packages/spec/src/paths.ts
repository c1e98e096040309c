import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

/**
 * An absolute, clean path: starts with `/`, no empty, `.` or `..` segments, no trailing slash
 * (except `/` itself), no NUL. Paths like these cannot climb out of the root they are joined to.
 */
export function isCleanAbsolutePath(path: string): boolean {
  if (!path.startsWith('/') || path.includes('\0')) return false;
  if (path === '/') return true;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export const absolutePathSchema = lazySchema(() =>
  z
    .string()
    .refine(isCleanAbsolutePath, { message: 'must be an absolute, clean path (starting with /, without ., .. or empty segments)' }),
);

/** Container ids as runc and Docker accept them. */
export const containerIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const maxContainerIdLength = 128;

export const containerIdSchema = lazySchema(() =>
  z
    .string()
    .max(maxContainerIdLength, { message: `must be at most ${maxContainerIdLength} characters` })
    .regex(containerIdPattern, { message: 'must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$' }),
);

export function isValidContainerId(id: string): boolean {
  // containerIdSchema's rules, without building it (every state read checks an id).
  return id.length <= maxContainerIdLength && containerIdPattern.test(id);
}
