import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The first ```ts or ```js block of `<packageDir>/README.md`: the example a reader tries first. */
export function readmeExample(packageDir: string): string {
  const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
  const match = /^```(?:ts|js)\n([\s\S]*?)^```$/m.exec(readme);
  if (!match?.[1]) throw new Error(`${packageDir}/README.md has no \`\`\`ts or \`\`\`js example`);
  return match[1];
}

export interface ReadmeExampleResult {
  /** tsc's diagnostics for the example, '' when it typechecks. */
  typeErrors: string;
  /** When asked to run: the example's exit code and output (run with Node from the packages' `dist`). */
  run?: { exitCode: number; stdout: string; stderr: string };
}

/**
 * Typechecks the README's first example as a TypeScript module of the package (strict, the
 * repository's compiler options, resolving `@execdriver/*` to the built `dist` as a user of the
 * package would: run `pnpm build` first), and, with `run`, runs the compiled example with Node in
 * `cwd`, as a reader would. The example lives in a temporary directory inside the package while this runs.
 */
export async function checkReadmeExample(
  packageDir: string,
  options: { run?: boolean; cwd?: string; timeoutMs?: number } = {},
): Promise<ReadmeExampleResult> {
  const dir = await mkdtemp(join(packageDir, '.readme-example-'));
  try {
    await writeFile(join(dir, 'example.ts'), readmeExample(packageDir));
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(repositoryRoot, 'tsconfig.base.json'),
        compilerOptions: { customConditions: [], noEmitOnError: true, composite: false, declaration: false, declarationMap: false, sourceMap: false, rootDir: '.', outDir: 'out' },
        files: ['example.ts'],
      }),
    );
    let typeErrors = '';
    try {
      await promisify(execFile)(join(repositoryRoot, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      typeErrors = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim() || failure.message;
    }
    if (!options.run || typeErrors !== '') return { typeErrors };
    const run = await new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolveRun) => {
      execFile(process.execPath, [join(dir, 'out/example.js')], { cwd: options.cwd ?? dir, timeout: options.timeoutMs ?? 60_000 }, (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolveRun({ exitCode: error ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
      });
    });
    return { typeErrors, run };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
