// A container on bridge networks: what its record keeps of `--network`, `-p`, `-P`, `--expose`,
// `--add-host` and `--dns*`, the namespace prepared before its start and released after, and
// Docker's NetworkSettings.
import type { StartOptions } from '@execdriver/driver';
import { formatBinding, NetworkError, parseExposed, resolvConfWith, type Attachment, type NetworkJoin, type NetworkManager, type PortBinding, type PortRequest } from '@execdriver/network';
import type { Command } from '@execdriver/spec';
import type { ContainerRecord } from './record.js';
import { isActive } from './container.js';
import type { Engine } from './engine.js';

/** What a container asks of bridge networking (absent: none, host, or another container's network). */
export interface ContainerNetworkConfig {
  /** The networks joined at start, the first one's interface eth0 (Docker's NetworkMode is its name). */
  networks: NetworkJoin[];
  /** `-p`. */
  ports: PortRequest[];
  /** `-P`: every exposed port on a free host port. */
  publishAll: boolean;
  /** `--expose` and the image's ExposedPorts: `80/tcp`. */
  exposed: string[];
  /** `--add-host name:ip`. */
  extraHosts: string[];
  dns: { servers: string[]; search: string[]; options: string[] };
}

/** The config as a create request gives it, each network looked up now (Docker refuses an unknown one at create). */
export async function checkNetworkConfig(networks: NetworkManager, config: ContainerNetworkConfig, imageExposed: Record<string, unknown> | undefined): Promise<ContainerNetworkConfig> {
  for (const join of config.networks) await networks.find(join.network);
  const exposed = [...new Set([...Object.keys(imageExposed ?? {}), ...config.exposed].flatMap((spec) => parseExposed(spec).map((port) => `${port.containerPort}/${port.protocol}`)))];
  return { ...config, exposed };
}

/** The ports to publish at start: `-p` ones, and with `-P` each exposed port not already published. */
export function portRequests(config: ContainerNetworkConfig): PortRequest[] {
  const requests = [...config.ports];
  if (config.publishAll) {
    for (const spec of config.exposed) {
      for (const port of parseExposed(spec)) {
        if (!requests.some((request) => request.containerPort === port.containerPort && request.protocol === port.protocol)) {
          requests.push({ containerPort: port.containerPort, protocol: port.protocol, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
        }
      }
    }
  }
  return requests;
}

/**
 * Prepares the network namespace of a container about to start: CNI ADD on each of its
 * networks, published ports; gives the command that joins the namespace and the /etc files
 * naming its address and peers. Nothing to do for a container without bridge networking.
 */
export async function attachContainerNetwork(networks: NetworkManager, record: ContainerRecord): Promise<{ command: Command; etcContent: StartOptions['etcContent'] } | undefined> {
  const config = record.network;
  if (!config) return undefined;
  const attachment = await networks.attach({
    containerId: record.id,
    containerName: record.name,
    hostname: record.command.hostname ?? record.id.slice(0, 12),
    ...(record.command.domainname ? { domainname: record.command.domainname } : {}),
    networks: config.networks,
    ports: portRequests(config),
    extraHosts: config.extraHosts,
  });
  const hosts = await networks.hostsContent(record.id, record.command.domainname ? { domainname: record.command.domainname } : {});
  const { servers, search, options } = config.dns;
  const wantsDns = servers.length + search.length + options.length > 0;
  return {
    command: { ...record.command, namespaces: { ...record.command.namespaces, network: { mode: 'path', path: attachment.netns } } },
    etcContent: { ...(hosts !== undefined ? { hosts } : {}), ...(wantsDns ? { resolvConf: (content: string) => resolvConfWith(content, config.dns) } : {}) },
  };
}

/** `0.0.0.0:8080->80/tcp, 81/tcp`: Docker's PORTS column (published ones, then exposed unpublished). */
export function portsColumn(config: ContainerNetworkConfig | undefined, attachment: Attachment | undefined): string {
  const bound = attachment?.ports ?? [];
  const parts = bound.map(formatBinding);
  if (attachment) for (const spec of config?.exposed ?? []) if (!bound.some((port) => `${port.containerPort}/${port.protocol}` === spec)) parts.push(spec);
  return parts.join(', ');
}

/** Docker's `NetworkSettings.Ports`: every exposed or published port, with its bindings or null. */
export function dockerPorts(config: ContainerNetworkConfig | undefined, bindings: readonly PortBinding[]): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const spec of config?.exposed ?? []) ports[spec] = null;
  for (const binding of bindings) {
    const key = `${binding.containerPort}/${binding.protocol}`;
    ports[key] = [...(ports[key] ?? []), { HostIp: binding.hostIp === '' ? '0.0.0.0' : binding.hostIp, HostPort: String(binding.hostPort) }];
  }
  return ports;
}

