import { checkReadmeExample } from '@execdriver/testkit';
import { expect, test } from 'vitest';

// The example makes a bridge, a namespace and iptables rules: root and the CNI plugins only.
const asRoot = process.getuid?.() === 0;

test(`the README example typechecks${asRoot ? ' and runs' : ' (not run: needs root and the CNI plugins)'}`, async () => {
  const { typeErrors, run } = await checkReadmeExample(`${import.meta.dirname}/..`, { run: asRoot, timeoutMs: 60_000 });
  expect(typeErrors).toBe('');
  if (asRoot) {
    expect(run?.stderr).toBe('');
    expect(run?.stdout).toMatch(/^\d+\.\d+\.\d+\.2\nup\n$/);
  }
});
