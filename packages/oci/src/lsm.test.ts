import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectLsm } from './lsm.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'execdriver-oci-lsm-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function sysTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(scratch, 'sys-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

describe('detectLsm', () => {
  test.each([
    [{}, { apparmor: false, selinux: false }],
    [{ 'module/apparmor/parameters/enabled': 'Y\n', 'kernel/security/apparmor/profiles': '' }, { apparmor: true, selinux: false }],
    // The module is built in but AppArmor is not the running LSM (no securityfs entry): off, as runc sees it.
    [{ 'module/apparmor/parameters/enabled': 'Y\n' }, { apparmor: false, selinux: false }],
    [{ 'module/apparmor/parameters/enabled': 'N\n' }, { apparmor: false, selinux: false }],
    [{ 'fs/selinux/enforce': '0' }, { apparmor: false, selinux: true }],
    [{ 'module/apparmor/parameters/enabled': 'Y', 'kernel/security/apparmor/profiles': '', 'fs/selinux/enforce': '1' }, { apparmor: true, selinux: true }],
  ])('%o -> %o', async (files, expected) => {
    expect(await detectLsm({ sysRoot: await sysTree(files) })).toEqual(expected);
  });

  test('this host has neither', async () => {
    expect(await detectLsm()).toEqual({ apparmor: false, selinux: false });
  });

  test('an unreadable file is READ_FAILED, not "disabled"', async () => {
    const root = await sysTree({});
    // A directory where the file should be: reading it fails with EISDIR.
    await mkdir(join(root, 'module/apparmor/parameters/enabled'), { recursive: true });
    await chmod(root, 0o755);
    await expect(detectLsm({ sysRoot: root })).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringContaining('module/apparmor/parameters/enabled') });
  });
});
