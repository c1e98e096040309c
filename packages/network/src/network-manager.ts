import { execFile } from 'node:child_process';
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { AttachmentStore, type Attachment, type Endpoint } from './attachment.js';
import { bridgeConflist } from './bridge-conflist.js';
import { ensureBridgeRules, removeBridgeRules } from './bridge-rules.js';
import { chooseSubnet, firstHost, formatSubnet, parseIpv4, parseSubnet, subnetContains, subnetsOverlap, type Ipv4Subnet } from './cidr.js';
import { addNetworkList, deleteNetworkList, type CniListOptions } from './cni-list.js';
import type { CniPortMapping, CniResult } from './cni-types.js';
import { NetworkError } from './errors.js';
import { bridgeHostsContent } from './hosts-file.js';
import { createNetns, deleteNetns } from './netns.js';
import { NetworkStore, newNetworkId, type NetworkRecord } from './network-store.js';
import { freePort, portAvailable, type PortBinding, type PortRequest } from './ports.js';
import { processAlive } from './process-alive.js';

/** `execFile` as a promise, made on first use (the CLI's bundle loads `node:child_process` only then). */
function run(file: string, args: readonly string[], options: { timeout?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
}

export interface NetworkManagerOptions {
  /** `<dataRoot>/networks`: the network records. */
  networksRoot: string;
  /** `<stateRoot>/network`: attachments, namespace files, IPAM files. */
  stateRoot: string;
  /** Where the CNI plugins are (default /usr/lib/cni, then /opt/cni/bin). */
  pluginDirs?: readonly string[];
  /** The default bridge network's host interface (default `execdriver0`). */
  defaultBridge?: string;
  /** The `ip` binary (iproute2), for host routes and bridge removal. */
  ip?: string;
  /** Bound on each plugin call. */
  pluginTimeoutMs?: number;
  /** The `iptables` binary, for each bridge network's forwarding and masquerading rules. */
  iptables?: string;
}

/** A network to join at start: by name or id, with `--network-alias` names. */
export interface NetworkJoin {
  network: string;
  aliases?: string[];
}

export interface AttachRequest {
  containerId: string;
  containerName: string;
  hostname: string;
  domainname?: string;
  networks: NetworkJoin[];
  ports?: PortRequest[];
  extraHosts?: string[];
}

export interface CreateNetworkRequest {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

/** The predefined networks' names, as Docker's. */
export const predefinedNetworks = ['bridge', 'host', 'none'] as const;

/**
 * Networks and the containers on them: records of bridge networks, a network namespace per
 * container prepared with the CNI plugins (ADD before the container starts, DEL when it is done),
 * published ports, and /etc/hosts naming peers on user-defined networks.
 */
export class NetworkManager {
  readonly store: NetworkStore;
  readonly attachments: AttachmentStore;
  readonly #options: NetworkManagerOptions;
  readonly #cni: CniListOptions;

  constructor(options: NetworkManagerOptions) {
    this.#options = options;
    this.store = new NetworkStore(options.networksRoot);
    this.attachments = new AttachmentStore(join(options.stateRoot, 'attachments'));
    this.#cni = { pluginDirs: options.pluginDirs ?? ['/usr/lib/cni', '/opt/cni/bin'], ...(options.pluginTimeoutMs ? { timeoutMs: options.pluginTimeoutMs } : {}) };
  }

  get netnsDir(): string {
    return join(this.#options.stateRoot, 'netns');
  }

  get ipamDir(): string {
    return join(this.#options.stateRoot, 'ipam');
  }

  netnsPath(containerId: string): string {
    return join(this.netnsDir, containerId);
  }

  /** IPv4 subnets the host already routes or has addresses in. */
  async hostSubnets(): Promise<Ipv4Subnet[]> {
    const found: Ipv4Subnet[] = [];
    try {
      const { stdout } = await run(this.#options.ip ?? 'ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { timeout: 10_000 });
      for (const route of JSON.parse(stdout) as { dst?: string; type?: string }[]) {
        if (!route.dst || route.dst === 'default' || (route.type && route.type !== 'unicast')) continue;
        try {
          found.push(parseSubnet(route.dst.includes('/') ? route.dst : `${route.dst}/30`));
        } catch {
          // Host routes and prefixes outside 1-30 say nothing useful here.
        }
      }
    } catch {
      // No iproute2: only our own networks are avoided.
    }
    return found;
  }

  /** bridge, host and none, made on first use (the bridge one on a free subnet). */
  async ensurePredefined(): Promise<void> {
    const existing = new Set((await this.store.list()).filter((record) => record.predefined).map((record) => record.name));
    for (const name of predefinedNetworks) {
      if (existing.has(name)) continue;
      const record: NetworkRecord = { id: newNetworkId(), name, driver: name === 'bridge' ? 'bridge' : name === 'host' ? 'host' : 'null', created: new Date().toISOString(), internal: false, labels: {}, predefined: true };
      if (name === 'bridge') {
        // The host bridge kept from an earlier data root keeps its subnet (as docker0 does).
        const subnet = (await this.#bridgeSubnet(this.#options.defaultBridge ?? 'execdriver0')) ?? chooseSubnet(await this.#usedSubnets());
        Object.assign(record, { subnet: formatSubnet(subnet), gateway: firstHost(subnet), bridge: this.#options.defaultBridge ?? 'execdriver0' });
      }
      try {
        await this.store.create(record);
      } catch (error) {
        if (!(error instanceof NetworkError && error.code === 'NETWORK_EXISTS')) throw error;
      }
    }
  }

  async #bridgeSubnet(bridge: string): Promise<Ipv4Subnet | undefined> {
    try {
      const { stdout } = await run(this.#options.ip ?? 'ip', ['-j', '-4', 'addr', 'show', 'dev', bridge], { timeout: 10_000 });
      const address = (JSON.parse(stdout) as { addr_info?: { local?: string; prefixlen?: number }[] }[])[0]?.addr_info?.[0];
      return address?.local && address.prefixlen ? parseSubnet(`${address.local}/${address.prefixlen}`) : undefined;
    } catch {
      return undefined;
    }
  }

  async #usedSubnets(): Promise<Ipv4Subnet[]> {
    const own = (await this.store.list()).flatMap((record) => (record.subnet ? [parseSubnet(record.subnet)] : []));
    return [...own, ...(await this.hostSubnets())];
  }

  async list(): Promise<NetworkRecord[]> {
    // One listing when the predefined networks are there (every time but the first on a data root).
    const records = await this.store.list();
    const predefined = new Set(records.filter((record) => record.predefined).map((record) => record.name));
    if (predefinedNetworks.every((name) => predefined.has(name))) return records;
    await this.ensurePredefined();
    return this.store.list();
  }

  async find(reference: string): Promise<NetworkRecord> {
    await this.ensurePredefined();
    return this.store.find(reference);
  }

  /** `network create`: a user-defined bridge network. @throws NetworkError NETWORK_EXISTS, INVALID_SUBNET, NO_FREE_SUBNET */
  async create(request: CreateNetworkRequest): Promise<NetworkRecord> {
    await this.ensurePredefined();
    if ((predefinedNetworks as readonly string[]).includes(request.name)) throw new NetworkError('NETWORK_EXISTS', `network with name ${request.name} already exists`, { network: request.name });
    const used = await this.#usedSubnets();
    let subnet: Ipv4Subnet;
    if (request.subnet !== undefined) {
      subnet = parseSubnet(request.subnet);
      const own = (await this.store.list()).find((record) => record.subnet && subnetsOverlap(parseSubnet(record.subnet), subnet));
      if (own) throw new NetworkError('INVALID_SUBNET', `invalid pool request: Pool overlaps with other one on this address space (${request.subnet} and network ${own.name} ${own.subnet})`, { network: request.name });
    } else subnet = chooseSubnet(used, { skipDefault: true });
    let gateway = firstHost(subnet);
    if (request.gateway !== undefined) {
      const value = parseIpv4(request.gateway);
      if (value === undefined || !subnetContains(subnet, value)) throw new NetworkError('INVALID_SUBNET', `invalid gateway ${JSON.stringify(request.gateway)}: not an address of ${formatSubnet(subnet)}`, { network: request.name });
      gateway = request.gateway;
    }
    const id = newNetworkId();
    return this.store.create({
      id,
      name: request.name,
      driver: 'bridge',
      created: new Date().toISOString(),
      internal: request.internal ?? false,
      labels: request.labels ?? {},
      subnet: formatSubnet(subnet),
      gateway,
      bridge: `br-${id.slice(0, 12)}`,
      predefined: false,
    });
  }

  /** `network rm`: a user-defined network nobody is on; its host bridge and IPAM files go too. @throws NetworkError NETWORK_IN_USE, NO_SUCH_NETWORK */
  async remove(reference: string): Promise<NetworkRecord> {
    const record = await this.find(reference);
    if (record.predefined) throw new NetworkError('NETWORK_IN_USE', `${record.name} is a pre-defined network and cannot be removed`, { network: record.name });
    const users = (await this.attachments.list()).filter((attachment) => attachment.endpoints.some((endpoint) => endpoint.networkId === record.id));
    if (users.length > 0) {
      throw new NetworkError('NETWORK_IN_USE', `error while removing network: network ${record.name} id ${record.id} has active endpoints (${users.map((user) => user.containerName).join(', ')})`, { network: record.name });
    }
    await this.store.remove(record);
    await this.#removeBridge(record);
    return record;
  }

  /** Where the note that a bridge's rules were made lives (`<stateRoot>/rules/<bridge>`: gone at reboot, as the rules). */
  #rulesMarker(bridge: string): string {
    return join(this.#options.stateRoot, 'rules', bridge);
  }

  /** Where the locks of rule making live, one file per bridge (`<stateRoot>/rule-locks/<bridge>`: beside the markers, a bridge named `x.lock` would meet `x`'s lock). */
  #rulesLockDir(): string {
    return join(this.#options.stateRoot, 'rule-locks');
  }

  /** The network's forwarding and masquerading rules, made by the first container that joins it (then noted, so later starts make no iptables call). */
  async #ensureRules(record: NetworkRecord): Promise<void> {
    if (!record.bridge || !record.subnet) return;
    const marker = this.#rulesMarker(record.bridge);
    if (await stat(marker).then(() => true, () => false)) return;
    await mkdir(join(this.#options.stateRoot, 'rules'), { recursive: true, mode: 0o700 });
    // Under a lock: the first containers of a network, started at once by several processes, would each add the rules.
    await mkdir(this.#rulesLockDir(), { recursive: true, mode: 0o700 });
    await ensureBridgeRules({ bridge: record.bridge, subnet: record.subnet, internal: record.internal }, this.#options.iptables, join(this.#rulesLockDir(), record.bridge));
    await writeFile(marker, `${record.subnet}\n`, { mode: 0o600 });
  }

  /**
   * Deletes a bridge's host interface and rules (a user-defined network's at `network rm`; the
   * default bridge's only when asked, as `docker0` stays with dockerd).
   */
  async removeBridge(bridge: string): Promise<void> {
    await run(this.#options.ip ?? 'ip', ['link', 'del', bridge], { timeout: 10_000 }).catch(() => undefined);
    await removeBridgeRules(bridge, this.#options.iptables);
    await rm(this.#rulesMarker(bridge), { force: true });
    await rm(join(this.#rulesLockDir(), bridge), { force: true });
  }

  async #removeBridge(record: NetworkRecord): Promise<void> {
    if (record.bridge) await this.removeBridge(record.bridge);
    await rm(join(this.ipamDir, record.name), { recursive: true, force: true });
  }

  /** Containers on a network (from the live attachments). */
  async endpointsOf(networkId: string): Promise<{ attachment: Attachment; endpoint: Endpoint }[]> {
    return (await this.attachments.list()).flatMap((attachment) => attachment.endpoints.filter((endpoint) => endpoint.networkId === networkId).map((endpoint) => ({ attachment, endpoint })));
  }

  async #bindPorts(requests: readonly PortRequest[], containerId: string): Promise<PortBinding[]> {
    const taken = new Set((await this.attachments.list()).filter((other) => other.containerId !== containerId).flatMap((other) => other.ports.map((port) => `${port.protocol}:${port.hostPort}`)));
    const bindings: PortBinding[] = [];
    for (const request of requests) {
      const label = (port: number) => `${request.hostIp === '' ? '0.0.0.0' : request.hostIp}:${port}/${request.protocol}`;
      const usable = async (port: number) => !taken.has(`${request.protocol}:${port}`) && (await portAvailable(request.hostIp, port, request.protocol));
      let hostPort: number | undefined;
      if (request.hostPortStart === 0) {
        for (let attempt = 0; attempt < 20 && hostPort === undefined; attempt += 1) {
          const candidate = await freePort(request.hostIp, request.protocol);
          if (await usable(candidate)) hostPort = candidate;
        }
      } else {
        for (let port = request.hostPortStart; port <= request.hostPortEnd && hostPort === undefined; port += 1) if (await usable(port)) hostPort = port;
      }
      if (hostPort === undefined) {
        const what = request.hostPortStart === request.hostPortEnd ? label(request.hostPortStart) : `${label(request.hostPortStart)}-${request.hostPortEnd}`;
        throw new NetworkError('PORT_IN_USE', `Bind for ${what} failed: port is already allocated`, { port: what });
      }
      taken.add(`${request.protocol}:${hostPort}`);
      bindings.push({ containerPort: request.containerPort, protocol: request.protocol, hostIp: request.hostIp, hostPort });
    }
    return bindings;
  }

  /**
   * Prepares a container's network namespace before it starts: the namespace file, `lo` up,
   * one interface per network (eth0, eth1, ...) through the network's conflist, published ports
   * on the first. The attachment is recorded before anything is made, so a crash at any point
   * leaves something `sweep` releases. On failure everything made is released.
   * @throws NetworkError NO_SUCH_NETWORK, PORT_IN_USE, PLUGIN_NOT_FOUND, PLUGIN_FAILED, NETNS_FAILED
   */
  async attach(request: AttachRequest): Promise<Attachment> {
    await this.release(request.containerId);
    const networks: { record: NetworkRecord; aliases: string[] }[] = [];
    for (const join_ of request.networks) {
      const record = await this.find(join_.network);
      if (record.driver !== 'bridge') throw new NetworkError('INVALID_NETWORK', `network ${record.name} (${record.driver}) is not a bridge network: use --network ${record.name === 'none' ? 'none' : 'host'} alone`, { network: record.name });
      networks.push({ record, aliases: join_.aliases ?? [] });
    }
    for (const { record } of networks) await this.#ensureRules(record);
    const ports = await this.#bindPorts(request.ports ?? [], request.containerId);
    const attachment: Attachment = {
      containerId: request.containerId,
      containerName: request.containerName,
      netns: this.netnsPath(request.containerId),
      hostname: request.hostname,
      endpoints: [],
      ports,
      extraHosts: request.extraHosts ?? [],
      owner: process.pid,
    };
    await this.attachments.write(attachment);
    try {
      await createNetns(attachment.netns, { loopbackUp: true, ...(this.#options.ip ? { ip: this.#options.ip } : {}) });
      for (const [index, { record, aliases }] of networks.entries()) {
        await this.#addEndpoint(attachment, record, `eth${index}`, aliases, index === 0 ? ports : []);
      }
      return attachment;
    } catch (error) {
      await this.release(request.containerId).catch(() => undefined);
      throw error;
    }
  }

  async #addEndpoint(attachment: Attachment, record: NetworkRecord, ifName: string, aliases: readonly string[], ports: readonly PortBinding[]): Promise<Endpoint> {
    const conflist = bridgeConflist(record, this.ipamDir, { ports: ports.length > 0 });
    const capabilityArgs: Record<string, unknown> = {};
    if (ports.length > 0) {
      capabilityArgs.portMappings = ports.map((port) => ({ hostPort: port.hostPort, containerPort: port.containerPort, protocol: port.protocol, ...(port.hostIp ? { hostIP: port.hostIp } : {}) }) satisfies CniPortMapping);
    }
    const runtime = { containerId: attachment.containerId, netns: attachment.netns, ifName, capabilityArgs };
    // Recorded before the ADD: a crash during it still leaves the DEL to run.
    const pending: Endpoint = { networkId: record.id, networkName: record.name, ifName, ipAddress: '', prefixLength: 0, gateway: record.gateway ?? '', macAddress: '', aliases: [attachment.containerName, ...aliases], conflist, result: { cniVersion: conflist.cniVersion }, capabilityArgs };
    attachment.endpoints.push(pending);
    await this.attachments.write(attachment);
    const result = await addNetworkList(conflist, runtime, this.#cni);
    Object.assign(pending, endpointFromResult(result, ifName), { result });
    await this.attachments.write(attachment);
    return pending;
  }

  /** The container runs: the attachment is no longer its starter's, and its /etc/hosts is at `hostsPath`. Peers learn its name. */
  async started(containerId: string, hostsPath: string | undefined): Promise<void> {
    const attachment = await this.attachments.get(containerId);
    if (!attachment) return;
    delete attachment.owner;
    if (hostsPath) attachment.hostsPath = hostsPath;
    await this.attachments.write(attachment);
    await this.#refreshPeers(attachment);
  }

  /** /etc/hosts content for the container: Docker's lines, its address, peers on its user-defined networks. */
  async hostsContent(containerId: string, options: { domainname?: string } = {}): Promise<string | undefined> {
    const all = await this.attachments.list();
    const attachment = all.find((candidate) => candidate.containerId === containerId);
    if (!attachment) return undefined;
    const records = new Map((await this.store.list()).map((record) => [record.id, record]));
    const userNetworks = new Set(attachment.endpoints.filter((endpoint) => records.get(endpoint.networkId)?.predefined === false).map((endpoint) => endpoint.networkId));
    const peers = all
      .filter((other) => other.containerId !== containerId)
      .flatMap((other) => other.endpoints.filter((endpoint) => userNetworks.has(endpoint.networkId) && endpoint.ipAddress !== ''))
      .map((endpoint) => ({ ipAddress: endpoint.ipAddress, names: endpoint.aliases }));
    return bridgeHostsContent({
      hostname: attachment.hostname,
      ...(options.domainname ? { domainname: options.domainname } : {}),
      ipAddress: attachment.endpoints[0]?.ipAddress || undefined,
      extraHosts: attachment.extraHosts,
      peers,
    });
  }

  /** Rewrites, in place, the /etc/hosts of every running container that shares a user-defined network with `changed`. */
  async #refreshPeers(changed: Attachment): Promise<void> {
    const networks = new Set(changed.endpoints.map((endpoint) => endpoint.networkId));
    for (const other of await this.attachments.list()) {
      if (!other.hostsPath || (other.containerId !== changed.containerId && !other.endpoints.some((endpoint) => networks.has(endpoint.networkId)))) continue;
      const content = await this.hostsContent(other.containerId);
      if (content !== undefined) await rewriteInPlace(other.hostsPath, content).catch(() => undefined);
    }
  }

  /** `network connect` of a running container: another interface in its namespace. @throws NetworkError ALREADY_CONNECTED, NOT_CONNECTED (not running) */
  async connect(containerId: string, network: string, aliases: readonly string[] = []): Promise<Endpoint> {
    const attachment = await this.attachments.get(containerId);
    if (!attachment) throw new NetworkError('NOT_CONNECTED', `container ${containerId} has no network namespace of its own (not running, or not on a bridge network)`);
    const record = await this.find(network);
    if (record.driver !== 'bridge') throw new NetworkError('INVALID_NETWORK', `container cannot be connected to network ${record.name} (${record.driver})`, { network: record.name });
    if (attachment.endpoints.some((endpoint) => endpoint.networkId === record.id)) throw new NetworkError('ALREADY_CONNECTED', `endpoint with name ${attachment.containerName} already exists in network ${record.name}`, { network: record.name });
    await this.#ensureRules(record);
    const used = new Set(attachment.endpoints.map((endpoint) => endpoint.ifName));
    let index = 0;
    while (used.has(`eth${index}`)) index += 1;
    const endpoint = await this.#addEndpoint(attachment, record, `eth${index}`, aliases, []).catch(async (error: unknown) => {
      const current = await this.attachments.get(containerId);
      if (current) {
        const failed = current.endpoints.find((candidate) => candidate.networkId === record.id);
        if (failed) await this.#deleteEndpoint(current, failed).catch(() => undefined);
        current.endpoints = current.endpoints.filter((candidate) => candidate.networkId !== record.id);
        await this.attachments.write(current);
      }
      throw error;
    });
    await this.#refreshPeers(attachment);
    return endpoint;
  }

  /** `network disconnect` of a running container. @throws NetworkError NOT_CONNECTED */
  async disconnect(containerId: string, network: string): Promise<void> {
    const attachment = await this.attachments.get(containerId);
    const record = await this.find(network);
    const endpoint = attachment?.endpoints.find((candidate) => candidate.networkId === record.id);
    if (!attachment || !endpoint) throw new NetworkError('NOT_CONNECTED', `container ${containerId} is not connected to network ${record.name}`, { network: record.name });
    await this.#deleteEndpoint(attachment, endpoint);
    attachment.endpoints = attachment.endpoints.filter((candidate) => candidate !== endpoint);
    await this.attachments.write(attachment);
    await this.#refreshPeers({ ...attachment, endpoints: [...attachment.endpoints, endpoint] });
  }

  #deleteEndpoint(attachment: Attachment, endpoint: Endpoint): Promise<void> {
    const prevResult: CniResult | undefined = endpoint.ipAddress === '' ? undefined : endpoint.result;
    return deleteNetworkList(endpoint.conflist, { containerId: attachment.containerId, netns: attachment.netns, ifName: endpoint.ifName, capabilityArgs: endpoint.capabilityArgs }, prevResult, this.#cni);
  }

  /**
   * Releases everything of the container's network: DEL on each network (veth, address,
   * iptables rules, port mappings), the namespace file, and the record. Nothing to release is
   * fine; of two processes releasing one container, one does it.
   */
  async release(containerId: string): Promise<void> {
    const claim = await this.attachments.claim(containerId);
    if (!claim) {
      // Another release is under way (in this process or another): done when it is (bounded).
      for (let waited = 0; waited < 30_000 && (await this.attachments.releasing(containerId)); waited += 50) await sleep(50);
      if (await this.attachments.releasing(containerId)) return;
      // A release its process left half-way (it exited or died meanwhile): finished here.
      for (const { path, attachment } of await this.attachments.abandonedClaims()) {
        if (attachment.containerId !== containerId) continue;
        await this.#releaseClaimed(attachment);
        await rm(path, { force: true });
      }
      // A namespace file without a record (a crash between the two): unmount it.
      await deleteNetns(this.netnsPath(containerId));
      return;
    }
    await this.#releaseClaimed(claim.attachment);
    await claim.done();
  }

  async #releaseClaimed(attachment: Attachment): Promise<void> {
    let first: unknown;
    for (const endpoint of [...attachment.endpoints].reverse()) {
      try {
        await this.#deleteEndpoint(attachment, endpoint);
      } catch (error) {
        first ??= error;
      }
    }
    try {
      await deleteNetns(attachment.netns);
    } catch (error) {
      first ??= error;
    }
    await this.#refreshPeers(attachment).catch(() => undefined);
    if (first !== undefined) throw first;
  }

  /**
   * Releases what is left of containers that are done: attachments whose container is not
   * active (exited, removed, or whose starter died before it ran), releases abandoned half-way,
   * and namespace files with no attachment.
   */
  async sweep(isActive: (containerId: string) => Promise<boolean>): Promise<string[]> {
    const released: string[] = [];
    for (const { path, attachment } of await this.attachments.abandonedClaims()) {
      await this.#releaseClaimed(attachment).catch(() => undefined);
      await rm(path, { force: true });
      released.push(attachment.containerId);
    }
    const attachments = await this.attachments.list();
    for (const attachment of attachments) {
      if (attachment.owner !== undefined && processAlive(attachment.owner)) continue;
      if (await isActive(attachment.containerId)) continue;
      await this.release(attachment.containerId);
      released.push(attachment.containerId);
    }
    const known = new Set(attachments.map((attachment) => attachment.containerId));
    for (const file of await readdir(this.netnsDir).catch(() => [] as string[])) {
      // A release under way has renamed the attachment away: its DEL still needs the namespace (the
      // bridge plugin finds the addresses whose masquerade rules it removes there).
      if (known.has(file) || (await this.attachments.get(file)) || (await this.attachments.releasing(file))) continue;
      await deleteNetns(join(this.netnsDir, file));
      released.push(file);
    }
    return released;
  }
}


/** The container side of an ADD result: the sandbox interface's MAC, the first IPv4 address. */
export function endpointFromResult(result: CniResult, ifName: string): Pick<Endpoint, 'ipAddress' | 'prefixLength' | 'gateway' | 'macAddress'> {
  const interfaceIndex = result.interfaces?.findIndex((candidate) => candidate.sandbox !== undefined && candidate.name === ifName) ?? -1;
  const ip = result.ips?.find((candidate) => interfaceIndex === -1 || candidate.interface === interfaceIndex) ?? result.ips?.[0];
  if (!ip) throw new NetworkError('INVALID_RESULT', `the CNI result for ${ifName} has no IP address`);
  const [address, prefix] = ip.address.split('/');
  return {
    ipAddress: address ?? '',
    prefixLength: Number(prefix ?? 32),
    gateway: ip.gateway ?? '',
    macAddress: interfaceIndex === -1 ? '' : (result.interfaces?.[interfaceIndex]?.mac ?? ''),
  };
}

/**
 * Rewrites a bind-mounted file in place (same inode, so the container sees it) without the
 * window a truncate-then-write opens: the new bytes are written over the old, then the file is
 * cut to their length, so a reader inside the container never finds it empty. Unchanged content
 * is not written at all.
 */
async function rewriteInPlace(path: string, content: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const bytes = Buffer.from(content);
    const current = await handle.readFile();
    if (current.equals(bytes)) return;
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.truncate(bytes.length);
  } finally {
    await handle.close();
  }
}
