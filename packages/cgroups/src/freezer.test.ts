import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CgroupError } from './errors.js';
import { readFreezerState } from './freezer.js';

const fixtures = join(import.meta.dirname, '__fixtures__/freezer');

describe('readFreezerState', () => {
  test.each([
    ['v1', '/execdriver/frozen', 'frozen'],
    ['v1', '/execdriver/freezing', 'freezing'],
    ['v1', '/execdriver/thawed', 'thawed'],
    ['v1', '/execdriver/missing', undefined],
    ['v2', '/execdriver/frozen', 'frozen'],
    ['v2', '/execdriver/freezing', 'freezing'],
    ['v2', '/execdriver/thawed', 'thawed'],
    ['v2', '/execdriver/no-freezer', undefined],
    ['v2', '/execdriver/missing', undefined],
  ])('%s %s is %s', (tree, path, state) => {
    expect(readFreezerState(path, { cgroupRoot: join(fixtures, tree) })).toBe(state);
  });

  test('the mode can be given instead of detected', () => {
    expect(readFreezerState('/execdriver/frozen', { cgroupRoot: join(fixtures, 'v1'), mode: 'hybrid' })).toBe('frozen');
  });

  test('a path leaving the root is refused', () => {
    expect(() => readFreezerState('/../etc', { cgroupRoot: join(fixtures, 'v2') })).toThrow(CgroupError);
  });
});
