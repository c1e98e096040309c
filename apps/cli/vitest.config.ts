import { defineProject } from 'vitest/config';
import { projectPreset } from '@execdriver/testkit/vitest-preset';

const preset = projectPreset(import.meta.dirname);

// The end-to-end tests run the built binary: test/build-cli.ts bundles dist/cli.js first.
export default defineProject({ ...preset, test: { ...preset.test, globalSetup: ['test/build-cli.ts'] } });
