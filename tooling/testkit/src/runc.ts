import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** True when this process can run real containers: root, with runc on PATH. */
export function canRunContainers(): boolean {
  return process.getuid?.() === 0 && spawnSync('runc', ['--version']).status === 0;
}

/**
 * A private runc state root (`runc --root`) for one test file, so tests never see or touch
 * containers of other suites. `cleanup()` force-deletes whatever is left and removes the dir.
 */
export async function createRuncRoot(): Promise<{ root: string; cleanup: () => Promise<string[]> }> {
  const root = await mkdtemp(join(tmpdir(), 'execdriver-runc-'));
  return {
    root,
    cleanup: async () => {
      const left = listContainers(root);
      for (const id of left) spawnSync('runc', ['--root', root, 'delete', '-f', id]);
      await rm(root, { recursive: true, force: true });
      return left;
    },
  };
}

function listContainers(runcRoot: string): string[] {
  if (!existsSync(runcRoot)) return [];
  return readdirSync(runcRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

let counter = 0;
/** A container id unique to this process and test run. */
export function uniqueId(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Writes `config` as `<bundle>/config.json` and runs it in the foreground with
 * `runc --root <runcRoot> run --bundle <bundle> <id>`, capturing stdout and stderr.
 * The container is always deleted afterwards.
 */
export async function runBundle(options: {
  runcRoot: string;
  bundle: string;
  id: string;
  config: unknown;
  stdin?: string;
  timeoutMs?: number;
}): Promise<RunResult> {
  await mkdir(options.bundle, { recursive: true });
  await writeFile(join(options.bundle, 'config.json'), JSON.stringify(options.config, null, 2));
  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn('runc', ['--root', options.runcRoot, 'run', '--bundle', options.bundle, options.id], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        spawnSync('runc', ['--root', options.runcRoot, 'kill', options.id, 'KILL']);
        reject(new Error(`container ${options.id} timed out; stderr: ${stderr}`));
      }, options.timeoutMs ?? 30_000);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? 128 + (signal ? 9 : 0), stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  } finally {
    spawnSync('runc', ['--root', options.runcRoot, 'delete', '-f', options.id]);
  }
}
