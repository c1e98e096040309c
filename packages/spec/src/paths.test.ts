import { expect, test } from 'vitest';
import { containerIdSchema, isValidContainerId, maxContainerIdLength } from './paths.js';

test('isValidContainerId says what containerIdSchema says', () => {
  const ids = ['a', 'web-1', 'A.b_c-9', 'x'.repeat(maxContainerIdLength), 'x'.repeat(maxContainerIdLength + 1), '', '.', '..', '-a', '_a', 'a/b', 'a b', 'é', 'a\n', '\na', '../etc'];
  for (const id of ids) expect(isValidContainerId(id), JSON.stringify(id)).toBe(containerIdSchema.safeParse(id).success);
  expect(ids.filter(isValidContainerId)).toEqual(['a', 'web-1', 'A.b_c-9', 'x'.repeat(maxContainerIdLength)]);
});
