import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listHostDevices } from './host-devices.js';

let devRoot: string;
let outside: string;
beforeAll(async () => {
  devRoot = await mkdtemp(join(tmpdir(), 'execdriver-oci-hostdev-'));
  outside = await mkdtemp(join(tmpdir(), 'execdriver-oci-outside-'));
  const node = (path: string, type: 'c' | 'b', major: number, minor: number, mode = '0660') => execFileSync('mknod', ['-m', mode, join(devRoot, path), type, String(major), String(minor)]);
  for (const dir of ['net', 'pts', 'shm', 'mqueue', 'fd', 'disk/by-id']) await mkdir(join(devRoot, dir), { recursive: true });
  node('null', 'c', 1, 3, '0666');
  node('loop0', 'b', 7, 0);
  node('net/tun', 'c', 10, 200);
  node('console', 'c', 5, 1);
  // Skipped: devices in pts, shm, mqueue; a fifo; a plain file; symlinks to a device and to a directory of devices.
  node('pts/0', 'c', 136, 0);
  node('shm/x', 'c', 1, 5);
  node('mqueue/x', 'c', 1, 7);
  execFileSync('mkfifo', [join(devRoot, 'initctl')]);
  await writeFile(join(devRoot, 'plain'), '');
  await symlink('../loop0', join(devRoot, 'disk/by-id/loop'));
  execFileSync('mknod', ['-m', '0600', join(outside, 'secret'), 'c', '1', '9']);
  await symlink(outside, join(devRoot, 'linked-dir'));
});
afterAll(async () => {
  await rm(devRoot, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('listHostDevices', () => {
  test('char and block nodes at their /dev paths; pts, shm, mqueue, console, fifos, files and symlinks skipped', async () => {
    expect(await listHostDevices({ devRoot })).toEqual([
      { type: 'b', path: '/dev/loop0', major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 0 },
      { type: 'c', path: '/dev/net/tun', major: 10, minor: 200, fileMode: 0o660, uid: 0, gid: 0 },
      { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    ]);
  });

  test("this host's /dev has its null device and no pts entries", async () => {
    const devices = await listHostDevices();
    expect(devices).toContainEqual(expect.objectContaining({ path: '/dev/null', type: 'c', major: 1, minor: 3 }));
    expect(devices.some((device) => device.path.startsWith('/dev/pts/') || device.path === '/dev/console')).toBe(false);
  });

  test('a missing devRoot is READ_FAILED naming it', async () => {
    await expect(listHostDevices({ devRoot: join(devRoot, 'missing') })).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringContaining('missing') });
  });
});
