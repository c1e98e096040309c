import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { commandCacheName, compileCacheRoot, planCompileCache, readCompileCache, shortHash, writeCompileCache } from './compile-cache.js';

const uid = process.getuid!();
const directories: string[] = [];
function temporary(): string {
  const directory = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  directories.push(directory);
  return directory;
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const base = { env: {}, args: ['ps', '-a'], execArgv: [], uid: 0, bundleHash: '0123456789abcdef', nodeVersion: 'v20.20.2', arch: 'x64' };

test('a plan names the file by bundle, Node version, architecture and command', () => {
  expect(planCompileCache(base)).toEqual({ file: '/var/cache/execdriver/cli/0123456789abcdef-node20.20.2-x64/ps.bin' });
  expect(planCompileCache({ ...base, env: { EXECDRIVER_CACHE_DIR: '/c' }, args: ['--help'] })).toEqual({ file: '/c/cli/0123456789abcdef-node20.20.2-x64/default.bin' });
});

test('runs under Node flags have caches of their own (V8 refuses one made under other flags)', () => {
  const plain = planCompileCache({ ...base, args: ['__console', 'x'] });
  const lite = planCompileCache({ ...base, args: ['__console', 'x'], execArgv: ['--max-semi-space-size=1', '--lite-mode'] });
  const other = planCompileCache({ ...base, args: ['__console', 'x'], execArgv: ['--lite-mode'] });
  expect(plain).toEqual({ file: '/var/cache/execdriver/cli/0123456789abcdef-node20.20.2-x64/__console.bin' });
  expect(lite).toEqual({ file: expect.stringMatching(/\/__console-[0-9a-f]{8}\.bin$/) });
  expect(other).toEqual({ file: expect.stringMatching(/\/__console-[0-9a-f]{8}\.bin$/) });
  expect(lite).not.toEqual(other);
  expect(shortHash('--lite-mode')).toBe(shortHash('--lite-mode'));
});

test('no cache when disabled, or without a home', () => {
  expect(planCompileCache({ ...base, env: { EXECDRIVER_DISABLE_COMPILE_CACHE: '1' } })).toEqual({ disabled: 'EXECDRIVER_DISABLE_COMPILE_CACHE is set' });
  expect(planCompileCache({ ...base, uid: 1000 })).toEqual({ disabled: 'no cache directory (no HOME)' });
});

test("a user's cache is under XDG_CACHE_HOME or ~/.cache, root's under /var/cache", () => {
  expect(compileCacheRoot({ HOME: '/home/u' }, 1000)).toBe('/home/u/.cache/execdriver');
  expect(compileCacheRoot({ HOME: '/home/u', XDG_CACHE_HOME: '/x' }, 1000)).toBe('/x/execdriver');
  expect(compileCacheRoot({ HOME: '/root' }, 0)).toBe('/var/cache/execdriver');
});

test('command names never leave the cache directory', () => {
  expect(commandCacheName(['ps'])).toBe('ps');
  expect(commandCacheName(['system', 'df'])).toBe('system');
  expect(commandCacheName(['__monitor', 'id'])).toBe('__monitor');
  for (const name of ['___x', '_', '../x', 'a/b', '.', '', 'PS', 'x'.repeat(40)]) expect(commandCacheName([name])).toBe('default');
  expect(commandCacheName([])).toBe('default');
});

test('a written cache is read back; its directories are 0700 and the file 0600', () => {
  const root = temporary();
  const file = join(root, 'a', 'cli', 'key', 'ps.bin');
  expect(writeCompileCache(file, Buffer.from('code'))).toEqual({ written: true });
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
  expect(statSync(join(root, 'a', 'cli', 'key')).mode & 0o777).toBe(0o700);
  expect(readdirSync(join(root, 'a', 'cli', 'key'))).toEqual(['ps.bin']);
  const read = readCompileCache(file, uid);
  expect('data' in read && read.data.toString()).toBe('code');
});

test('a cache writable by others, owned by another user, a symlink or a directory is not used', () => {
  const root = temporary();
  const file = join(root, 'ps.bin');
  writeFileSync(file, 'code', { mode: 0o600 });
  chmodSync(file, 0o620);
  expect(readCompileCache(file, uid)).toEqual({ skipped: 'writable by others (mode 620)' });
  chmodSync(file, 0o600);
  chownSync(file, 4242, 4242);
  expect(readCompileCache(file, uid)).toEqual({ skipped: `owned by uid 4242, not ${uid}` });
  const link = join(root, 'link.bin');
  symlinkSync(file, link);
  expect(readCompileCache(link, uid)).toEqual({ skipped: 'ELOOP' });
  mkdirSync(join(root, 'dir.bin'));
  expect(readCompileCache(join(root, 'dir.bin'), uid)).toEqual({ skipped: 'not a regular file' });
  expect(readCompileCache(join(root, 'absent.bin'), uid)).toEqual({ skipped: 'ENOENT' });
});

test('a cache directory that cannot be made (under /proc) fails at once', () => {
  expect(writeCompileCache('/proc/no-such-directory/cli/key/ps.bin', Buffer.from('code'))).toMatchObject({ failed: expect.stringMatching(/ENOENT|EACCES|EPERM/) });
});

test('a cache in a directory others can write, or another user owns, is not used', () => {
  const root = temporary();
  const directory = join(root, 'key');
  const file = join(directory, 'ps.bin');
  writeCompileCache(file, Buffer.from('code'));
  chmodSync(directory, 0o777);
  expect(readCompileCache(file, uid)).toEqual({ skipped: 'its directory is writable by others (mode 777)' });
  chmodSync(directory, 0o700);
  chownSync(directory, 4242, 4242);
  expect(readCompileCache(file, uid)).toEqual({ skipped: `its directory is owned by uid 4242, not ${uid}` });
  chownSync(directory, uid, process.getgid!());
  expect('data' in readCompileCache(file, uid)).toBe(true);
});

test("a write where the directory cannot be made fails quietly and leaves no temporary file", () => {
  const root = temporary();
  writeFileSync(join(root, 'file'), '');
  let made = 0;
  const result = writeCompileCache(join(root, 'file', 'key', 'ps.bin'), () => {
    made += 1;
    return Buffer.from('code');
  });
  expect(result).toMatchObject({ failed: expect.stringContaining('ENOTDIR') });
  // The cache data (V8's serialisation) is not even made where it cannot be kept.
  expect(made).toBe(0);
  expect(readdirSync(root)).toEqual(['file']);
});

test("another bundle's cache unused for a week is removed by a new bundle's first write; a recent one stays", () => {
  const root = temporary();
  const old = join(root, 'cli', 'old-key');
  const recent = join(root, 'cli', 'recent-key');
  for (const directory of [old, recent]) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'ps.bin'), 'code');
  }
  const now = Date.now();
  utimesSync(old, (now - 8 * 24 * 3600 * 1000) / 1000, (now - 8 * 24 * 3600 * 1000) / 1000);
  utimesSync(recent, (now - 6 * 24 * 3600 * 1000) / 1000, (now - 6 * 24 * 3600 * 1000) / 1000);
  writeCompileCache(join(root, 'cli', 'new-key', 'ps.bin'), Buffer.from('code'), now);
  expect(existsSync(old)).toBe(false);
  expect(existsSync(recent)).toBe(true);
});

test("reading a cache marks its directory used, at most once a day", () => {
  const root = temporary();
  const file = join(root, 'key', 'ps.bin');
  writeCompileCache(file, Buffer.from('code'));
  const now = Date.now();
  const twoDaysAgo = (now - 2 * 24 * 3600 * 1000) / 1000;
  utimesSync(join(root, 'key'), twoDaysAgo, twoDaysAgo);
  readCompileCache(file, uid, now);
  expect(Math.abs(statSync(join(root, 'key')).mtimeMs - now)).toBeLessThan(2000);
  const hourAgo = (now - 3600 * 1000) / 1000;
  utimesSync(join(root, 'key'), hourAgo, hourAgo);
  readCompileCache(file, uid, now);
  expect(Math.abs(statSync(join(root, 'key')).mtimeMs - hourAgo * 1000)).toBeLessThan(2000);
});
