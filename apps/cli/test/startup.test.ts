// What a command loads: `ps`, `inspect` and `version` start no compilation of Node built-ins they
// never call (child_process, net, crypto...), since the launcher hands the bundle stand-ins for them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { cliPath } from './harness.js';

const base = mkdtempSync(join(tmpdir(), 'execdriver-cli-startup-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
// Says at exit which of Node's built-in modules the process loaded.
const preload = join(base, 'loaded.cjs');
writeFileSync(preload, "process.on('exit', () => require('fs').writeSync(2, `loaded: ${process.moduleLoadList.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice(13)).join(' ')}\\n`));\n");

function loaded(args: string[]): string[] {
  const result = spawnSync(process.execPath, ['--require', preload, cliPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, EXECDRIVER_STATE_ROOT: join(base, 'state'), EXECDRIVER_DATA_ROOT: join(base, 'data'), EXECDRIVER_CACHE_DIR: join(base, 'cache') },
  });
  const line = /^loaded: (.*)$/m.exec(result.stderr);
  expect(result.status === 0 || args[0] === 'inspect', result.stderr).toBe(true);
  expect(line, result.stderr).not.toBeNull();
  return line![1]!.split(' ');
}

test('the first command on new roots asks runc what it supports: the stand-in is node:child_process', () => {
  const modules = loaded(['ps', '-a']);
  expect(modules).toContain('child_process');
});

test.each([[['ps', '-a']], [['inspect', 'no-such-container']], [['version']]])('%j loads no child_process, net, crypto, stream or zlib', (args) => {
  const modules = loaded(args);
  expect(modules).toContain('fs');
  expect(modules.filter((name) => ['child_process', 'net', 'crypto', 'stream', 'zlib', 'dgram', 'readline'].includes(name))).toEqual([]);
});

test('a streaming command whose reader went away ends (141, as docker dying of SIGPIPE)', () => {
  const env = { ...process.env, EXECDRIVER_STATE_ROOT: join(base, 'state'), EXECDRIVER_DATA_ROOT: join(base, 'data'), EXECDRIVER_CACHE_DIR: join(base, 'cache') };
  // `stats` prints a table a second until stopped; head takes its first line and goes.
  const result = spawnSync('bash', ['-c', `"$0" "$1" stats | head -1; echo "status \${PIPESTATUS[0]}"`, process.execPath, cliPath], { encoding: 'utf8', env, timeout: 30_000 });
  expect(result.error).toBeUndefined();
  expect(result.stdout).toMatch(/^CONTAINER ID\s+NAME\s+CPU %.*\nstatus 141\n$/);
});
