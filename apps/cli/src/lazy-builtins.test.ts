import { describe, expect, test, vi } from 'vitest';
import { lazyBuiltinRequire, lazyBuiltins } from './lazy-builtins.js';

function fakeRequire() {
  const loaded: string[] = [];
  const modules: Record<string, object> = {
    'node:crypto': { randomBytes: (size: number) => Buffer.alloc(size, 1), constants: { X: 1 } },
    'node:path': { join: (...parts: string[]) => parts.join('/') },
  };
  const require = vi.fn((id: string) => {
    loaded.push(id);
    return modules[id];
  }) as unknown as NodeJS.Require;
  return { require, loaded };
}

describe('lazyBuiltinRequire', () => {
  test('a listed built-in is required on the first property read, once', () => {
    const { require, loaded } = fakeRequire();
    const lazyRequire = lazyBuiltinRequire(require);
    const crypto = lazyRequire('node:crypto') as { randomBytes(size: number): Buffer; constants: { X: number } };
    expect(loaded).toEqual([]);
    expect(lazyRequire('node:crypto')).toBe(crypto);
    expect(crypto.randomBytes(2)).toEqual(Buffer.from([1, 1]));
    expect(crypto.constants.X).toBe(1);
    expect(loaded).toEqual(['node:crypto']);
  });

  test('others are required at once; a stand-in enumerates as its module (a namespace import copies it)', () => {
    const { require, loaded } = fakeRequire();
    const lazyRequire = lazyBuiltinRequire(require);
    lazyRequire('node:path');
    expect(loaded).toEqual(['node:path']);
    const crypto = lazyRequire('node:crypto') as object;
    expect(Object.keys(crypto)).toEqual(['randomBytes', 'constants']);
    expect({ ...crypto }).toHaveProperty('constants');
    expect('randomBytes' in crypto).toBe(true);
  });

  test('the real built-ins behind the stand-ins work', async () => {
    const lazyRequire = lazyBuiltinRequire((await import('node:module')).createRequire(import.meta.url));
    for (const id of lazyBuiltins) expect(Object.keys(lazyRequire(id) as object).length, id).toBeGreaterThan(0);
    const { createHash } = lazyRequire('node:crypto') as typeof import('node:crypto');
    expect(createHash('sha256').update('a').digest('hex')).toMatch(/^ca978112/);
    const { execFileSync } = lazyRequire('node:child_process') as typeof import('node:child_process');
    expect(execFileSync('echo', ['hi'], { encoding: 'utf8' })).toBe('hi\n');
  });
});
