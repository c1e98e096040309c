import { readFileSync } from 'node:fs';
import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example maps a tree to the `execdriver` user's subordinate ids, creating that user when it
// is missing: it runs only as root on a host that already has the user (it never adds one here).
const hasRemapUser = process.getuid?.() === 0 && /^execdriver:/m.test(readFileSync('/etc/passwd', 'utf8')) && /^execdriver:/m.test(readFileSync('/etc/subuid', 'utf8'));

test(`the README example typechecks${hasRemapUser ? ' and runs' : ' (not run: needs root and an existing execdriver user)'}`, async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: hasRemapUser });
  expect(typeErrors).toBe('');
  if (hasRemapUser) expect(run, run?.stderr).toMatchObject({ exitCode: 0, stdout: 'true\n' });
});
