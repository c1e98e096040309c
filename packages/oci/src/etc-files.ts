// The per-container /etc/hosts, /etc/resolv.conf and /etc/hostname Docker writes and bind-mounts.
// Pure content builders: the caller writes the files (one set per container) and passes their
// host paths to createRuntimeSpec as `etcFiles`.
import { OciError } from './errors.js';

/** The container's network namespace, as the /etc files see it: its own ('new'/'none'), the host's, or another container's. */
export type EtcNetworkMode = 'new' | 'none' | 'host' | 'container';

/** Docker's fallback nameservers when no usable one is left in the host's resolv.conf. */
export const defaultNameservers: readonly string[] = ['8.8.8.8', '8.8.4.4'];

/** Docker's fixed /etc/hosts entries for a container with its own network namespace. */
function defaultHostsEntries(): [string, string][] {
  return [
    ['127.0.0.1', 'localhost'],
    ['::1', 'localhost ip6-localhost ip6-loopback'],
    ['fe00::0', 'ip6-localnet'],
    ['ff00::0', 'ip6-mcastprefix'],
    ['ff02::1', 'ip6-allnodes'],
    ['ff02::2', 'ip6-allrouters'],
  ];
}

/**
 * /etc/hosts for a container. With the host network: the host's /etc/hosts text as it is (as
 * Docker). Otherwise Docker's localhost and IPv6 lines plus `127.0.0.1 <fqdn> <hostname>`, so the
 * hostname resolves in a namespace that has only loopback. For 'container' the caller would
 * rather bind that container's own file; this builds the same content as 'new' for `hostname`.
 * @throws OciError INVALID_OPTIONS when the host network is asked for without `hostHosts`.
 */
export function hostsFileContent(input: { hostname: string; domainname?: string; network: EtcNetworkMode; hostHosts?: string }): string {
  if (input.network === 'host') {
    if (input.hostHosts === undefined) {
      throw new OciError('INVALID_OPTIONS', "hostsFileContent: network 'host' uses the host's /etc/hosts, but hostHosts was not given", { field: 'hostHosts' });
    }
    return input.hostHosts;
  }
  const names = input.domainname === undefined ? input.hostname : `${input.hostname}.${input.domainname} ${input.hostname}`;
  return [...defaultHostsEntries(), ['127.0.0.1', names]].map(([address, hostNames]) => `${address}\t${hostNames}\n`).join('');
}

/** `nameserver 127.x.x.x` or `nameserver ::1`: useless inside a container's own network namespace. */
const localhostNameserver = /^\s*nameserver\s+(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)\s*(#.*)?$/;
const anyNameserver = /^\s*nameserver\s+\S+/;

/**
 * /etc/resolv.conf for a container. With the host network: the host's text as it is. Otherwise
 * Docker's rule: localhost nameservers (127.0.0.0/8, ::1) are dropped, everything else (search,
 * domain, options, comments) kept, and when no nameserver is left Docker's 8.8.8.8 and 8.8.4.4
 * are added.
 */
export function resolvConfContent(input: { hostResolvConf: string; network: EtcNetworkMode }): string {
  if (input.network === 'host') return input.hostResolvConf;
  const lines = input.hostResolvConf.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const kept = lines.filter((line) => !localhostNameserver.test(line));
  if (!kept.some((line) => anyNameserver.test(line))) kept.push(...defaultNameservers.map((address) => `nameserver ${address}`));
  return kept.map((line) => `${line}\n`).join('');
}

/** /etc/hostname: the name and a newline. */
export function hostnameFileContent(hostname: string): string {
  return `${hostname}\n`;
}
