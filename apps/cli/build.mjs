// Bundles the CLI into dist/cli.js (see tooling/scripts/bundle-app.mjs).
import { build } from 'esbuild';
import { bundleApp } from '../../tooling/scripts/bundle-app.mjs';

await bundleApp(build, { appUrl: import.meta.url, name: 'cli', source: 'src/cli.ts', versionName: 'EXECDRIVER_VERSION' });
