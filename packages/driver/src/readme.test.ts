import { existsSync } from 'node:fs';
import { canRunContainers, checkReadmeExample, hostBusybox } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example runs a real container (root, runc, the host's busybox-static) with the default state root.
const canRun = canRunContainers() && existsSync(hostBusybox);

test(`the README example typechecks${canRun ? ' and runs a container' : ' (not run: needs root, runc and busybox-static)'}`, async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: canRun });
  expect(typeErrors).toBe('');
  if (canRun) expect(run, run?.stderr).toMatchObject({ exitCode: 0, stdout: 'hi\n{ exitCode: 3, oomKilled: false }\n' });
});
