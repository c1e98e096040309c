// The one-call API on real containers: run, start with `await using`, exec, stats, logs, AbortSignal.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeftovers, removeCgroupDirs } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { run, start } from './one-call.js';

describe('run / start (one call, real containers)', () => {
  let base: string;
  let engine: Engine;
  const marker = `execdriver-onecall-test-${process.pid}`;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'execdriver-onecall-'));
    await chmod(base, 0o711);
    engine = new Engine({ stateRoot: join(base, 'state'), dataRoot: join(base, 'data'), cgroupsPathPrefix: marker });
  });

  const leftovers = async () => [
    ...(await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((line) => line.includes(base)),
    ...readdirSync(join(base, 'data', 'containers')).filter((entry) => !entry.startsWith('.')),
    // The prefix directory itself is the parent cgroup (like /docker): only containers below it are leaks.
    ...findLeftovers(marker).filter((path) => !path.endsWith(marker)),
  ];

  afterAll(async () => {
    const { containers } = await engine.list();
    for (const container of containers) await engine.remove(container.id, { force: true }).catch(() => undefined);
    const left = await leftovers();
    removeCgroupDirs(marker);
    await rm(base, { recursive: true, force: true });
    expect(left).toEqual([]);
  });

  it('run resolves to output and exit code and leaves nothing; the same call twice at once works', async () => {
    const [first, second] = await Promise.all([
      run('busybox', ['sh', '-c', 'echo hi; echo oops >&2; exit 3'], { engine }),
      run('busybox', ['sh', '-c', 'read line; echo "got $line"'], { engine, input: 'data\n', env: { A: '1' } }),
    ]);
    expect(first).toEqual({ stdout: 'hi\n', stderr: 'oops\n', exitCode: 3, oomKilled: false });
    expect(second).toEqual({ stdout: 'got data\n', stderr: '', exitCode: 0, oomKilled: false });
    expect(await leftovers()).toEqual([]);
  });

  it('an aborted run kills and removes its container, rejecting with the reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('enough')), 500);
    await expect(run('busybox', ['sleep', '30'], { engine, signal: controller.signal })).rejects.toThrow('enough');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await leftovers()).toEqual([]);
    await expect(run('busybox', ['true'], { engine, signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it('start gives a handle: exec (strings and streams, abortable), stats and logs iterators, removed by await using', async () => {
    let id: string;
    {
      await using web = await start('busybox', ['sh', '-c', 'echo started; sleep 60'], { engine, name: 'web', resources: { memory: 64 * 1024 * 1024 } });
      id = web.id;
      expect(await web.exec(['sh', '-c', 'echo $X; hostname'], { env: ['X=42'] })).toEqual({ stdout: `42\n${id.slice(0, 12)}\n`, stderr: '', exitCode: 0 });
      const streamed = web.execStream(['sh', '-c', 'echo a; echo b >&2; exit 4']);
      const chunks: string[] = [];
      for await (const chunk of streamed.stdout) chunks.push(String(chunk));
      expect(chunks.join('')).toBe('a\n');
      expect(await streamed.exitCode).toBe(4);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await expect(web.exec(['sleep', '30'], { signal: controller.signal })).rejects.toThrow();
      const samples = [];
      for await (const sample of web.stats({ intervalMs: 100 })) {
        samples.push(sample);
        if (samples.length === 2) break;
      }
      expect(samples[1]!.memoryLimitBytes).toBe(64 * 1024 * 1024);
      const lines = [];
      for await (const entry of web.logs()) lines.push(entry);
      expect(lines).toEqual([{ stream: 'stdout', line: 'started' }]);
      const seen: string[] = [];
      const stop = new AbortController();
      for await (const event of web.events({ signal: stop.signal })) {
        seen.push(event.Action);
        if (seen.includes('start')) stop.abort();
      }
      expect(seen.slice(0, 2)).toEqual(['create', 'start']);
    }
    expect((await engine.list()).containers.map((container) => container.id)).not.toContain(id);
    expect(await leftovers()).toEqual([]);
  });

  it('is a coded error for a user who is not root, not a raw EACCES', async () => {
    const entry = join(import.meta.dirname, '../dist/index.js');
    const script = `import(${JSON.stringify(entry)}).then((m) => m.run('busybox', ['true'], { stateRoot: '/tmp/x-state', dataRoot: '/tmp/x-data' })).then(() => console.log('ran'), (e) => console.log(e.code, e.message))`;
    const output = await new Promise<string>((resolve) => execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], (_error, stdout, stderr) => resolve(stdout + stderr)));
    expect(output).toMatch(/^PERMISSION_DENIED execdriver needs root to run containers/);
  });
});
