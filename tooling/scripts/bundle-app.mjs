// Bundles an app (the CLI, the daemon) into dist/<name>.js with esbuild: ESM, one entry, lazily
// loaded chunks, a `#!` line that keeps the app's arguments away from Node's own option parser
// (`node --`), and the bin made executable. @lydell/node-pty stays external: it is native, a real
// dependency of the package. The maps stay out of the tarball (they embed every bundled source) and
// the bundle does not name them, so nothing shipped points at a missing file.
import { chmodSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';

/**
 * @param {typeof import('esbuild').build} build esbuild's build, from the app's own dependencies
 * @param {{ appUrl: string, name: string, source: string, versionName: string }} options
 */
export async function bundleApp(build, { appUrl, name, source, versionName }) {
  const packageJson = JSON.parse(await readFile(new URL('./package.json', appUrl), 'utf8'));
  await rm(new URL('./dist', appUrl), { recursive: true, force: true });
  await build({
    absWorkingDir: new URL('.', appUrl).pathname,
    entryPoints: { [name]: source },
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    conditions: ['@execdriver/source'],
    external: ['@lydell/node-pty'],
    define: { [versionName]: JSON.stringify(packageJson.version) },
    banner: { js: "#!/usr/bin/env -S node --\nimport { createRequire as __execdriverCreateRequire } from 'node:module';\nconst require = __execdriverCreateRequire(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'external',
    legalComments: 'none',
    minify: true,
    logLevel: 'warning',
  });
  // The bin is run directly (a symlink on PATH, npm's bin link): make it executable.
  chmodSync(new URL(`./dist/${name}.js`, appUrl), 0o755);
}
