import { execFileSync } from 'node:child_process';
import { appendFile, lstat, mkdtemp, mkdir, readFile, readlink, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from './errors.js';
import { tarFailure, type ImportProgress } from './import-tarball.js';
import { ImageStore, type ImageUser } from './store.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImageError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'resolved';
}

describe('ImageStore (real files)', () => {
  let base: string;
  let store: ImageStore;
  let tarball: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'execdriver-images-'));
    store = new ImageStore({ root: join(base, 'images') });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const references = async () => (await store.list()).images.flatMap((image) => image.references).sort();

  it('makes busybox from the host busybox on first use, once, under every name Docker gives it', async () => {
    const made = await Promise.all(['busybox', 'busybox:latest', 'library/busybox', 'docker.io/library/busybox:latest'].map((reference) => store.require(reference)));
    expect(new Set(made.map((image) => image.id)).size).toBe(1);
    const rootfs = made[0]!.rootfs;
    expect(await readlink(join(rootfs, 'bin/sh'))).toBe('/bin/busybox');
    expect((await stat(join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readFile(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:.*\nnobody:x:65534:65534:/ms);
    expect(made[0]!.config.Cmd).toEqual(['sh']);
    expect(made[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(execFileSync(join(rootfs, 'bin/busybox'), ['echo', 'ok']).toString()).toBe('ok\n');
    expect(await references()).toEqual(['docker.io/library/busybox:latest']);
    // The racing builders' copies are gone: one image directory, no temporaries.
    expect((await readdir(store.root)).filter((entry) => entry !== 'refs')).toEqual([made[0]!.id]);
    // By id, sha256:id and a short prefix too.
    for (const reference of [made[0]!.id, `sha256:${made[0]!.id}`, made[0]!.id.slice(0, 12)]) expect((await store.get(reference))?.id).toBe(made[0]!.id);
    // Private to root.
    expect((await stat(store.root)).mode & 0o777).toBe(0o700);
  });

  it('says in one line that an image is not local', async () => {
    expect(await codeOf(store.require('alpine'))).toBe('NO_SUCH_IMAGE: No such image: alpine:latest (not local, and execdriver pulls from no registry: import a root filesystem with "execdriver import FILE alpine:latest")');
    expect(await codeOf(store.require('ghcr.io/o/r:1'))).toContain('No such image: ghcr.io/o/r:1 ');
  });

  it('imports a gzip tarball with progress and --change config, tags and untags it', async () => {
    const busybox = await store.require('busybox');
    tarball = join(base, 'export.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', busybox.rootfs, '.']);
    const progress: ImportProgress[] = [];
    const image = await store.import({ path: tarball }, 'mybox:1.0', { onProgress: (entry) => progress.push(entry), changes: ['CMD ["echo", "hi"]', 'ENV A=1', 'WORKDIR /tmp', 'LABEL x=y'] });
    expect(image.references).toEqual(['docker.io/library/mybox:1.0']);
    expect(image.config).toEqual({ Cmd: ['echo', 'hi'], Env: ['A=1'], WorkingDir: '/tmp', Labels: { x: 'y' } });
    expect((await lstat(join(image.rootfs, 'bin/busybox'))).isFile()).toBe(true);
    expect(progress.at(-1)).toEqual({ readBytes: (await stat(tarball)).size, totalBytes: (await stat(tarball)).size });
    await store.tag('mybox:1.0', 'registry.local:5000/team/mybox:v2');
    expect((await store.get('registry.local:5000/team/mybox:v2'))?.id).toBe(image.id);
    // One of two references: only untagged, whoever uses it.
    const user: ImageUser = { id: 'c'.repeat(64), imageId: image.id, running: true };
    expect(await store.remove('mybox:1.0', { users: [user] })).toEqual({ untagged: ['mybox:1.0'], deleted: [] });
    // The last one: Docker's conflicts.
    expect(await codeOf(store.remove('registry.local:5000/team/mybox:v2', { users: [user] }))).toBe(`IMAGE_IN_USE: conflict: unable to remove repository reference "registry.local:5000/team/mybox:v2" (must force) - container cccccccccccc is using its referenced image ${image.id.slice(0, 12)}`);
    expect(await codeOf(store.remove('registry.local:5000/team/mybox:v2', { users: [user], force: true }))).toBe(`IMAGE_IN_USE: conflict: unable to delete ${image.id.slice(0, 12)} (cannot be forced) - image is being used by running container cccccccccccc`);
    // Forced with a stopped user: untagged, kept dangling for it, then removed once unused.
    const stopped = { ...user, running: false };
    expect(await store.remove('registry.local:5000/team/mybox:v2', { users: [stopped], force: true })).toEqual({ untagged: ['registry.local:5000/team/mybox:v2'], deleted: [] });
    expect((await store.get(image.id))?.references).toEqual([]);
    expect(await store.removeIfUnused(image.id, [stopped])).toBe(false);
    expect(await store.removeIfUnused(image.id, [])).toBe(true);
    expect(await store.get(image.id)).toBeUndefined();
    expect(await codeOf(store.remove('mybox:1.0'))).toBe('NO_SUCH_IMAGE: No such image: mybox:1.0');
  });

  it('imports from a stream, untagged (dangling), and refuses an id with several references', async () => {
    const stream = new PassThrough();
    stream.end(await readFile(tarball));
    const image = await store.import({ stream, name: '-' }, undefined);
    expect(image.references).toEqual([]);
    await store.tag(image.id, 'a:1');
    await store.tag(image.id, 'b:1');
    expect(await codeOf(store.remove(image.id))).toBe(`IMAGE_IN_USE: conflict: unable to delete ${image.id.slice(0, 12)} (must be forced) - image is referenced in multiple repositories`);
    expect(await store.remove(image.id.slice(0, 12), { force: true })).toEqual({ untagged: ['a:1', 'b:1'], deleted: [image.id] });
  });

  it('rejects a file that is not a tarball and leaves nothing behind', async () => {
    const bogus = join(base, 'bogus.tar');
    await writeFile(bogus, 'not a tarball\n');
    expect(await codeOf(store.import({ path: bogus }, 'bogus'))).toBe(`IMPORT_FAILED: ${bogus} does not look like a tar archive (plain or gzip)`);
    expect(await codeOf(store.import({ path: join(base, 'missing.tar') }, 'bogus'))).toBe(`IMPORT_FAILED: cannot import ${join(base, 'missing.tar')}: no such file`);
    expect(await references()).toEqual(['docker.io/library/busybox:latest']);
    expect((await readdir(store.root)).filter((entry) => entry.startsWith('.'))).toEqual([]);
  });

  it('reports a corrupt record for that image alone, and cleans a dead importer\'s temporary directory', async () => {
    const broken = join(store.root, 'e'.repeat(64));
    await mkdir(broken);
    await writeFile(join(broken, 'image.json'), '{garbage');
    await mkdir(join(store.root, '.tmp-999999999-abc'));
    const listed = await store.list();
    expect(listed.images.flatMap((image) => image.references)).toEqual(['docker.io/library/busybox:latest']);
    expect(listed.broken.map((entry) => [entry.id, entry.error.code])).toEqual([['e'.repeat(64), 'CORRUPT_IMAGE']]);
    expect(listed.broken[0]!.error.message).toContain(join(broken, 'image.json'));
    expect((await readdir(store.root)).filter((entry) => entry.startsWith('.'))).toEqual([]);
    await rm(broken, { recursive: true });
  });

  it('imports a plain tarball 10 times in a row although tar exits before its trailing padding is read', async () => {
    const busybox = await store.require('busybox');
    const padded = join(base, 'padded.tar');
    execFileSync('tar', ['-cf', padded, '-C', busybox.rootfs, '.']);
    // Zeros after the end-of-archive marker, as blocking factors and `docker export` leave: GNU tar stops before them.
    await appendFile(padded, Buffer.alloc(1024 * 1024));
    const size = (await stat(padded)).size;
    for (let round = 0; round < 10; round += 1) {
      const progress: ImportProgress[] = [];
      const image = await store.import({ path: padded }, `padded:${round}`, { onProgress: (entry) => progress.push(entry) });
      expect((await lstat(join(image.rootfs, 'bin/busybox'))).isFile(), `round ${round}`).toBe(true);
      expect(progress.at(-1), `round ${round}`).toEqual({ readBytes: size, totalBytes: size });
      await store.remove(`padded:${round}`);
    }
    expect(await references()).toEqual(['docker.io/library/busybox:latest']);
  });
});

describe('tarFailure', () => {
  it.each([
    ['tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n', 2, '/x does not look like a tar archive (plain or gzip)'],
    ['tar: ./etc: Cannot mkdir: No space left on device\ntar: Exiting with failure status due to previous errors\n', 2, 'tar could not extract /x: ./etc: Cannot mkdir: No space left on device'],
    ['', 2, 'tar could not extract /x: exit 2'],
  ])('%j', (stderr, code, message) => {
    expect(tarFailure('/x', stderr, code)).toBe(message);
  });
});
