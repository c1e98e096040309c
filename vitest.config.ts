import { defineConfig } from 'vitest/config';

// CI sets EXECDRIVER_TEST_RESULTS to a file path to get vitest's JSON report for its counts.
const resultsFile = process.env.EXECDRIVER_TEST_RESULTS;

export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/testkit'],
    ...(resultsFile ? { reporters: ['default', 'json'], outputFile: { json: resultsFile } } : {}),
  },
});
