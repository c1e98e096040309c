import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

test('the README example typechecks and runs', async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: true });
  expect(typeErrors).toBe('');
  expect(run, run?.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^\d+ \d+/) });
});
