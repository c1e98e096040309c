// Shared vitest settings for every package: tests run from src/ through the source condition.
// Plain JS so that vitest can load it from each package's vitest.config.ts without a build.
import { basename } from 'node:path';

/** @param {string} dirname @returns {import('vitest/config').UserWorkspaceConfig} */
export function projectPreset(dirname) {
  return {
    resolve: { conditions: ['@execdriver/source'] },
    ssr: { resolve: { conditions: ['@execdriver/source'] } },
    test: {
      name: basename(dirname),
      root: dirname,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
}
