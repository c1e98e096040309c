import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createHarness, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];
let work: string;

beforeAll(async () => {
  harness = await createHarness('files');
  cli = harness.cli;
  work = await mkdtemp(join(tmpdir(), 'execdriver-files-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

/** Runs the CLI with binary stdin/stdout (tar streams). */
function cliBinary(args: readonly string[], input?: Buffer): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', cliPath, ...args], { env: { ...process.env, ...harness.env } });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout: Buffer.concat(chunks), stderr }));
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

describe('volumes (built binary, real containers)', () => {
  it('copies the image content up into a new named volume, keeps it across containers, refuses rm while in use', async () => {
    expect(await cli(['volume', 'create', '--label', 'team=a', 'vol1'])).toEqual({ exitCode: 0, stdout: 'vol1\n', stderr: '' });
    expect((await cli(['run', '--rm', '-v', 'vol1:/etc', 'busybox', 'sh', '-c', 'head -1 /etc/group && echo kept > /etc/mine'])).stdout).toBe('root:x:0:\n');
    expect(await cli(['run', '--rm', '--mount', 'type=volume,source=vol1,target=/data,readonly', 'busybox', 'cat', '/data/mine'])).toEqual({ exitCode: 0, stdout: 'kept\n', stderr: '' });
    const [inspect] = JSON.parse((await cli(['volume', 'inspect', 'vol1'])).stdout) as [Record<string, unknown>];
    expect(inspect).toMatchObject({ Name: 'vol1', Driver: 'local', Scope: 'local', Labels: { team: 'a' }, Mountpoint: join(harness.dataRoot, 'volumes/vol1/_data') });
    expect((await stat(join(harness.dataRoot, 'volumes/vol1'))).mode & 0o777).toBe(0o700);
    expect((await cli(['volume', 'ls', '-q', '--filter', 'label=team=a'])).stdout).toBe('vol1\n');
    expect((await cli(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout).toBe('vol1\n');
    const id = (await cli(['run', '-d', '--name', 'user', '-v', 'vol1:/v', 'busybox', 'sleep', '60'])).stdout.trim();
    expect(await cli(['volume', 'rm', 'vol1'])).toEqual({ exitCode: 1, stdout: '', stderr: `execdriver: remove vol1: volume is in use - [${id}]\n` });
    expect((await cli(['rm', '-f', 'user'])).exitCode).toBe(0);
    expect(await cli(['volume', 'rm', 'vol1'])).toEqual({ exitCode: 0, stdout: 'vol1\n', stderr: '' });
    expect(await cli(['volume', 'create', 'a/b'])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('includes invalid characters for a local volume name') });
  });

  it('removes anonymous volumes with rm -v and --rm, keeps them without', async () => {
    expect((await cli(['run', '--rm', '-v', '/anon', 'busybox', 'true'])).exitCode).toBe(0);
    expect((await cli(['volume', 'ls', '-q'])).stdout).toBe('');
    expect((await cli(['run', '--name', 'anon', '-v', '/anon', 'busybox', 'true'])).exitCode).toBe(0);
    expect((await cli(['volume', 'ls', '-q'])).stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await cli(['container', 'rm', '-v', 'anon'])).exitCode).toBe(0);
    expect((await cli(['volume', 'ls', '-q'])).stdout).toBe('');
  });
});

describe('cp, export, diff, commit', () => {
  it('copies files and directories both ways, with Docker rules, to running and stopped containers', async () => {
    expect((await cli(['run', '-d', '--name', 'box', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    await writeFile(join(work, 'f.txt'), 'file\n');
    expect(await cli(['cp', join(work, 'f.txt'), 'box:/tmp/'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await cli(['cp', join(work, 'f.txt'), 'box:/tmp/renamed'])).toMatchObject({ exitCode: 0 });
    expect((await cli(['exec', 'box', 'sh', '-c', 'cat /tmp/f.txt /tmp/renamed; stat -c %u /tmp/f.txt'])).stdout).toBe('file\nfile\n0\n');
    expect((await cli(['cp', 'box:/etc/passwd', join(work, 'pw')])).exitCode).toBe(0);
    expect(readFileSync(join(work, 'pw'), 'utf8')).toMatch(/^root:x:0:0/);
    expect((await cli(['cp', 'box:/etc', join(work, 'etc1')])).exitCode).toBe(0);
    expect(existsSync(join(work, 'etc1/hostname'))).toBe(true);
    expect((await cli(['cp', 'box:/etc', join(work, 'etc1')])).exitCode).toBe(0);
    expect(existsSync(join(work, 'etc1/etc/hostname'))).toBe(true);
    expect((await cli(['cp', 'box:/etc/.', join(work, 'etc1')])).exitCode).toBe(0);
    expect((await cli(['cp', 'box:/nope', work])).stderr).toBe('execdriver: Could not find the file /nope in container box\n');
    const tar = await cliBinary(['cp', 'box:/tmp/f.txt', '-']);
    expect(tar.exitCode).toBe(0);
    expect(await cliBinary(['cp', '-', 'box:/root'], tar.stdout)).toMatchObject({ exitCode: 0 });
    expect((await cli(['exec', 'box', 'cat', '/root/f.txt'])).stdout).toBe('file\n');
    expect((await cli(['stop', '-t', '0', 'box'])).exitCode).toBe(0);
    expect((await cli(['cp', join(work, 'f.txt'), 'box:/stopped.txt'])).exitCode).toBe(0);
    expect((await cli(['cp', 'box:/stopped.txt', join(work, 'back.txt')])).exitCode).toBe(0);
    expect(await readFile(join(work, 'back.txt'), 'utf8')).toBe('file\n');
    expect(harness.leftovers().filter((line) => line.startsWith('mount:'))).toEqual([]);
    const diff = (await cli(['diff', 'box'])).stdout;
    expect(diff).toContain('A /stopped.txt\n');
    expect(diff).toContain('C /tmp\n');
    expect((await cli(['rm', 'box'])).exitCode).toBe(0);
  });

  it('diff shows deletions; export piped into import runs; commit makes an image with its CMD', async () => {
    expect((await cli(['run', '--name', 'changed', 'busybox', 'sh', '-c', 'rm /etc/group; echo x > /new'])).exitCode).toBe(0);
    expect((await cli(['diff', 'changed'])).stdout).toBe('C /etc\nD /etc/group\nA /new\n');
    const exported = await cliBinary(['export', 'changed']);
    expect(exported.exitCode).toBe(0);
    expect((await cliBinary(['import', '-', 'exported:1'], exported.stdout)).exitCode).toBe(0);
    expect(await cli(['run', '--rm', 'exported:1', 'cat', '/new'])).toEqual({ exitCode: 0, stdout: 'x\n', stderr: '' });
    expect((await cli(['commit', '-c', 'CMD ["cat", "/new"]', '-m', 'made here', 'changed', 'committed:1'])).stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(await cli(['run', '--rm', 'committed:1'])).toEqual({ exitCode: 0, stdout: 'x\n', stderr: '' });
    expect((await cli(['rm', 'changed'])).exitCode).toBe(0);
    expect((await cli(['rmi', 'committed:1', 'exported:1'])).exitCode).toBe(0);
  });

  it('never reads or writes outside the container root while the container swaps a directory for a symlink to /', async () => {
    const canary = join(work, 'canary');
    await writeFile(canary, 'untouched\n');
    const secret = join(work, 'secret');
    await writeFile(secret, 'host secret\n');
    const script = `mkdir -p /w/real; while true; do mv /w/real /w/real.x 2>/dev/null; ln -sfn ${work} /w/real; rm -f /w/real; mv /w/real.x /w/real 2>/dev/null; ln -sfn / /w/escape; done`;
    expect((await cli(['run', '-d', '--name', 'racer', 'busybox', 'sh', '-c', script])).exitCode).toBe(0);
    await writeFile(join(work, 'canary'), 'untouched\n');
    const payload = join(work, 'payload');
    await writeFile(payload, 'payload\n');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      await cli(['cp', payload, 'racer:/w/real/canary']);
      await cli(['cp', payload, 'racer:/w/escape' + work + '/canary']);
      const out = join(work, `out-${attempt}`);
      await cli(['cp', 'racer:/w/real/secret', out]);
      await cli(['cp', `racer:/w/escape${work}/secret`, out]);
      expect(existsSync(out)).toBe(false);
    }
    expect(await readFile(canary, 'utf8')).toBe('untouched\n');
    expect((await cli(['rm', '-f', 'racer'])).exitCode).toBe(0);
  }, 120_000);
});

describe('leaks', () => {
  it('leaves no container, mount, cgroup or state behind', async () => {
    expect((await cli(['ps', '-aq'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });
});
