import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGroupInRootfs, readPasswdInRootfs, resolveInRootfs } from './rootfs-path.js';

describe('reading /etc/passwd inside a root filesystem', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ns-rootfs-'));
    // The host side, which must never be read through the rootfs.
    await mkdir(join(dir, 'outside'));
    await writeFile(join(dir, 'outside/passwd'), 'evil:x:0:0:::\n');
    for (const name of ['plain', 'absolute', 'dotdot', 'escape', 'loop', 'missing']) await mkdir(join(dir, name, 'etc'), { recursive: true });
    await writeFile(join(dir, 'plain/etc/passwd'), 'root:x:0:0:::\n');
    await writeFile(join(dir, 'plain/etc/group'), 'root:x:0:\n');
    // /etc/passwd -> /data/passwd (absolute: resolved inside the rootfs)
    await mkdir(join(dir, 'absolute/data'));
    await writeFile(join(dir, 'absolute/data/passwd'), 'inside:x:5:5:::\n');
    await symlink('/data/passwd', join(dir, 'absolute/etc/passwd'));
    // /etc/passwd -> ../../../../outside/passwd: .. stops at the rootfs root
    await symlink('../../../../outside/passwd', join(dir, 'dotdot/etc/passwd'));
    await mkdir(join(dir, 'dotdot/outside'));
    await writeFile(join(dir, 'dotdot/outside/passwd'), 'clamped:x:6:6:::\n');
    // /etc/passwd -> /../outside/passwd with nothing inside: missing, never the host file
    await symlink(join(dir, 'outside/passwd'), join(dir, 'escape/etc/passwd'));
    await symlink('group', join(dir, 'loop/etc/group2'));
    await symlink('group2', join(dir, 'loop/etc/group'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads plain files', async () => {
    expect((await readPasswdInRootfs(join(dir, 'plain'))).map((entry) => entry.name)).toEqual(['root']);
    expect((await readGroupInRootfs(join(dir, 'plain'))).map((entry) => entry.name)).toEqual(['root']);
  });

  it('resolves absolute symlinks inside the rootfs', async () => {
    expect((await readPasswdInRootfs(join(dir, 'absolute'))).map((entry) => entry.name)).toEqual(['inside']);
  });

  it('clamps .. at the rootfs root', async () => {
    expect((await readPasswdInRootfs(join(dir, 'dotdot'))).map((entry) => entry.name)).toEqual(['clamped']);
  });

  it('never follows an absolute host path out of the rootfs', async () => {
    expect(await readPasswdInRootfs(join(dir, 'escape'))).toEqual([]);
    expect(await resolveInRootfs(join(dir, 'escape'), '/etc/passwd')).toBeUndefined();
  });

  it('missing files give [] and symlink loops fail', async () => {
    expect(await readPasswdInRootfs(join(dir, 'missing'))).toEqual([]);
    await expect(readGroupInRootfs(join(dir, 'loop'))).rejects.toMatchObject({ code: 'PATH_RESOLUTION_FAILED' });
  });
});
