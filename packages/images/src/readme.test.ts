import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example builds the busybox image from the host's busybox-static and mounts an overlay: root only.
const asRoot = process.getuid?.() === 0;

test(`the README example typechecks${asRoot ? ' and runs' : ' (not run: needs root)'}`, async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: asRoot });
  expect(typeErrors).toBe('');
  if (asRoot) {
    expect(run, run?.stderr).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run!.stdout).toMatch(/^[0-9a-f]{64} \[ 'docker\.io\/library\/busybox:latest' \] \[ 'sh' \]\n$/);
  }
});
