import { NetworkError } from './errors.js';
import { parseIpv4 } from './cidr.js';

/** Docker's fixed /etc/hosts lines. */
const defaultLines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters'];

/** `--add-host name:ip` (also `name=ip`) as a hosts line. @throws NetworkError INVALID_HOST */
export function parseExtraHost(text: string): { name: string; address: string } {
  const match = /^([^:=\s]+)[:=](.+)$/.exec(text);
  const address = match?.[2]?.replace(/^\[|\]$/g, '');
  if (!match || address === undefined || (parseIpv4(address) === undefined && !/^[0-9a-fA-F:]+$/.test(address))) {
    throw new NetworkError('INVALID_HOST', `invalid argument ${JSON.stringify(text)} for --add-host: expected name:ip`);
  }
  return { name: match[1]!, address };
}

/**
 * /etc/hosts of a container on a bridge network, as Docker writes it: the fixed lines, the
 * `--add-host` entries, the container's own address with its hostname, then its peers on shared
 * user-defined networks (names and aliases; Docker answers those through its DNS server).
 */
export function bridgeHostsContent(input: { hostname: string; domainname?: string; ipAddress: string | undefined; extraHosts: readonly string[]; peers: readonly { ipAddress: string; names: readonly string[] }[] }): string {
  const lines = [...defaultLines];
  for (const entry of input.extraHosts) {
    const { name, address } = parseExtraHost(entry);
    lines.push(`${address}\t${name}`);
  }
  const names = input.domainname ? `${input.hostname}.${input.domainname} ${input.hostname}` : input.hostname;
  lines.push(`${input.ipAddress ?? '127.0.0.1'}\t${names}`);
  for (const peer of input.peers) if (peer.names.length > 0) lines.push(`${peer.ipAddress}\t${[...new Set(peer.names)].join(' ')}`);
  return lines.map((line) => `${line}\n`).join('');
}

/** /etc/resolv.conf with `--dns`, `--dns-search`, `--dns-option` replacing the host's lines of each kind. */
export function resolvConfWith(hostText: string, dns: { servers: readonly string[]; search: readonly string[]; options: readonly string[] }): string {
  const lines = hostText.split('\n').filter((line) => line !== '');
  const kept = lines.filter((line) => {
    if (dns.servers.length > 0 && /^\s*nameserver\s/.test(line)) return false;
    if (dns.search.length > 0 && /^\s*(search|domain)\s/.test(line)) return false;
    if (dns.options.length > 0 && /^\s*options\s/.test(line)) return false;
    return true;
  });
  if (dns.search.length > 0) kept.push(`search ${dns.search.join(' ')}`);
  for (const server of dns.servers) kept.push(`nameserver ${server}`);
  if (dns.options.length > 0) kept.push(`options ${dns.options.join(' ')}`);
  return kept.map((line) => `${line}\n`).join('');
}
