// Bundles the daemon into dist/execdriverd.js (see tooling/scripts/bundle-app.mjs).
import { build } from 'esbuild';
import { bundleApp } from '../../tooling/scripts/bundle-app.mjs';

await bundleApp(build, { appUrl: import.meta.url, name: 'execdriverd', source: 'src/execdriverd.ts', versionName: 'EXECDRIVERD_VERSION' });
