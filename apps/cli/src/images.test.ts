import { execFileSync } from 'node:child_process';
import { appendFile, lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusyboxImage, findImage, importImage, listImages, parseImageReference, removeImage, requireImage, tarFailure, type ImportProgress } from './images.js';

describe('parseImageReference', () => {
  it.each([
    ['busybox', 'busybox', 'busybox'],
    ['busybox:latest', 'busybox', 'busybox'],
    ['alpine:3.19', 'alpine:3.19', 'alpine+3.19'],
  ])('%s', (text, reference, directory) => {
    expect(parseImageReference(text)).toEqual({ reference, directory });
  });

  it.each(['Busybox', '', 'a:b:c', '../x', 'a/b'])('rejects %j', (text) => {
    expect(() => parseImageReference(text)).toThrow('invalid image name');
  });
});

describe('image store (real files)', () => {
  let dataRoot: string;
  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'execdriver-cli-images-'));
  });
  afterAll(async () => {
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('makes busybox from the host busybox on first use, atomically', async () => {
    const [first, second] = await Promise.all([requireImage(dataRoot, 'busybox'), requireImage(dataRoot, 'busybox:latest')]);
    expect(first.rootfs).toBe(second.rootfs);
    const rootfs = first.rootfs;
    expect(await readlink(join(rootfs, 'bin/sh'))).toBe('/bin/busybox');
    expect((await stat(join(rootfs, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readFile(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:.*\nnobody:x:65534:65534:/ms);
    expect(first.cmd).toEqual(['sh']);
    expect(execFileSync(join(rootfs, 'bin/busybox'), ['echo', 'ok']).toString()).toBe('ok\n');
    const leftovers = (await listImages(dataRoot)).map((image) => image.reference);
    expect(leftovers).toEqual(['busybox']);
  });

  it('says how to get an image it does not have', async () => {
    await expect(requireImage(dataRoot, 'alpine')).rejects.toThrow('no such image: alpine (import a root filesystem tarball with "execdriver import FILE alpine")');
  });

  it('imports a gzip tarball with progress, and removes it', async () => {
    const busybox = await createBusyboxImage(dataRoot).catch(async () => (await findImage(dataRoot, 'busybox'))!);
    const tarball = join(dataRoot, 'export.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', busybox.rootfs, '.']);
    const progress: ImportProgress[] = [];
    const image = await importImage(dataRoot, tarball, 'mybox:1.0', { onProgress: (entry) => progress.push(entry), cmd: ['sh'] });
    expect(image.reference).toBe('mybox:1.0');
    expect((await lstat(join(image.rootfs, 'bin/busybox'))).isFile()).toBe(true);
    expect(progress.at(-1)).toEqual({ readBytes: (await stat(tarball)).size, totalBytes: (await stat(tarball)).size });
    await expect(importImage(dataRoot, tarball, 'mybox:1.0')).rejects.toThrow('image mybox:1.0 already exists');
    await removeImage(dataRoot, 'mybox:1.0');
    expect(await findImage(dataRoot, 'mybox:1.0')).toBeUndefined();
  });

  it('rejects a file that is not a tarball and leaves nothing behind', async () => {
    const bogus = join(dataRoot, 'bogus.tar');
    execFileSync('sh', ['-c', `echo not a tarball > ${bogus}`]);
    await expect(importImage(dataRoot, bogus, 'bogus')).rejects.toThrow(`cannot make image bogus: ${bogus} does not look like a tar archive (plain or gzip)`);
    expect((await listImages(dataRoot)).map((image) => image.reference)).toEqual(['busybox']);
  });

  it('imports a plain tarball 20 times in a row although tar exits before its trailing padding is read', async () => {
    const busybox = await requireImage(dataRoot, 'busybox');
    const tarball = join(dataRoot, 'padded.tar');
    execFileSync('tar', ['-cf', tarball, '-C', busybox.rootfs, '.']);
    // Zeros after the end-of-archive marker, as blocking factors and `docker export` leave: GNU tar stops before them.
    await appendFile(tarball, Buffer.alloc(1024 * 1024));
    const size = (await stat(tarball)).size;
    for (let round = 0; round < 20; round += 1) {
      const progress: ImportProgress[] = [];
      const image = await importImage(dataRoot, tarball, `padded:${round}`, { onProgress: (entry) => progress.push(entry) });
      expect((await lstat(join(image.rootfs, 'bin/busybox'))).isFile(), `round ${round}`).toBe(true);
      expect(progress.at(-1), `round ${round}`).toEqual({ readBytes: size, totalBytes: size });
      await removeImage(dataRoot, `padded:${round}`);
    }
    expect((await listImages(dataRoot)).map((image) => image.reference)).toEqual(['busybox']);
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
