import { defineProject } from 'vitest/config';
import { projectPreset } from '@execdriver/testkit/vitest-preset';

const preset = projectPreset(import.meta.dirname);

// The end-to-end tests run the built daemon: test/build-daemon.ts bundles dist/execdriverd.js first.
export default defineProject({ ...preset, test: { ...preset.test, globalSetup: ['test/build-daemon.ts'] } });
