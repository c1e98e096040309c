// Real containers through two engines on the same roots: what one does, the other sees.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { findLeftovers, removeCgroupDirs } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.js';
import { EngineError } from './errors.js';

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return { stream: new Writable({ write: (chunk: Buffer, _encoding, callback) => (chunks.push(chunk), callback()) }), text: () => Buffer.concat(chunks).toString() };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error && 'code' in error) return `${String(error.code)}: ${error.message}`;
    throw error;
  }
  return 'resolved';
}

describe('Engine (real containers, two engines on the same roots)', () => {
  let base: string;
  let first: Engine;
  let second: Engine;
  const marker = `execdriver-engine-test-${process.pid}`;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'execdriver-engine-'));
    await chmod(base, 0o711);
    const options = { stateRoot: join(base, 'state'), dataRoot: join(base, 'data'), cgroupsPathPrefix: marker };
    first = new Engine(options);
    second = new Engine(options);
  });

  afterAll(async () => {
    const { containers, broken } = await second.list().catch(() => ({ containers: [], broken: [] }));
    for (const container of containers) await second.remove(container.id, { force: true }).catch(() => undefined);
    for (const entry of broken) await second.destroy(entry.id).catch(() => undefined);
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((line) => line.includes(base));
    removeCgroupDirs(marker);
    const left = [...mounts, ...findLeftovers(marker), ...readdirSync(join(base, 'data', 'containers')).map((entry) => `record ${entry}`)];
    await rm(base, { recursive: true, force: true });
    expect(left).toEqual([]);
  });

  it('one engine starts a named container; the other lists it, waits for it and removes it', async () => {
    const record = await first.create({ name: 'web', image: 'busybox', command: { process: { args: ['sh', '-c', 'echo up; sleep 1; exit 3'] } } });
    expect(record.id).toMatch(/^[0-9a-f]{64}$/);
    expect(record.command.hostname).toBe(record.id.slice(0, 12));
    await first.start(record, { logs: true });
    const listed = (await second.list()).containers.find((container) => container.name === 'web');
    expect(listed).toMatchObject({ id: record.id, state: 'running' });
    expect((await second.find(record.id.slice(0, 12))).name).toBe('web');
    expect(await second.wait('web')).toEqual({ exitCode: 3, oomKilled: false });
    expect(await readFile((await second.logPaths(record.id)).stdout, 'utf8')).toBe('up\n');
    expect((await first.find('web')).state).toBe('exited');
    await second.remove('web');
    expect(await codeOf(first.find('web'))).toBe('NO_SUCH_CONTAINER: No such container: web');
    // The name is free again.
    const again = await first.create({ name: 'web', image: 'busybox', command: { process: { args: ['true'] } } });
    await first.remove(again.id);
  });

  it('runs with the image config (ENTRYPOINT, CMD, Env, WorkingDir from import --change) and keeps the writable layer across starts', async () => {
    const busybox = await first.images.require('busybox');
    const tarball = join(base, 'rootfs.tar');
    execFileSync('tar', ['-cf', tarball, '-C', busybox.rootfs, '.']);
    await first.images.import({ path: tarball }, 'cfg:1', { changes: ['ENTRYPOINT ["sh", "-c"]', 'CMD ["echo $GREETING from $(pwd); echo kept >> /data.txt; cat /data.txt"]', 'ENV GREETING=hello', 'WORKDIR /tmp'] });
    const record = await first.create({ image: 'cfg:1', command: { process: { args: [], env: ['OTHER=1'] } } });
    expect(record.name).toMatch(/^[a-z]+_[a-z]+\d?$/);
    expect(record.command.process.args).toEqual(['sh', '-c', 'echo $GREETING from $(pwd); echo kept >> /data.txt; cat /data.txt']);
    const runOnce = async () => {
      const out = collector();
      const started = await second.start(record.id, { stdout: out.stream });
      expect(await started.exited).toEqual({ exitCode: 0, oomKilled: false });
      return out.text();
    };
    expect(await runOnce()).toBe('hello from /tmp\nkept\n');
    // Started again: the same container, its file still there.
    expect(await runOnce()).toBe('hello from /tmp\nkept\nkept\n');
    await second.remove(record.name);
  });

  it('gives a name to exactly one of ten creates racing for it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? first : second).create({ name: 'race', image: 'busybox', command: { process: { args: ['true'] } } })),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as EngineError).code).toBe('NAME_IN_USE');
    }
    expect((await first.list()).containers.filter((container) => container.name === 'race')).toHaveLength(1);
    await first.remove('race');
  });

  it('reports a corrupt record alone: the other containers stay usable, and the broken one is removable', async () => {
    const good = await first.create({ name: 'good', image: 'busybox', command: { process: { args: ['true'] } } });
    const bad = await first.create({ name: 'bad', image: 'busybox', command: { process: { args: ['true'] } } });
    await writeFile(join(first.containerDir(bad.id), 'container.json'), '{not json');
    const { containers, broken } = await second.list();
    expect(containers.map((container) => container.name)).toContain('good');
    expect(broken.map((entry) => [entry.id, entry.error.code])).toEqual([[bad.id, 'CORRUPT_RECORD']]);
    expect(broken[0]!.error.message).toContain(join(first.containerDir(bad.id), 'container.json'));
    await second.destroy(bad.id, 'bad');
    await second.remove(good.id);
    expect((await second.list()).broken).toEqual([]);
  });

  it('refuses what cannot be a container with a code naming the value, and leaves nothing', async () => {
    expect(await codeOf(first.create({ name: 'bad name!', image: 'busybox', command: { process: { args: ['true'] } } }))).toBe(
      'INVALID_NAME: Invalid container name ("bad name!"), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed',
    );
    expect(await codeOf(first.create({ image: 'nosuch:1', command: { process: { args: ['true'] } } }))).toMatch(/^NO_SUCH_IMAGE: No such image: nosuch:1 /);
    await mkdir(join(base, 'empty-root'));
    expect(await codeOf(first.create({ rootfs: join(base, 'empty-root'), command: { process: { args: [] } } }))).toBe(
      'INVALID_REQUEST: no command specified: the root filesystem has no default command, give one after it',
    );
    expect((await first.list()).containers).toEqual([]);
    expect(readdirSync(join(base, 'data', 'names'))).toEqual([]);
  });
});
