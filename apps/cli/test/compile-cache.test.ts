// The bin's V8 code cache, end to end: the built dist/cli.js run as a user runs it.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { cliPath } from './harness.js';

const cacheRoot = mkdtempSync(join(tmpdir(), 'execdriver-cli-cache-'));
afterAll(() => rmSync(cacheRoot, { recursive: true, force: true }));

function version(env: Record<string, string> = {}, nodeFlags: string[] = []) {
  const result = spawnSync(process.execPath, [...nodeFlags, cliPath, 'version', '--format', '{{.Client.Version}} {{.Client.NodeVersion}}'], {
    encoding: 'utf8',
    env: { ...process.env, EXECDRIVER_CACHE_DIR: cacheRoot, EXECDRIVER_DEBUG: '1', ...env },
  });
  expect(result.status, result.stderr).toBe(0);
  return { stdout: result.stdout, stderr: result.stderr };
}

function cacheFile(): string {
  // version.bin of the bundle under test (other tests add flagged ones beside it).
  const [key, ...others] = readdirSync(join(cacheRoot, 'cli'));
  expect(others).toEqual([]);
  expect(key).toMatch(new RegExp(`^[0-9a-f]{16}-node${process.versions.node.replaceAll('.', '\\.')}-${process.arch}$`));
  return join(cacheRoot, 'cli', key!, 'version.bin');
}

test('the first run of a command writes its cache (root-only), later runs use it, with the same output', () => {
  const first = version();
  expect(first.stdout).toBe(`${first.stdout.split(' ')[0]} ${process.version}\n`);
  expect(first.stderr).toMatch(/version\.bin: not used \(ENOENT\)/);
  expect(first.stderr).toMatch(/version\.bin: written/);
  const file = cacheFile();
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
  expect(statSync(file).size).toBeGreaterThan(10_000);
  const second = version();
  expect(second.stdout).toBe(first.stdout);
  expect(second.stderr).toMatch(/version\.bin: used/);
  expect(second.stderr).not.toMatch(/written/);
});

test('a corrupt cache is rejected by V8 and made again; the command still works', () => {
  version();
  const file = cacheFile();
  writeFileSync(file, Buffer.alloc(50_000, 7), { mode: 0o600 });
  const run = version();
  expect(run.stdout).toMatch(/ v\d+/);
  expect(run.stderr).toMatch(/version\.bin: rejected by V8, made again/);
  expect(statSync(file).size).not.toBe(50_000);
  expect(version().stderr).toMatch(/version\.bin: used/);
});

test('a cache others can write is never run; runs under Node flags have their own', () => {
  version();
  const file = cacheFile();
  chmodSync(file, 0o666);
  const run = version();
  expect(run.stdout).toMatch(/ v\d+/);
  expect(run.stderr).toMatch(/version\.bin: not used \(writable by others \(mode 666\)\)/);
  // Rewritten in its place, 0600 again.
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(version({}, ['--lite-mode']).stderr).toMatch(/version-[0-9a-f]{8}\.bin: written/);
  expect(version({}, ['--lite-mode']).stderr).toMatch(/version-[0-9a-f]{8}\.bin: used/);
  expect(version().stderr).toMatch(/version\.bin: used/);
  expect(version({ EXECDRIVER_DISABLE_COMPILE_CACHE: '1' }).stderr).toMatch(/off: EXECDRIVER_DISABLE_COMPILE_CACHE is set/);
});

test('an unknown command gets no cache of its own', () => {
  const result = spawnSync(process.execPath, [cliPath, 'frobnicate'], { encoding: 'utf8', env: { ...process.env, EXECDRIVER_CACHE_DIR: cacheRoot } });
  expect(result.status).toBe(125);
  expect(result.stderr).toMatch(/frobnicate/);
  const [key] = readdirSync(join(cacheRoot, 'cli'));
  expect(readdirSync(join(cacheRoot, 'cli', key!)).filter((name) => name.startsWith('frobnicate'))).toEqual([]);
});
