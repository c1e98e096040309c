// Helpers for this package's fidelity tests (not exported from the package).
import { readFileSync } from 'node:fs';

export function readFixture(relativePath: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${relativePath}`, import.meta.url), 'utf8')) as unknown;
}

type Container = Record<string, unknown> | unknown[];

/** A deep copy of `document` with the value at dotted `path` replaced (missing parents are created). */
export function withValue(document: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(document);
  const keys = path.split('.');
  const last = keys.pop();
  if (last === undefined) return value;
  let current = copy as Container;
  for (const [index, key] of keys.entries()) {
    const next = (current as Record<string, unknown>)[key];
    if (next === undefined || next === null || typeof next !== 'object') {
      const created: Container = /^\d+$/.test(keys[index + 1] ?? last) ? [] : {};
      (current as Record<string, unknown>)[key] = created;
      current = created;
    } else {
      current = next as Container;
    }
  }
  (current as Record<string, unknown>)[last] = value;
  return copy;
}

/** A deep copy of `document` without the key at dotted `path`. */
export function withoutKey(document: unknown, path: string): unknown {
  const copy = structuredClone(document);
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let current = copy as Record<string, unknown>;
  for (const key of keys) current = current[key] as Record<string, unknown>;
  delete current[last];
  return copy;
}

/** Runs `parse` and returns the error it throws (fails the test if it does not throw). */
export function thrown(parse: () => unknown): unknown {
  try {
    parse();
  } catch (error) {
    return error;
  }
  throw new Error('expected the parser to throw, but it accepted the input');
}
