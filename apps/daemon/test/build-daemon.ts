import { execFileSync } from 'node:child_process';

/**
 * vitest globalSetup: bundles dist/execdriverd.js (esbuild, about a second) so the end-to-end tests
 * run the code under test, and the CLI's dist/cli.js, which the shared-state tests drive beside it.
 */
export default function setup(): void {
  execFileSync(process.execPath, ['build.mjs'], { cwd: new URL('..', import.meta.url), stdio: 'inherit' });
  execFileSync(process.execPath, ['build.mjs'], { cwd: new URL('../../cli', import.meta.url), stdio: 'inherit' });
}
