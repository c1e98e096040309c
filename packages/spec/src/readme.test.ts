import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

test('the README example typechecks and reads the config.json of the current directory', async () => {
  const bundle = await mkdtemp(join(tmpdir(), 'execdriver-spec-readme-'));
  try {
    await copyFile(join(import.meta.dirname, '__fixtures__/runtime-spec/runc-1.1.5-spec.json'), join(bundle, 'config.json'));
    const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: true, cwd: bundle });
    expect(typeErrors).toBe('');
    expect(run, run?.stderr).toMatchObject({ exitCode: 0, stdout: expect.stringContaining("[ 'sh' ]") });
  } finally {
    await rm(bundle, { recursive: true, force: true });
  }
});