/** Docker's `NetworkSettings` of a container: its live attachment when it runs, its networks (unset addresses) when not. */
export function dockerNetworkSettings(record: ContainerRecord, attachment: Attachment | undefined, networkIds: ReadonlyMap<string, string>) {
  const config = record.network;
  const endpoints = attachment?.endpoints ?? [];
  const primary = endpoints.find((endpoint) => endpoint.networkName === 'bridge');
  const networks: Record<string, unknown> = {};
  const mode = record.command.namespaces.network?.mode;
  const names = config ? config.networks.map((join) => join.network) : mode === 'host' ? ['host'] : mode === 'none' || mode === undefined ? ['none'] : [];
  for (const name of names) {
    const endpoint = endpoints.find((candidate) => candidate.networkName === name || candidate.networkId === name);
    const aliases = config?.networks.find((join) => join.network === name)?.aliases ?? [];
    networks[endpoint?.networkName ?? name] = {
      IPAMConfig: null,
      Links: null,
      Aliases: name === 'bridge' || !config ? null : [...aliases],
      NetworkID: endpoint?.networkId ?? networkIds.get(name) ?? '',
      EndpointID: endpoint ? `${record.id.slice(0, 32)}${endpoint.networkId.slice(0, 32)}` : '',
      Gateway: endpoint?.gateway ?? '',
      IPAddress: endpoint?.ipAddress ?? '',
      IPPrefixLen: endpoint?.prefixLength ?? 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: endpoint?.macAddress ?? '',
      DriverOpts: null,
    };
  }
  return {
    Bridge: '',
    SandboxID: attachment ? record.id : '',
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    Ports: config ? dockerPorts(config, attachment?.ports ?? []) : {},
    SandboxKey: attachment?.netns ?? '',
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: primary ? `${record.id.slice(0, 32)}${primary.networkId.slice(0, 32)}` : '',
    Gateway: primary?.gateway ?? '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: primary?.ipAddress ?? '',
    IPPrefixLen: primary?.prefixLength ?? 0,
    IPv6Gateway: '',
    MacAddress: primary?.macAddress ?? '',
    Networks: networks,
  };
}

/**
 * `network connect`: the container joins another network; at once when it runs (another
 * interface), at its next start otherwise. @throws NetworkError ALREADY_CONNECTED, INVALID_NETWORK, NO_SUCH_NETWORK
 */
export async function connectContainer(engine: Engine, reference: string, network: string, aliases: readonly string[] = []): Promise<void> {
  const container = await engine.find(reference);
  const target = await engine.networks.find(network);
  const config = container.record.network;
  if (!config || target.driver !== 'bridge') {
    throw new NetworkError('INVALID_NETWORK', `container ${container.name} cannot be connected to network ${target.name}: only bridge networks, and containers on bridge networks, can be connected`, { network: target.name });
  }
  const networkNames = new Map((await engine.networks.list()).flatMap((record) => [[record.name, record.id], [record.id, record.id]]));
  if (config.networks.some((join) => networkNames.get(join.network) === target.id)) throw new NetworkError('ALREADY_CONNECTED', `endpoint with name ${container.name} already exists in network ${target.name}`, { network: target.name });
  if (isActive(container)) await engine.networks.connect(container.id, target.name, aliases);
  config.networks.push({ network: target.name, aliases: [...aliases] });
  await engine.records.write(container.record);
}

/** `network disconnect`. @throws NetworkError NOT_CONNECTED */
export async function disconnectContainer(engine: Engine, reference: string, network: string): Promise<void> {
  const container = await engine.find(reference);
  const target = await engine.networks.find(network);
  const config = container.record.network;
  const networkNames = new Map((await engine.networks.list()).flatMap((record) => [[record.name, record.id], [record.id, record.id]]));
  const index = config?.networks.findIndex((join) => networkNames.get(join.network) === target.id) ?? -1;
  if (!config || index === -1) throw new NetworkError('NOT_CONNECTED', `container ${container.name} is not connected to network ${target.name}`, { network: target.name });
  if (isActive(container)) await engine.networks.disconnect(container.id, target.name);
  config.networks.splice(index, 1);
  await engine.records.write(container.record);
}
