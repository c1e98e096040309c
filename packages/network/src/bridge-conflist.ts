import type { CniConfigList } from './cni-types.js';
import type { NetworkRecord } from './network-store.js';

export const cniVersion = '1.0.0';

/**
 * The conflist of a bridge network: `bridge` with `host-local` IPAM (its files under
 * `ipamDir`) and `portmap` for published ports (SNAT on, so 127.0.0.1 works through
 * route_localnet). Forwarding and masquerading are the network's own rules, made once per network
 * (bridge-rules.ts), not per container by `ipMasq` and `firewall`. An internal network has no
 * default route.
 */
export function bridgeConflist(network: NetworkRecord, ipamDir: string, options: { ports?: boolean } = {}): CniConfigList {
  return {
    cniVersion,
    name: network.name,
    plugins: [
      {
        type: 'bridge',
        bridge: network.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: network.subnet, gateway: network.gateway }]],
          routes: network.internal ? [] : [{ dst: '0.0.0.0/0' }],
          dataDir: ipamDir,
        },
      },
      // Only with ports to publish: one plugin (and its iptables calls) less on each ADD and DEL.
      ...(options.ports === false ? [] : [{ type: 'portmap', capabilities: { portMappings: true }, snat: true }]),
    ],
  };
}

/** Brings the namespace's `lo` up. */
export function loopbackConflist(): CniConfigList {
  return { cniVersion, name: 'loopback', plugins: [{ type: 'loopback' }] };
}
