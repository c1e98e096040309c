import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deviceRule, resolveDevices, splitDeviceNumber } from './devices.js';
import { OciError } from './errors.js';
import { testCommand } from './__fixtures__/harness.js';

let devRoot: string;
beforeAll(async () => {
  devRoot = await mkdtemp(join(tmpdir(), 'execdriver-oci-dev-'));
  await mkdir(join(devRoot, 'net'));
  // Fixture device nodes (the tests run as root): a char device, a block device with a big minor, a fifo, a file.
  execFileSync('mknod', ['-m', '0620', join(devRoot, 'net', 'tun'), 'c', '10', '200']);
  execFileSync('mknod', ['-m', '0660', join(devRoot, 'bigblock'), 'b', '259', '300']);
  execFileSync('chown', ['7:8', join(devRoot, 'bigblock')]);
  execFileSync('mkfifo', ['-m', '0644', join(devRoot, 'pipe')]);
  await writeFile(join(devRoot, 'plain'), 'not a device');
});
afterAll(async () => {
  await rm(devRoot, { recursive: true, force: true });
});

describe('resolveDevices', () => {
  test('char, block and fifo nodes become OCI devices at their container paths', async () => {
    const command = testCommand({ devices: [{ path: '/dev/net/tun' }, { path: '/dev/bigblock', containerPath: '/dev/xvda', permissions: 'r' }, { path: '/dev/pipe' }] });
    expect(await resolveDevices(command, { devRoot })).toEqual([
      { type: 'c', path: '/dev/net/tun', major: 10, minor: 200, fileMode: 0o620, uid: 0, gid: 0 },
      { type: 'b', path: '/dev/xvda', major: 259, minor: 300, fileMode: 0o660, uid: 7, gid: 8 },
      { type: 'p', path: '/dev/pipe', major: 0, minor: 0, fileMode: 0o644, uid: 0, gid: 0 },
    ]);
  });

  test('the host /dev/null by default', async () => {
    const [device] = await resolveDevices(testCommand({ devices: [{ path: '/dev/null' }] }));
    expect(device).toMatchObject({ type: 'c', path: '/dev/null', major: 1, minor: 3 });
  });

  test.each([['/dev/missing'], ['/dev/plain']])('%s is DEVICE_NOT_FOUND naming the path', async (path) => {
    const error = await resolveDevices(testCommand({ devices: [{ path: '/dev/net/tun' }, { path }] }), { devRoot }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OciError);
    expect(error).toMatchObject({ code: 'DEVICE_NOT_FOUND', field: 'devices.1.path', value: path });
    expect((error as Error).message).toContain(path);
  });
});

describe('splitDeviceNumber and deviceRule', () => {
  test.each([
    [0x0103n, 1, 3],
    [0x0a_c8n, 10, 200],
    // glibc makedev(259, 300): minor bits above 8 live at 20..
    [(259n << 8n) | (300n & 0xffn) | ((300n & ~0xffn) << 12n), 259, 300],
    // glibc makedev(0x12345, 0xabcde): every bit field used.
    [(0xden) | (0x345n << 8n) | (0xabc00n << 12n) | (0x12000n << 32n), 0x12345, 0xabcde],
  ])('%s -> %i:%i', (rdev, major, minor) => {
    expect(splitDeviceNumber(rdev)).toEqual({ major, minor });
  });

  test('an allow rule for c and b, none for a fifo', () => {
    expect(deviceRule({ type: 'b', path: '/dev/x', major: 8, minor: 0 }, { path: '/dev/x', permissions: 'rw' })).toEqual({ allow: true, type: 'b', major: 8, minor: 0, access: 'rw' });
    expect(deviceRule({ type: 'p', path: '/dev/p' }, { path: '/dev/p', permissions: 'rwm' })).toBeUndefined();
  });
});
