import { chmodSync } from 'node:fs';
// Bundles the daemon into dist/execdriverd.js (ESM, one entry, lazily loaded chunks per command) with esbuild.
// @lydell/node-pty stays external: it is native, so it is a real dependency of the package.
import { readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const packageJson = JSON.parse(await readFile(new URL('./package.json', import.meta.url), 'utf8'));
await rm(new URL('./dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { execdriverd: 'src/execdriverd.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  conditions: ['@execdriver/source'],
  external: ['@lydell/node-pty'],
  define: { EXECDRIVERD_VERSION: JSON.stringify(packageJson.version) },
  banner: { js: "#!/usr/bin/env -S node --\nimport { createRequire as __execdriverCreateRequire } from 'node:module';\nconst require = __execdriverCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  // The maps stay out of the tarball (they embed every bundled source: 2.3 MB) and the bundle does
  // not name them, so nothing shipped points at a missing file.
  sourcemap: 'external',
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
});

// The bin is run directly (a symlink on PATH, npm's bin link): make it executable.
chmodSync(new URL('./dist/execdriverd.js', import.meta.url), 0o755);
