import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, link, lstat, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chownTreeToMapping } from './chown-tree.js';

const maps = {
  uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
  gidMappings: [{ containerId: 0, hostId: 200000, size: 65536 }],
};

let dir: string;
let rootfs: string;
let outside: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-chown-'));
  rootfs = join(dir, 'rootfs');
  outside = join(dir, 'outside');
  await writeFile(outside, 'host file');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'home/tester'), { recursive: true });
  await copyFile('/bin/busybox', join(rootfs, 'bin/su'));
  await chmod(join(rootfs, 'bin/su'), 0o4755);
  await copyFile('/bin/busybox', join(rootfs, 'bin/sg'));
  await chmod(join(rootfs, 'bin/sg'), 0o2755);
  await copyFile('/bin/busybox', join(rootfs, 'bin/ping'));
  execFileSync('setcap', ['cap_net_raw=ep', join(rootfs, 'bin/ping')]);
  await writeFile(join(rootfs, 'home/tester/file'), 'x');
  await chown(join(rootfs, 'home/tester/file'), 1000, 100);
  await chown(join(rootfs, 'home/tester'), 1000, 1000);
  await link(join(rootfs, 'home/tester/file'), join(rootfs, 'hardlink'));
  await symlink(outside, join(rootfs, 'escape'));
  await symlink('/', join(rootfs, 'bin/rootlink'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const owner = async (path: string) => {
  const stats = await lstat(path);
  return `${stats.uid}:${stats.gid}`;
};

describe('chownTreeToMapping', () => {
  it('maps owners, keeps setuid/setgid and capabilities, never follows symlinks', async () => {
    const progress: number[] = [];
    const result = await chownTreeToMapping(rootfs, maps, { onProgress: ({ done }) => progress.push(done) });
    // rootfs, bin, home, tester, su, sg, ping, file (= hardlink), escape, rootlink
    expect(result).toEqual({ changed: true, entries: 10, resumed: false });
    expect(progress.at(-1)).toBe(10);
    expect(await owner(rootfs)).toBe('100000:200000');
    expect(await owner(join(rootfs, 'bin/su'))).toBe('100000:200000');
    expect(await owner(join(rootfs, 'home/tester'))).toBe('101000:201000');
    // The hard link was mapped once: 1000 -> 101000, not twice.
    expect(await owner(join(rootfs, 'hardlink'))).toBe('101000:200100');
    expect(await owner(join(rootfs, 'escape'))).toBe('100000:200000');
    expect(await owner(outside)).toBe('0:0');
    expect(await owner('/')).toBe('0:0');
    expect((await stat(join(rootfs, 'bin/su'))).mode & 0o7777).toBe(0o4755);
    expect((await stat(join(rootfs, 'bin/sg'))).mode & 0o7777).toBe(0o2755);
    expect(execFileSync('getcap', [join(rootfs, 'bin/ping')], { encoding: 'utf8' })).toContain('cap_net_raw=ep');
    // The marker is written last; a second call returns at once and changes nothing.
    expect(JSON.parse(await readFile(join(rootfs, '.execdriver-idmap.json'), 'utf8'))).toEqual(maps);
    expect(await chownTreeToMapping(rootfs, maps)).toEqual({ changed: false, entries: 0, resumed: false });
    expect(await owner(rootfs)).toBe('100000:200000');
    await expect(chownTreeToMapping(rootfs, { ...maps, gidMappings: maps.uidMappings })).rejects.toMatchObject({ code: 'ALREADY_MAPPED' });
  });

  it('an unmapped owner fails before anything changes', async () => {
    await chown(join(rootfs, 'home/tester/file'), 70000, 0);
    await expect(chownTreeToMapping(rootfs, maps)).rejects.toThrow(/(home\/tester\/file|hardlink) is owned by 70000:0: container id 70000 is not mapped/);
    expect(await owner(rootfs)).toBe('0:0');
    expect(await owner(join(rootfs, 'bin/su'))).toBe('0:0');
  });

  it('an interrupted call is resumed, nothing mapped twice', async () => {
    for (let index = 0; index < 600; index += 1) await writeFile(join(rootfs, `f${index}`), '');
    const controller = new AbortController();
    let calls = 0;
    await expect(
      chownTreeToMapping(rootfs, maps, {
        signal: controller.signal,
        onProgress: () => {
          calls += 1;
          controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(calls).toBe(1);
    const owners = await Promise.all(Array.from({ length: 600 }, (_, index) => owner(join(rootfs, `f${index}`))));
    const changed = owners.filter((item) => item === '100000:200000').length;
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(600);
    const result = await chownTreeToMapping(rootfs, maps);
    expect(result.resumed).toBe(true);
    expect(result.entries).toBe(610 - 256);
    const after = await Promise.all(Array.from({ length: 600 }, (_, index) => owner(join(rootfs, `f${index}`))));
    expect(new Set(after)).toEqual(new Set(['100000:200000']));
    expect(await owner(join(rootfs, 'home/tester'))).toBe('101000:201000');
    expect((await stat(join(rootfs, 'bin/su'))).mode & 0o7777).toBe(0o4755);
  });

  it('a batch journalled but only partly applied is finished exactly', async () => {
    // Journal says: batch with rootfs/bin/su (orig 0:0, 04755) begun, no done line; su already changed.
    const suStats = await lstat(join(rootfs, 'bin/su'));
    const fileStats = await lstat(join(rootfs, 'home/tester/file'));
    const journal = [
      JSON.stringify(maps),
      JSON.stringify({
        chunk: [
          { key: `${suStats.dev}:${suStats.ino}`, uid: 0, gid: 0, mode: suStats.mode },
          { key: `${fileStats.dev}:${fileStats.ino}`, uid: 1000, gid: 100, mode: fileStats.mode },
        ],
      }),
      '{"chunk":[{"key":"torn',
    ].join('\n');
    await writeFile(join(rootfs, '.execdriver-idmap.json.journal'), journal);
    await chown(join(rootfs, 'bin/su'), 100000, 200000); // applied before the crash (setuid lost)
    const result = await chownTreeToMapping(rootfs, maps);
    expect(result.resumed).toBe(true);
    expect(await owner(join(rootfs, 'bin/su'))).toBe('100000:200000');
    expect((await stat(join(rootfs, 'bin/su'))).mode & 0o7777).toBe(0o4755);
    expect(await owner(join(rootfs, 'hardlink'))).toBe('101000:200100');
  });
});
