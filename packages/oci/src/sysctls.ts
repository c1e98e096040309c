import { OciError } from './errors.js';

/** IPC sysctls: these live in the IPC namespace. */
function isIpcSysctl(key: string): boolean {
  return key.startsWith('kernel.shm') || key.startsWith('kernel.msg') || key === 'kernel.sem' || key.startsWith('fs.mqueue.');
}

/**
 * Checks and normalises the Command's sysctls (slashes become dots). Only namespaced sysctls may be
 * set: net.* (network namespace) and the IPC ones (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*).
 * @throws OciError SYSCTL_NOT_NAMESPACED, SYSCTL_HOST_NETWORK (net.* with the host network) or
 *   SYSCTL_HOST_IPC (an IPC sysctl with the host IPC namespace), naming the key.
 */
export function toOciSysctls(sysctls: Readonly<Record<string, string>>, context: { hostNetwork: boolean; hostIpc: boolean }): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(sysctls)) {
    const key = rawKey.replaceAll('/', '.');
    const field = `sysctls.${rawKey}`;
    if (key.startsWith('net.')) {
      if (context.hostNetwork) {
        throw new OciError('SYSCTL_HOST_NETWORK', `sysctl ${rawKey} cannot be set with the host network: it would change the host`, { field, value: rawKey });
      }
    } else if (isIpcSysctl(key)) {
      if (context.hostIpc) {
        throw new OciError('SYSCTL_HOST_IPC', `sysctl ${rawKey} cannot be set with the host IPC namespace: it would change the host`, { field, value: rawKey });
      }
    } else {
      throw new OciError(
        'SYSCTL_NOT_NAMESPACED',
        `sysctl ${rawKey} is not namespaced: only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* can be set per container`,
        { field, value: rawKey },
      );
    }
    result[key] = value;
  }
  return result;
}
