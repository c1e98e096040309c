import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OciError } from './errors.js';

/** Which Linux security modules the host has enabled, for createRuntimeSpec's `lsm` option. */
export interface LsmSupport {
  apparmor: boolean;
  selinux: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Reads which LSMs are on, as runc decides it (libcontainer/apparmor.IsEnabled): AppArmor when
 * `<sysRoot>/kernel/security/apparmor` exists (securityfs shows AppArmor active) and
 * `<sysRoot>/module/apparmor/parameters/enabled` says `Y` (the module alone is built into many
 * kernels that do not run it: a profile then fails with ENOENT on /proc/self/attr/apparmor/exec);
 * SELinux when `<sysRoot>/fs/selinux/enforce` exists (selinuxfs is mounted).
 * @throws OciError READ_FAILED naming the path when a file exists but cannot be read.
 */
export async function detectLsm(options: { sysRoot?: string } = {}): Promise<LsmSupport> {
  const sysRoot = options.sysRoot ?? '/sys';
  const apparmorPath = join(sysRoot, 'module/apparmor/parameters/enabled');
  const selinuxPath = join(sysRoot, 'fs/selinux/enforce');
  let apparmor = false;
  try {
    apparmor = (await readFile(apparmorPath, 'utf8')).trim().startsWith('Y') && (await exists(join(sysRoot, 'kernel/security/apparmor')));
  } catch (error) {
    if (!isMissing(error)) throw new OciError('READ_FAILED', `cannot read ${apparmorPath}`, { value: apparmorPath, cause: error });
  }
  let selinux = false;
  try {
    await stat(selinuxPath);
    selinux = true;
  } catch (error) {
    if (!isMissing(error)) throw new OciError('READ_FAILED', `cannot stat ${selinuxPath}`, { value: selinuxPath, cause: error });
  }
  return { apparmor, selinux };
}
