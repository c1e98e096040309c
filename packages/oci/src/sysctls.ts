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

/**
 * Docker's sysctls for a container with a network namespace of its own (network 'new' or 'none';
 * never the host's or a joined one): ICMP echo sockets for every group (`ping` without
 * CAP_NET_RAW) and ports below 1024 for every user. Like Docker, the ping range is left out in a
 * user namespace, where the kernel refuses gids the namespace does not map. The Command's own
 * sysctls win over these.
 */
export function defaultNetworkSysctls(context: { userNamespace: boolean }): Record<string, string> {
  return {
    ...(context.userNamespace ? {} : { 'net.ipv4.ping_group_range': '0 2147483647' }),
    'net.ipv4.ip_unprivileged_port_start': '0',
  };
}
