// Bundles an app (the CLI, the daemon) into dist/<name>.js with esbuild: ESM, one entry, lazily
// loaded chunks, a `#!` line that keeps the app's arguments away from Node's own option parser
// (`node --`), and the bin made executable. @lydell/node-pty stays external: it is native, a real
// dependency of the package. The maps stay out of the tarball (they embed every bundled source) and
// the bundle does not name them, so nothing shipped points at a missing file.
import { createHash } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';

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

/**
 * Bundles the CLI as two CommonJS files: dist/bundle.js (the whole CLI, ASCII, one script, so V8's
 * code cache can hold it) and the bin dist/cli.js, built from `launcher`, which loads the bundle
 * through that cache (apps/cli/src/launcher.ts). dist/package.json makes dist CommonJS.
 *
 * @param {typeof import('esbuild').build} build esbuild's build, from the app's own dependencies
 * @param {{ appUrl: string, source: string, launcher: string, versionName: string }} options
 */
export async function bundleCachedApp(build, { appUrl, source, launcher, versionName }) {
  const packageJson = JSON.parse(await readFile(new URL('./package.json', appUrl), 'utf8'));
  const dist = new URL('./dist/', appUrl);
  await rm(dist, { recursive: true, force: true });
  const common = {
    absWorkingDir: new URL('.', appUrl).pathname,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    conditions: ['@execdriver/source'],
    legalComments: 'none',
    charset: 'ascii',
    minify: true,
    logLevel: 'warning',
  };
  const built = await build({
    ...common,
    metafile: true,
    entryPoints: [source],
    outfile: 'dist/bundle.js',
    external: ['@lydell/node-pty'],
    define: { [versionName]: JSON.stringify(packageJson.version) },
    sourcemap: 'external',
    // `import()` becomes `require()`: a script V8 took from its code cache has lost the callback
    // Node's `import()` needs (node-pty, loaded on first use, failed with "A dynamic import callback
    // was not specified").
    supported: { 'dynamic-import': false },
  });
  const bundle = await readFile(new URL('./bundle.js', dist));
  const wide = bundle.findIndex((byte) => byte > 0x7f);
  if (wide !== -1) throw new Error(`dist/bundle.js has a non-ASCII byte at ${wide}: the launcher reads it as latin1`);
  const dynamic = Object.values(built.metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.kind === 'dynamic-import'));
  if (dynamic.length > 0) throw new Error(`dist/bundle.js has import() of ${dynamic.map((entry) => entry.path).join(', ')}: it fails in a script taken from the code cache`);
  const hash = createHash('sha256').update(bundle).digest('hex').slice(0, 16);
  await build({
    ...common,
    entryPoints: [launcher],
    outfile: 'dist/cli.js',
    define: { EXECDRIVER_BUNDLE_HASH: JSON.stringify(hash) },
    banner: { js: '#!/usr/bin/env -S node --' },
  });
  await writeFile(new URL('./package.json', dist), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  chmodSync(new URL('./cli.js', dist), 0o755);
}
