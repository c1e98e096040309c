import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFreeRange, resolveUserNamespaceRemap, toIdMaps } from './userns-remap.js';

let prefix: string;
let etc: string;
beforeEach(async () => {
  prefix = await mkdtemp(join(tmpdir(), 'ns-remap-'));
  etc = join(prefix, 'etc');
  await mkdir(etc);
  await writeFile(join(etc, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:::\n');
  await writeFile(join(etc, 'group'), 'root:x:0:\nalice:x:1000:\nstaff:x:50:\n');
  await writeFile(join(etc, 'shadow'), 'root:*:19000:0:99999:7:::\nalice:*:19000:0:99999:7:::\n');
  await writeFile(join(etc, 'gshadow'), 'root:*::\nalice:*::\nstaff:*::\n');
  await writeFile(join(etc, 'subuid'), 'alice:100000:65536\n1000:300000:1000\n');
  await writeFile(join(etc, 'subgid'), 'alice:100000:65536\nstaff:200000:10\n');
});
afterEach(() => rm(prefix, { recursive: true, force: true }));

describe('resolveUserNamespaceRemap', () => {
  it.each([['alice'], ['1000'], ['alice:alice'], ['1000:1000']])('%s: uids from subuid, gids from the group of the same name', async (spec) => {
    const remap = await resolveUserNamespaceRemap(spec, { etcRoot: etc });
    expect(remap.uidMappings).toEqual([
      { containerId: 0, hostId: 100000, size: 65536 },
      { containerId: 65536, hostId: 300000, size: 1000 },
    ]);
    expect(remap.gidMappings).toEqual([{ containerId: 0, hostId: 100000, size: 65536 }]);
    expect([remap.rootUid, remap.rootGid, remap.user, remap.group]).toEqual([100000, 100000, 'alice', 'alice']);
  });

  it('user:group takes the gids of that group', async () => {
    for (const spec of ['alice:staff', '1000:50']) {
      const remap = await resolveUserNamespaceRemap(spec, { etcRoot: etc });
      expect(remap.gidMappings).toEqual([{ containerId: 0, hostId: 200000, size: 10 }]);
      expect(remap.rootGid).toBe(200000);
    }
  });

  it.each([
    ['', 'INVALID_REMAP_SPEC'],
    ['a:b:c', 'INVALID_REMAP_SPEC'],
    ['alice:', 'INVALID_REMAP_SPEC'],
    ['carol', 'USER_NOT_FOUND'],
    ['4242', 'USER_NOT_FOUND'],
    ['alice:nogroup', 'GROUP_NOT_FOUND'],
    ['root', 'NO_SUBORDINATE_IDS'],
    ['alice:root', 'NO_SUBORDINATE_IDS'],
    ['default', 'USER_NOT_FOUND'],
  ])('%j -> %s', async (spec, code) => {
    await expect(resolveUserNamespaceRemap(spec, { etcRoot: etc })).rejects.toMatchObject({ code });
  });

  it('overlapping subordinate ranges are an INVALID_ID_MAP', async () => {
    await writeFile(join(etc, 'subuid'), 'alice:100000:65536\nalice:100010:5\n');
    await expect(resolveUserNamespaceRemap('alice', { etcRoot: etc })).rejects.toMatchObject({ code: 'INVALID_ID_MAP' });
  });

  it('default: builds useradd and usermod arguments (fake run)', async () => {
    const calls: string[][] = [];
    const run = async (command: string, args: readonly string[]) => {
      calls.push([command, ...args]);
      if (command === 'useradd') {
        await writeFile(join(etc, 'passwd'), `${await readFile(join(etc, 'passwd'), 'utf8')}execdriver:x:999:999::/nonexistent:/bin/false\n`);
        await writeFile(join(etc, 'group'), `${await readFile(join(etc, 'group'), 'utf8')}execdriver:x:999:\n`);
      } else {
        await writeFile(join(etc, 'subuid'), `${await readFile(join(etc, 'subuid'), 'utf8')}execdriver:165536:65536\n`);
        await writeFile(join(etc, 'subgid'), `${await readFile(join(etc, 'subgid'), 'utf8')}execdriver:165536:65536\n`);
      }
    };
    const remap = await resolveUserNamespaceRemap('default', { etcRoot: etc, createDefaultUser: true, run });
    expect(calls).toEqual([
      ['useradd', '--prefix', prefix, '--system', '--user-group', '--no-create-home', '--shell', '/bin/false', 'execdriver'],
      // subuid: 100000-165535 and 300000-300999 are taken, subgid: 100000-165535 and 200000-200009.
      ['usermod', '--prefix', prefix, '--add-subuids', '165536-231071', '--add-subgids', '200010-265545', 'execdriver'],
    ]);
    expect(remap.rootUid).toBe(165536);
    // A second call finds everything and runs nothing.
    calls.length = 0;
    await resolveUserNamespaceRemap('default', { etcRoot: etc, createDefaultUser: true, run });
    expect(calls).toEqual([]);
  });

  it('default: a failing useradd is USER_CREATION_FAILED with its stderr', async () => {
    const run = async () => {
      throw Object.assign(new Error('exit 9'), { stderr: 'useradd: user exists\n' });
    };
    await expect(resolveUserNamespaceRemap('default', { etcRoot: etc, createDefaultUser: true, run })).rejects.toThrow(/useradd .* failed: useradd: user exists/);
  });

  it('default: really runs useradd and usermod on a fixture prefix (host /etc untouched)', async () => {
    const before = await Promise.all(['passwd', 'group', 'subuid', 'subgid'].map((name) => readFile(join('/etc', name), 'utf8').catch(() => '')));
    const remap = await resolveUserNamespaceRemap('default', { etcRoot: etc, createDefaultUser: true });
    expect(remap.user).toBe('execdriver');
    expect(remap.uidMappings).toEqual([{ containerId: 0, hostId: 165536, size: 65536 }]);
    expect(remap.gidMappings).toEqual([{ containerId: 0, hostId: 200010, size: 65536 }]);
    expect(await readFile(join(etc, 'passwd'), 'utf8')).toMatch(/^execdriver:x:\d+:\d+:.*:\/bin\/false$/m);
    const after = await Promise.all(['passwd', 'group', 'subuid', 'subgid'].map((name) => readFile(join('/etc', name), 'utf8').catch(() => '')));
    expect(after).toEqual(before);
  });
});

describe('range helpers', () => {
  it('toIdMaps stacks ranges from container id 0', () => {
    expect(toIdMaps([{ owner: 'a', start: 5, count: 2 }, { owner: 'a', start: 100, count: 3 }])).toEqual([
      { containerId: 0, hostId: 5, size: 2 },
      { containerId: 2, hostId: 100, size: 3 },
    ]);
  });

  it.each([
    [[], 100000],
    [[{ owner: 'a', start: 100000, count: 65536 }], 165536],
    [[{ owner: 'a', start: 200000, count: 10 }], 100000],
    [[{ owner: 'a', start: 150000, count: 10 }], 150010],
    [[{ owner: 'a', start: 0, count: 10 }], 100000],
  ])('findFreeRange(%j) = %i', (ranges, start) => {
    expect(findFreeRange(ranges)).toBe(start);
  });
});
