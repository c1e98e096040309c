import { NetworkError } from './errors.js';

/** An IPv4 subnet: its network address as a number and its prefix length. */
export interface Ipv4Subnet {
  network: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1));
}

/** `172.17.0.0/16` -> subnet; the address is masked (`172.17.0.1/16` is 172.17.0.0/16). @throws NetworkError INVALID_SUBNET */
export function parseSubnet(text: string): Ipv4Subnet {
  const [address, prefixText] = text.split('/');
  const value = address === undefined ? undefined : parseIpv4(address);
  const prefix = Number(prefixText);
  if (value === undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText) || prefix > 30 || prefix < 1) {
    throw new NetworkError('INVALID_SUBNET', `invalid subnet ${JSON.stringify(text)}: expected an IPv4 CIDR such as 172.20.0.0/16 (prefix 1-30)`);
  }
  return { network: Number((BigInt(value) & BigInt(mask(prefix))).toString()), prefix };
}

export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefix}`;
}

export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return address >= subnet.network && address < subnet.network + 2 ** (32 - subnet.prefix);
}

export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return subnetContains(a, b.network) || subnetContains(b, a.network);
}

/** The first host address (Docker's default gateway): `.1`. */
export function firstHost(subnet: Ipv4Subnet): string {
  return formatIpv4(subnet.network + 1);
}

/**
 * Docker's default address pools in its order: 172.17-31.0.0/16, then 192.168.0-240.0/20. The
 * first candidate overlapping none of `used` (host routes and addresses, other networks).
 * @throws NetworkError NO_FREE_SUBNET
 */
export function chooseSubnet(used: readonly Ipv4Subnet[], options: { skipDefault?: boolean } = {}): Ipv4Subnet {
  const candidates: Ipv4Subnet[] = [];
  for (let second = options.skipDefault ? 18 : 17; second <= 31; second += 1) candidates.push(parseSubnet(`172.${second}.0.0/16`));
  for (let third = 0; third <= 240; third += 16) candidates.push(parseSubnet(`192.168.${third}.0/20`));
  const free = candidates.find((candidate) => !used.some((other) => subnetsOverlap(candidate, other)));
  if (!free) throw new NetworkError('NO_FREE_SUBNET', 'no free private subnet left in 172.17.0.0/16-172.31.0.0/16 and 192.168.0.0/20-192.168.240.0/20: give one with --subnet');
  return free;
}
