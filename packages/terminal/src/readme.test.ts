import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example attaches this process's terminal until the shell exits: it typechecks here, and
// the attach path itself is tested with real pseudo-terminals in attach-local-terminal.test.ts.
test('the README example typechecks', async () => {
  expect((await checkReadmeExample(`${import.meta.dirname}/..`)).typeErrors).toBe('');
});
