import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Copies the fixture trees (v1/, v2/, hybrid/ cgroup roots, proc/, sys/) to a fresh temp dir,
 * so tests can change or delete files. Call `remove()` when done.
 */
export async function copyFixtures(): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'execdriver-cgroups-fixtures-'));
  for (const tree of ['v1', 'v2', 'hybrid', 'proc', 'sys']) await cp(join(here, tree), join(root, tree), { recursive: true });
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
