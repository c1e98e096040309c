import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OciError } from './errors.js';
import { needsUserLookup, numericUser, resolveUser } from './user.js';
import { testCommand } from './__fixtures__/harness.js';

let dir: string;
let rootfs: string;
let escaping: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'execdriver-oci-user-'));
  rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'etc'), { recursive: true });
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000::/home/tester:/bin/sh\nnohome:x:1001:1001:::/bin/sh\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\naudio:x:29:tester\nusers:x:100:tester,other\ntester:x:1000:\nstaff:x:50:\n');
  // A rootfs whose /etc/passwd is an absolute symlink: it must resolve inside the rootfs, not to the host's file.
  escaping = join(dir, 'escaping');
  await mkdir(join(escaping, 'etc'), { recursive: true });
  await mkdir(join(escaping, 'data'), { recursive: true });
  await writeFile(join(escaping, 'data/passwd'), 'inside:x:4321:4321::/inside:/bin/sh\n');
  await symlink('/data/passwd', join(escaping, 'etc/passwd'));
  await symlink('../../../../../../etc/real-group', join(escaping, 'etc/group'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const command = (user: string | undefined, groupAdd: string[] = []) => testCommand({ groupAdd, process: user === undefined ? { args: ['id'] } : { args: ['id'], user } });

describe('resolveUser', () => {
  test.each([
    [undefined, [], { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['tester', [], { uid: 1000, gid: 1000, additionalGids: [29, 100], home: '/home/tester' }],
    ['tester:staff', [], { uid: 1000, gid: 50, additionalGids: [], home: '/home/tester' }],
    ['1000', [], { uid: 1000, gid: 1000, additionalGids: [29, 100], home: '/home/tester' }],
    ['1000:7', ['staff', '4242'], { uid: 1000, gid: 7, additionalGids: [50, 4242], home: '/home/tester' }],
    ['5555', [], { uid: 5555, gid: 0, additionalGids: [], home: '/' }],
    ['nohome', [], { uid: 1001, gid: 1001, additionalGids: [], home: '/' }],
  ])('user %s groupAdd %o', async (user, groupAdd, expected) => {
    expect(await resolveUser(command(user, groupAdd), { rootfs })).toEqual(expected);
  });

  test.each([
    ['ghost', [], 'USER_NOT_FOUND', 'process.user', 'ghost'],
    ['tester:ghosts', [], 'GROUP_NOT_FOUND', 'process.user', 'ghosts'],
    ['tester', ['audio', 'nogroup'], 'GROUP_NOT_FOUND', 'groupAdd.1', 'nogroup'],
  ])('%s %o -> %s', async (user, groupAdd, code, field, value) => {
    const error = await resolveUser(command(user, groupAdd), { rootfs }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciError);
    expect(error).toMatchObject({ code, field, value });
    expect((error as Error).message).toContain(value);
  });

  test('symlinked /etc files resolve inside the rootfs, never the host', async () => {
    expect(await resolveUser(command('inside'), { rootfs: escaping })).toEqual({ uid: 4321, gid: 4321, additionalGids: [], home: '/inside' });
    // /etc/group climbs to the rootfs's own /etc/real-group (missing), not the host's: root is unknown there.
    await expect(resolveUser(command('inside:root'), { rootfs: escaping })).rejects.toMatchObject({ code: 'GROUP_NOT_FOUND' });
  });

  test('a rootfs without /etc/passwd knows numeric ids only', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    expect(await resolveUser(command('10:20'), { rootfs: empty })).toEqual({ uid: 10, gid: 20, additionalGids: [], home: '/' });
    await expect(resolveUser(command('root'), { rootfs: empty })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('numericUser and needsUserLookup', () => {
  test.each([
    [undefined, [], false],
    ['1000', [], false],
    ['1000:100', ['29'], false],
    ['tester', [], true],
    ['1000:users', [], true],
    ['1000', ['audio'], true],
  ])('%s %o needs lookup: %s', (user, groupAdd, expected) => {
    expect(needsUserLookup(command(user, groupAdd))).toBe(expected);
  });

  test('numeric ids without files: gid 0 when absent, home /', () => {
    expect(numericUser(command('1000', ['29', '29']))).toEqual({ uid: 1000, gid: 0, additionalGids: [29], home: '/' });
    expect(() => numericUser(command('tester'))).toThrow(OciError);
  });
});
