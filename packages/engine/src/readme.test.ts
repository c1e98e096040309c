import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example runs a real container: root and runc only.
const asRoot = process.getuid?.() === 0;

test(`the README example typechecks${asRoot ? ' and runs' : ' (not run: needs root and runc)'}`, async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: asRoot, timeoutMs: 60_000 });
  expect(typeErrors).toBe('');
  if (asRoot) expect(run, run?.stderr).toEqual({ exitCode: 0, stdout: "{ stdout: 'hi\\n', stderr: '', exitCode: 0, oomKilled: false }\ntrue\n", stderr: '' });
});
