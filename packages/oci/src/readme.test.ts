import { rm } from 'node:fs/promises';
import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

test('the README example typechecks and writes a config.json', async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: true });
  expect(typeErrors).toBe('');
  expect(run, run?.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/config\.json: user 33:33\n$/) });
  await rm(run!.stdout.split('/config.json')[0]!, { recursive: true, force: true });
});
