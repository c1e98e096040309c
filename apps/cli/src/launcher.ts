// The `execdriver` bin (dist/cli.js, CommonJS): loads the CLI's bundle (dist/bundle.js) through
// V8's code cache (see compile-cache.ts), runs the command, and exits with its code. It is bundled
// on its own and imports only Node's built-ins, so it costs almost nothing before the bundle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { commandCacheName, planCompileCache, readCompileCache, writeCompileCache } from './compile-cache.js';
import { lazyBuiltinRequire } from './lazy-builtins.js';

/** The bundle's sha256 (16 hex digits), written in by the build. */
declare const EXECDRIVER_BUNDLE_HASH: string;

interface Bundle {
  runCli(cliPath: string, args: readonly string[]): Promise<number>;
  isCommand(name: string): boolean;
}

// CommonJS: the build makes this file dist/cli.js, beside dist/bundle.js.
const launcherPath = __filename;
const bundlePath = join(__dirname, 'bundle.js');
const args = process.argv.slice(2);
const uid = process.getuid?.() ?? -1;
const debug = process.env.EXECDRIVER_DEBUG ? (line: string) => process.stderr.write(`execdriver: compile cache: ${line}\n`) : undefined;

const plan = planCompileCache({ env: process.env, args, execArgv: process.execArgv, uid, bundleHash: EXECDRIVER_BUNDLE_HASH, nodeVersion: process.version, arch: process.arch });
let cachedData: Buffer | undefined;
if ('file' in plan) {
  const read = readCompileCache(plan.file, uid);
  if ('data' in read) cachedData = read.data;
  else debug?.(`${plan.file}: not used (${read.skipped})`);
} else debug?.(`off: ${plan.disabled}`);

// The bundle is ASCII (the build checks): read as latin1, no UTF-8 decoding.
const source = readFileSync(bundlePath, 'latin1');
const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
  filename: bundlePath,
  lineOffset: -1,
  ...(cachedData ? { cachedData } : {}),
  // No `importModuleDynamically`: a script from the code cache loses it, so the bundle has no
  // `import()` (the build turns them into `require()` and checks).
});
const bundleModule: { exports: Partial<Bundle> } = { exports: {} };
if ('file' in plan) {
  if (cachedData && !script.cachedDataRejected) debug?.(`${plan.file}: used`);
  else {
    if (cachedData) debug?.(`${plan.file}: rejected by V8, made again`);
    const file = plan.file;
    // Written once, at exit or after two seconds, whichever comes first: by then the cache holds
    // every function the command compiled, not only the top level, and the long-lived helpers
    // (console and log holders, restart monitors), which seldom exit by themselves, get one too.
    // Only commands get one (`default` is the rest: --help, -v), not every word typed.
    let saved = false;
    const save = () => {
      if (saved) return;
      saved = true;
      const name = commandCacheName(args);
      if (name !== 'default' && !bundleModule.exports.isCommand?.(name)) return;
      const written = writeCompileCache(file, () => script.createCachedData());
      debug?.(`${file}: ${'written' in written ? 'written' : `not written (${written.failed})`}`);
    };
    process.once('exit', save);
    setTimeout(save, 2000).unref();
  }
}
(script.runInThisContext() as (...parameters: unknown[]) => void)(bundleModule.exports, lazyBuiltinRequire(require), bundleModule, bundlePath, __dirname);
// Helpers and detached containers leave handles (hook FIFOs, IPC) that must not keep the CLI alive.
void bundleModule.exports.runCli!(launcherPath, args).then((exitCode) => process.exit(exitCode));
