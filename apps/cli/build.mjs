// Bundles the CLI into dist/bundle.js and its launcher dist/cli.js (see tooling/scripts/bundle-app.mjs).
import { build } from 'esbuild';
import { bundleCachedApp } from '../../tooling/scripts/bundle-app.mjs';

await bundleCachedApp(build, { appUrl: import.meta.url, source: 'src/cli.ts', launcher: 'src/launcher.ts', versionName: 'EXECDRIVER_VERSION' });
