import { knownRuntimeNames } from '@execdriver/driver';
import { checkHealthConfig, EngineError, parseLogConfig, parseRestartPolicy, volumeNamePattern, type ContainerNetworkConfig, type CreateRequest, type HealthConfig, type RestartPolicy, type VolumeRequest } from '@execdriver/engine';
import { NetworkError, parseExposed, parseExtraHost, type PortRequest } from '@execdriver/network';
import type { CommandInput, Mount, NetworkSetting } from '@execdriver/spec';
import { DaemonError } from './errors.js';

/** The parts of Docker's `POST /containers/create` body the daemon reads (ContainerConfig + HostConfig). */
export type DockerCreateBody = Record<string, unknown> & { HostConfig?: Record<string, unknown> | null };

type Draft = CreateRequest['command'];

/** Whether a field holds something (not null, 0, '', false, [] or {}): Docker clients send every field, mostly empty. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === 0 || value === '' || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function unsupported(field: string, why: string): DaemonError {
  return new DaemonError('UNSUPPORTED', `${field} is not supported by execdriverd: ${why}`);
}

function bad(field: string, value: unknown, why: string): DaemonError {
  return new DaemonError('BAD_PARAMETER', `invalid ${field} ${JSON.stringify(value)}: ${why}`);
}

function stringList(field: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw bad(field, value, 'expected a list of strings');
}

function numberField(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null || value === 0) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(field, value, 'expected a number');
  return value;
}

/** Sizes as Docker's `--tmpfs size=64m`: bytes, or k/m/g (binary) suffixes. */
export function parseSize(field: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!match) throw bad(field, text, 'expected a size like 64m');
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(match[1]) * 1024 ** power);
}

const propagations = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'] as const;

/** A HostConfig.Binds entry naming a volume: `name:/container[:ro|rw|nocopy]`; undefined for a host path (parseBind). */
export function parseVolumeBind(text: string): VolumeRequest | undefined {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0]!.startsWith('/')) return undefined;
  const [source, destination, options = ''] = parts as [string, string, string?];
  if (!destination.startsWith('/')) throw bad('HostConfig.Binds entry', text, 'the container path must be absolute');
  if (!volumeNamePattern.test(source)) {
    throw bad('HostConfig.Binds entry', text, `${JSON.stringify(source)} includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  const request: VolumeRequest = { source, destination };
  for (const option of options.split(',').filter((part) => part !== '')) {
    if (option === 'ro') request.readonly = true;
    else if (option === 'rw') request.readonly = false;
    else if (option === 'nocopy') request.nocopy = true;
    else if (option === 'z' || option === 'Z' || option === 'consistent' || option === 'cached' || option === 'delegated') continue;
    else throw bad('HostConfig.Binds entry', text, `unknown option ${JSON.stringify(option)} for a volume (ro, rw, nocopy)`);
  }
  return request;
}

/** A HostConfig.Binds entry binding a host path: `/host:/container[:ro|rw][,propagation]` (a volume name: parseVolumeBind). */
export function parseBind(text: string): Mount & { type: 'bind' } {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) throw bad('HostConfig.Binds entry', text, 'expected /host/path:/container/path[:options] or volume:/container/path[:options]');
  const [source, destination, options = ''] = parts as [string, string, string?];
  if (!source.startsWith('/')) throw bad('HostConfig.Binds entry', text, 'the host path must be absolute (or a volume name)');
  if (!destination.startsWith('/')) throw bad('HostConfig.Binds entry', text, 'the container path must be absolute');
  const mount: Mount & { type: 'bind' } = { type: 'bind', source, destination, readonly: false, recursive: true };
  for (const option of options.split(',').filter((part) => part !== '')) {
    if (option === 'ro') mount.readonly = true;
    else if (option === 'rw') mount.readonly = false;
    else if ((propagations as readonly string[]).includes(option)) mount.propagation = option as (typeof propagations)[number];
    else if (option === 'z' || option === 'Z' || option === 'nocopy' || option === 'consistent' || option === 'cached' || option === 'delegated') continue;
    else throw bad('HostConfig.Binds entry', text, `unknown option ${JSON.stringify(option)}`);
  }
  return mount;
}

/** A HostConfig.Tmpfs entry: destination and `size=64m,mode=1777,noexec,...`. */
export function parseTmpfs(destination: string, optionText: string): Mount & { type: 'tmpfs' } {
  const mount: Mount & { type: 'tmpfs' } = { type: 'tmpfs', destination, readonly: false };
  const extra: string[] = [];
  for (const option of optionText.split(',').filter((part) => part !== '')) {
    const [key, value] = option.split('=', 2) as [string, string | undefined];
    if (key === 'size' && value !== undefined) mount.sizeBytes = parseSize(`HostConfig.Tmpfs ${destination} size`, value);
    else if (key === 'mode' && value !== undefined) {
      if (!/^[0-7]{1,4}$/.test(value)) throw bad(`HostConfig.Tmpfs ${destination} mode`, value, 'expected an octal mode like 1777');
      mount.mode = Number.parseInt(value, 8);
    } else if (key === 'ro') mount.readonly = true;
    else if (key === 'rw') mount.readonly = false;
    else extra.push(option);
  }
  if (extra.length > 0) mount.options = extra;
  return mount;
}

function namespaceMode(field: string, text: unknown, newModes: readonly string[]): NonNullable<Draft['namespaces']>['ipc'] | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') throw bad(field, text, 'expected a string');
  if (text === 'host') return { mode: 'host' };
  if (text.startsWith('container:')) return { mode: 'container', container: text.slice('container:'.length) };
  if (newModes.includes(text)) return { mode: 'new' };
  throw bad(field, text, `expected ${[...newModes, 'host', 'container:<name|id>'].join(', ')}`);
}

/**
 * HostConfig.RestartPolicy as Docker checks it at create: `no`/'' (none), `always`,
 * `unless-stopped`, `on-failure` with MaximumRetryCount (0: no limit); a count only with on-failure.
 */
export function toRestartPolicy(value: unknown): RestartPolicy | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('HostConfig.RestartPolicy', value, 'expected { Name, MaximumRetryCount }');
  const { Name: name = '', MaximumRetryCount: count = 0 } = value as { Name?: unknown; MaximumRetryCount?: unknown };
  if (typeof name !== 'string') throw bad('HostConfig.RestartPolicy.Name', name, 'expected no, always, unless-stopped or on-failure');
  if (typeof count !== 'number' || !Number.isInteger(count)) throw bad('HostConfig.RestartPolicy.MaximumRetryCount', count, 'expected a whole number');
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) throw new DaemonError('BAD_PARAMETER', `invalid restart policy '${name}'`);
  if (name !== 'on-failure' && count !== 0) throw new DaemonError('BAD_PARAMETER', `maximum retry count cannot be used with restart policy '${name}'`);
  if (count < 0) throw new DaemonError('BAD_PARAMETER', 'maximum retry count cannot be negative');
  const policy = parseRestartPolicy(name);
  if (policy.name === 'no') return undefined;
  return { ...policy, maximumRetryCount: count };
}

/**
 * HostConfig.LogConfig: json-file (max-size, max-file...) and none as the engine has them;
 * `local` (Docker's other readable driver) as json-file with the same options. Other drivers: the
 * engine's 400 naming them.
 */
export function toLogConfig(value: unknown): CreateRequest['logConfig'] {
  if (value === undefined || value === null) return undefined;
  const { Type: type = '', Config: options } = value as { Type?: unknown; Config?: unknown };
  if (typeof type !== 'string') throw bad('HostConfig.LogConfig.Type', type, 'expected a log driver name');
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) throw bad('HostConfig.LogConfig.Config', options, 'expected an object of strings');
  const list = Object.entries((options ?? {}) as Record<string, unknown>).map(([key, option]) => `${key}=${String(option)}`);
  if (type === '' && list.length === 0) return undefined;
  return parseLogConfig(type === '' || type === 'local' ? 'json-file' : type, list);
}

/** A HostConfig.Mounts entry of Type volume: Source (none: anonymous), Target, ReadOnly, VolumeOptions.NoCopy. */
function volumeMount(entry: Record<string, unknown>, target: string): VolumeRequest {
  if (!target.startsWith('/')) throw bad('HostConfig.Mounts volume Target', target, 'the container path must be absolute');
  const options = (entry.VolumeOptions ?? {}) as { NoCopy?: unknown; DriverConfig?: { Name?: unknown; Options?: unknown } | null; Subpath?: unknown };
  const driver = options.DriverConfig;
  if (driver && ((isSet(driver.Name) && driver.Name !== 'local') || isSet(driver.Options))) {
    throw unsupported(`HostConfig.Mounts volume ${JSON.stringify(target)} VolumeOptions.DriverConfig`, 'volumes use the local driver without options');
  }
  if (isSet(options.Subpath)) throw unsupported(`HostConfig.Mounts volume ${JSON.stringify(target)} VolumeOptions.Subpath`, 'volume subpaths are not available');
  const source = entry.Source;
  if (source !== undefined && source !== null && typeof source !== 'string') throw bad('HostConfig.Mounts volume Source', source, 'expected a volume name');
  return { ...(source ? { source } : {}), destination: target, readonly: entry.ReadOnly === true, nocopy: options.NoCopy === true };
}

function networkValue<T>(field: string, value: unknown, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof NetworkError) throw bad(field, value, error.message);
    throw error;
  }
}

/**
 * Config.Healthcheck as the engine's HealthConfig (absent or null: the image's), checked as dockerd
 * checks it (`Interval in Healthcheck cannot be less than 1ms`).
 * @throws DaemonError BAD_PARAMETER naming the field and value
 */
function healthcheckOf(value: unknown): HealthConfig | undefined {
  if (value === undefined || value === null) return undefined;
  try {
    return checkHealthConfig(value);
  } catch (error) {
    if (error instanceof EngineError) throw new DaemonError('BAD_PARAMETER', error.message, { cause: error });
    throw error;
  }
}

/** HostConfig.PortBindings: `{ "80/tcp": [{ HostIp, HostPort }] }`, HostPort '' (any free port), `8080` or a range `8080-8090`. */
export function toPortRequests(value: unknown): PortRequest[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) throw bad('HostConfig.PortBindings', value, 'expected { "80/tcp": [{ HostIp, HostPort }] }');
  const requests: PortRequest[] = [];
  for (const [key, bindings] of Object.entries(value as Record<string, unknown>)) {
    const ports = networkValue('HostConfig.PortBindings port', key, () => parseExposed(key));
    if (ports.length !== 1) throw bad('HostConfig.PortBindings port', key, 'expected one container port (80/tcp)');
    const { containerPort, protocol } = ports[0]!;
    if (bindings === null || bindings === undefined) continue;
    if (!Array.isArray(bindings)) throw bad(`HostConfig.PortBindings ${key}`, bindings, 'expected a list of { HostIp, HostPort }');
    for (const binding of bindings as { HostIp?: unknown; HostPort?: unknown }[]) {
      const hostIp = typeof binding?.HostIp === 'string' ? binding.HostIp.replace(/^\[|\]$/g, '') : '';
      const hostPort = typeof binding?.HostPort === 'string' ? binding.HostPort : binding?.HostPort === undefined || binding?.HostPort === null ? '' : String(binding.HostPort);
      const match = /^(?:(\d{1,5})(?:-(\d{1,5}))?)?$/.exec(hostPort);
      const start = match?.[1] === undefined ? 0 : Number(match[1]);
      const end = match?.[2] === undefined ? start : Number(match[2]);
      if (!match || start > 65535 || end > 65535 || end < start) throw bad(`HostConfig.PortBindings ${key} HostPort`, hostPort, 'expected a port (1-65535), a range (8080-8090) or empty for any free port');
      requests.push({ containerPort, protocol, hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPortStart: start, hostPortEnd: end });
    }
  }
  return requests;
}

type Endpoint = { Aliases?: unknown; IPAMConfig?: { IPv4Address?: unknown; IPv6Address?: unknown; LinkLocalIPs?: unknown } | null; MacAddress?: unknown; Links?: unknown };

/**
 * The container's network: NetworkMode (default and `bridge`: the engine's default bridge; a
 * user-defined network by name or id; `none`, `host`, `container:<name>`), the other networks and
 * aliases of NetworkingConfig.EndpointsConfig, published ports, exposed ports, extra hosts and DNS.
 */
export function toNetworking(config: DockerCreateBody, host: Record<string, unknown>, warnings: string[]): { setting: NetworkSetting; network?: ContainerNetworkConfig } {
  const mode = host.NetworkMode;
  if (mode !== undefined && mode !== null && typeof mode !== 'string') throw bad('HostConfig.NetworkMode', mode, 'expected a network name or mode');
  const text = !mode || mode === 'default' ? 'bridge' : mode;
  const endpointsValue = (config.NetworkingConfig as { EndpointsConfig?: unknown } | null | undefined)?.EndpointsConfig ?? {};
  if (typeof endpointsValue !== 'object' || endpointsValue === null || Array.isArray(endpointsValue)) throw bad('NetworkingConfig.EndpointsConfig', endpointsValue, 'expected an object of networks');
  const endpoints = endpointsValue as Record<string, Endpoint | null>;
  const aliasesOf = (network: string): string[] => stringList(`NetworkingConfig.EndpointsConfig.${network}.Aliases`, endpoints[network]?.Aliases) ?? [];
  for (const [network, endpoint] of Object.entries(endpoints)) {
    const ipam = endpoint?.IPAMConfig;
    if (ipam && (isSet(ipam.IPv4Address) || isSet(ipam.IPv6Address) || isSet(ipam.LinkLocalIPs))) throw unsupported(`NetworkingConfig.EndpointsConfig.${network}.IPAMConfig`, 'static addresses (--ip) are not available; addresses are leased from the network');
    if (isSet(endpoint?.MacAddress)) throw unsupported(`NetworkingConfig.EndpointsConfig.${network}.MacAddress`, 'MAC addresses are not settable');
    if (isSet(endpoint?.Links)) throw unsupported(`NetworkingConfig.EndpointsConfig.${network}.Links`, unsupportedHostConfig.Links!);
  }
  if (isSet(config.MacAddress)) throw unsupported('Config.MacAddress', 'MAC addresses are not settable');
  let ports = toPortRequests(host.PortBindings);
  const publishAll = host.PublishAllPorts === true;
  const exposedValue = config.ExposedPorts;
  if (exposedValue !== undefined && exposedValue !== null && (typeof exposedValue !== 'object' || Array.isArray(exposedValue))) throw bad('Config.ExposedPorts', exposedValue, 'expected { "80/tcp": {} }');
  const exposed = Object.keys((exposedValue ?? {}) as Record<string, unknown>);
  for (const spec of exposed) networkValue('Config.ExposedPorts port', spec, () => parseExposed(spec));
  const extraHosts = stringList('HostConfig.ExtraHosts', host.ExtraHosts) ?? [];
  for (const entry of extraHosts) networkValue('HostConfig.ExtraHosts entry', entry, () => parseExtraHost(entry));
  const dns = { servers: stringList('HostConfig.Dns', host.Dns) ?? [], search: stringList('HostConfig.DnsSearch', host.DnsSearch) ?? [], options: stringList('HostConfig.DnsOptions', host.DnsOptions) ?? [] };

  const special: NetworkSetting | undefined =
    text === 'none' ? { mode: 'none' } : text === 'host' ? { mode: 'host' } : text.startsWith('container:') ? { mode: 'container', container: text.slice('container:'.length) } : undefined;
  if (special) {
    if (special.mode === 'container' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(special.container)) throw bad('HostConfig.NetworkMode', text, 'expected container:<name|id>');
    if (special.mode === 'host' && (ports.length > 0 || publishAll)) {
      warnings.push('Published ports are discarded when using host network mode');
      ports = [];
    }
    if (ports.length > 0 || publishAll) throw new DaemonError('BAD_PARAMETER', `conflicting options: port publishing and the container type network mode (NetworkMode ${text})`);
    const others = Object.keys(endpoints).filter((network) => network !== text);
    if (others.length > 0) throw new DaemonError('BAD_PARAMETER', `container cannot be connected to network ${JSON.stringify(others[0])} with NetworkMode ${text}`);
    if (aliasesOf(text).length > 0) throw new DaemonError('BAD_PARAMETER', 'network-scoped alias is supported only for containers in user defined networks');
    if (extraHosts.length > 0) throw unsupported(`HostConfig.ExtraHosts with NetworkMode ${text}`, 'extra /etc/hosts entries are written for bridge networks only');
    if (dns.servers.length + dns.search.length + dns.options.length > 0) throw unsupported(`HostConfig.Dns with NetworkMode ${text}`, 'DNS settings are written for bridge networks only');
    return { setting: special };
  }
  const isBridge = (network: string) => network === 'bridge' || network === 'default';
  const networks = [{ network: text, aliases: aliasesOf(text) }];
  for (const network of Object.keys(endpoints)) {
    if (network === text || (isBridge(network) && isBridge(text))) continue;
    if (['none', 'host'].includes(network) || network.startsWith('container:')) throw new DaemonError('BAD_PARAMETER', `container cannot be connected to network ${JSON.stringify(network)} and to ${text}`);
    networks.push({ network: network === 'default' ? 'bridge' : network, aliases: aliasesOf(network) });
  }
  if (isBridge(text) && aliasesOf('default').length > 0) throw new DaemonError('BAD_PARAMETER', 'network-scoped alias is supported only for containers in user defined networks');
  for (const join of networks) if (join.network === 'bridge' && join.aliases.length > 0) throw new DaemonError('BAD_PARAMETER', 'network-scoped alias is supported only for containers in user defined networks');
  const allExposed = [...new Set([...exposed, ...ports.map((port) => `${port.containerPort}/${port.protocol}`)])];
  return { setting: { mode: 'new' }, network: { networks, ports, publishAll, exposed: allExposed, extraHosts, dns } };
}

/** HostConfig fields that change what a container is and that execdriverd does not do (yet): a 400 naming them, never silence. */
const unsupportedHostConfig: Record<string, string> = {
  Links: 'links (legacy container links) are not available; put the containers on a user-defined network, where they resolve each other by name',
  VolumesFrom: "sharing another container's volumes is not available; mount the same named volume (name:/path)",
  UsernsMode: 'per-container user namespace modes are not available; execdriver remaps with --userns-remap',
  DeviceRequests: 'device requests (GPUs) are not available',
  StorageOpt: 'storage options are not available',
  BlkioWeightDevice: 'per-device block I/O settings are not available yet',
  BlkioDeviceReadBps: 'per-device block I/O settings are not available yet',
  BlkioDeviceWriteBps: 'per-device block I/O settings are not available yet',
  BlkioDeviceReadIOps: 'per-device block I/O settings are not available yet',
  BlkioDeviceWriteIOps: 'per-device block I/O settings are not available yet',
  CpuRealtimePeriod: 'realtime CPU scheduling is not available',
  CpuRealtimeRuntime: 'realtime CPU scheduling is not available',
  DeviceCgroupRules: 'device cgroup rules are not available yet',
  Annotations: 'annotations are not available yet',
};

/**
 * Docker's create body (Config + HostConfig) as the engine's create request, and Docker's warnings.
 * Everything read is checked for shape here; the engine then checks the whole Command with the spec.
 * @throws DaemonError BAD_PARAMETER for a wrong value, UNSUPPORTED for a field that matters and is not done
 */
export function toCreateRequest(body: unknown, name: string | undefined): { request: CreateRequest; warnings: string[]; bindSources: string[] } {
  if (typeof body !== 'object' || body === null) throw new DaemonError('BAD_PARAMETER', 'config cannot be empty in order to create a container');
  const config = body as DockerCreateBody;
  const host = (config.HostConfig ?? {}) as Record<string, unknown>;
  const warnings: string[] = [];
  if (typeof config.Image !== 'string' || config.Image === '') throw new DaemonError('BAD_PARAMETER', 'no image given (Config.Image)');

  const healthcheck = healthcheckOf(config.Healthcheck);
  for (const [field, why] of Object.entries(unsupportedHostConfig)) if (isSet(host[field])) throw unsupported(`HostConfig.${field}`, why);
  if (isSet(host.VolumeDriver) && host.VolumeDriver !== 'local') throw unsupported(`HostConfig.VolumeDriver ${JSON.stringify(host.VolumeDriver)}`, 'volumes use the local driver');
  if (isSet(host.Runtime) && !(knownRuntimeNames as readonly string[]).includes(String(host.Runtime))) throw unsupported(`HostConfig.Runtime ${JSON.stringify(host.Runtime)}`, `known runtimes: ${knownRuntimeNames.join(', ')}`);
  const restartPolicy = toRestartPolicy(host.RestartPolicy);
  const logConfig = toLogConfig(host.LogConfig);

  const process: Draft['process'] = { args: stringList('Cmd', config.Cmd) ?? [], env: stringList('Env', config.Env) ?? [] };
  if (isSet(config.WorkingDir)) process.workingDir = String(config.WorkingDir);
  if (isSet(config.User)) process.user = String(config.User);
  if (config.Tty === true) process.tty = true;
  const consoleSize = host.ConsoleSize;
  if (Array.isArray(consoleSize) && consoleSize.length === 2 && consoleSize.every((item) => typeof item === 'number' && item > 0)) {
    process.consoleSize = { height: consoleSize[0] as number, width: consoleSize[1] as number };
  }

  const resources: NonNullable<Draft['resources']> = {};
  const memory = numberField('HostConfig.Memory', host.Memory);
  if (memory !== undefined) resources.memory = memory;
  const swap = numberField('HostConfig.MemorySwap', host.MemorySwap);
  if (swap !== undefined) resources.memorySwap = swap;
  const reservation = numberField('HostConfig.MemoryReservation', host.MemoryReservation);
  if (reservation !== undefined) resources.memoryReservation = reservation;
  const kernelMemory = numberField('HostConfig.KernelMemory', host.KernelMemory);
  if (kernelMemory !== undefined) resources.kernelMemory = kernelMemory;
  const swappiness = host.MemorySwappiness;
  if (typeof swappiness === 'number' && swappiness >= 0) resources.memorySwappiness = swappiness;
  if (host.OomKillDisable === true) resources.oomKillDisable = true;
  const nanoCpus = numberField('HostConfig.NanoCpus', host.NanoCpus);
  if (nanoCpus !== undefined) resources.cpus = nanoCpus / 1e9;
  const shares = numberField('HostConfig.CpuShares', host.CpuShares);
  if (shares !== undefined) resources.cpuShares = shares;
  const period = numberField('HostConfig.CpuPeriod', host.CpuPeriod);
  if (period !== undefined) resources.cpuPeriod = period;
  const quota = numberField('HostConfig.CpuQuota', host.CpuQuota);
  if (quota !== undefined) resources.cpuQuota = quota;
  if (isSet(host.CpusetCpus)) resources.cpusetCpus = String(host.CpusetCpus);
  if (isSet(host.CpusetMems)) resources.cpusetMems = String(host.CpusetMems);
  const weight = numberField('HostConfig.BlkioWeight', host.BlkioWeight);
  if (weight !== undefined) resources.blkioWeight = weight;
  const pids = numberField('HostConfig.PidsLimit', host.PidsLimit);
  if (pids !== undefined && pids > 0) resources.pidsLimit = pids;
  if (isSet(host.Ulimits)) {
    if (!Array.isArray(host.Ulimits)) throw bad('HostConfig.Ulimits', host.Ulimits, 'expected a list');
    resources.ulimits = (host.Ulimits as { Name?: unknown; Soft?: unknown; Hard?: unknown }[]).map((limit) => {
      if (typeof limit.Name !== 'string' || typeof limit.Soft !== 'number' || typeof limit.Hard !== 'number') throw bad('HostConfig.Ulimits entry', limit, 'expected { Name, Soft, Hard }');
      return { name: limit.Name, soft: limit.Soft, hard: limit.Hard };
    });
  }

  const mounts: Mount[] = [];
  const bindSources: string[] = [];
  const volumes: VolumeRequest[] = [];
  for (const text of stringList('HostConfig.Binds', host.Binds) ?? []) {
    const volume = parseVolumeBind(text);
    if (volume) {
      volumes.push(volume);
      continue;
    }
    const mount = parseBind(text);
    mounts.push(mount);
    bindSources.push(mount.source);
  }
  for (const entry of (Array.isArray(host.Mounts) ? host.Mounts : []) as Record<string, unknown>[]) {
    const target = String(entry.Target ?? '');
    if (entry.Type === 'volume') volumes.push(volumeMount(entry, target));
    else if (entry.Type === 'bind') {
      const options = (entry.BindOptions ?? {}) as { Propagation?: string; NonRecursive?: boolean };
      const mount: Mount & { type: 'bind' } = { type: 'bind', source: String(entry.Source ?? ''), destination: target, readonly: entry.ReadOnly === true, recursive: options.NonRecursive !== true };
      if (options.Propagation) mount.propagation = options.Propagation as (typeof propagations)[number];
      mounts.push(mount);
    } else if (entry.Type === 'tmpfs') {
      const options = (entry.TmpfsOptions ?? {}) as { SizeBytes?: number; Mode?: number };
      const mount: Mount & { type: 'tmpfs' } = { type: 'tmpfs', destination: target, readonly: entry.ReadOnly === true };
      if (options.SizeBytes) mount.sizeBytes = options.SizeBytes;
      if (options.Mode) mount.mode = options.Mode;
      mounts.push(mount);
    } else throw unsupported(`HostConfig.Mounts type ${JSON.stringify(entry.Type)}`, 'only bind, volume and tmpfs mounts are available');
  }
  if (isSet(host.Tmpfs)) {
    for (const [destination, options] of Object.entries(host.Tmpfs as Record<string, unknown>)) mounts.push(parseTmpfs(destination, String(options ?? '')));
  }
  // Config.Volumes (`-v /path`, the image's VOLUME as the client saw it): an anonymous volume each, unless something else is mounted there.
  if (isSet(config.Volumes)) {
    if (typeof config.Volumes !== 'object' || Array.isArray(config.Volumes)) throw bad('Config.Volumes', config.Volumes, 'expected an object of container paths');
    const taken = new Set([...mounts.map((mount) => mount.destination), ...volumes.map((volume) => volume.destination)].map((path) => path.replace(/\/+$/, '')));
    for (const destination of Object.keys(config.Volumes as Record<string, unknown>)) {
      if (!destination.startsWith('/')) throw bad('Config.Volumes entry', destination, 'the container path must be absolute');
      if (!taken.has(destination.replace(/\/+$/, ''))) volumes.push({ destination });
    }
  }

  const namespaces: NonNullable<Draft['namespaces']> = {};
  const networking = toNetworking(config, host, warnings);
  namespaces.network = networking.setting;
  const ipc = namespaceMode('HostConfig.IpcMode', host.IpcMode, ['private', 'shareable', 'none']);
  if (ipc) namespaces.ipc = ipc;
  const pid = namespaceMode('HostConfig.PidMode', host.PidMode, ['private']);
  if (pid) namespaces.pid = pid;
  const uts = namespaceMode('HostConfig.UTSMode', host.UTSMode, ['private']);
  if (uts) namespaces.uts = uts;
  const cgroupns = namespaceMode('HostConfig.CgroupnsMode', host.CgroupnsMode, ['private']);
  if (cgroupns) namespaces.cgroup = cgroupns;

  const command: Draft = { process, resources, mounts, namespaces };
  if (isSet(config.Hostname)) command.hostname = String(config.Hostname);
  if (isSet(config.Domainname)) command.domainname = String(config.Domainname);
  if (host.Privileged === true) command.privileged = true;
  if (host.ReadonlyRootfs === true) command.readonlyRootfs = true;
  const capAdd = stringList('HostConfig.CapAdd', host.CapAdd);
  if (capAdd?.length) command.capAdd = capAdd as CommandInput['capAdd'];
  const capDrop = stringList('HostConfig.CapDrop', host.CapDrop);
  if (capDrop?.length) command.capDrop = capDrop as CommandInput['capDrop'];
  const groupAdd = stringList('HostConfig.GroupAdd', host.GroupAdd);
  if (groupAdd?.length) command.groupAdd = groupAdd;
  if (isSet(host.Sysctls)) command.sysctls = host.Sysctls as Record<string, string>;
  if (isSet(host.CgroupParent)) command.cgroupParent = String(host.CgroupParent);
  const oomScoreAdj = numberField('HostConfig.OomScoreAdj', host.OomScoreAdj);
  if (oomScoreAdj !== undefined) command.oomScoreAdj = oomScoreAdj;
  const shmSize = numberField('HostConfig.ShmSize', host.ShmSize);
  if (shmSize !== undefined) command.shmSizeBytes = shmSize;
  if (isSet(host.Devices)) {
    command.devices = (host.Devices as { PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }[]).map((device) => ({
      path: String(device.PathOnHost ?? ''),
      ...(device.PathInContainer ? { containerPath: device.PathInContainer } : {}),
      ...(device.CgroupPermissions ? { permissions: device.CgroupPermissions } : {}),
    }));
  }
  for (const option of stringList('HostConfig.SecurityOpt', host.SecurityOpt) ?? []) {
    const [key, value = ''] = option.split(/[=:]/, 2) as [string, string?];
    if (key === 'no-new-privileges' && (value === '' || value === 'true')) command.noNewPrivileges = true;
    else if (key === 'no-new-privileges' && value === 'false') command.noNewPrivileges = false;
    else if (key === 'seccomp' && value === 'unconfined') command.seccomp = { mode: 'unconfined' };
    else if (key === 'apparmor' && value !== '') command.appArmorProfile = value;
    else throw unsupported(`HostConfig.SecurityOpt ${JSON.stringify(option.slice(0, 60))}`, 'available: no-new-privileges, seccomp=unconfined, apparmor=PROFILE');
  }

  const request: CreateRequest = { image: config.Image, command, autoRemove: host.AutoRemove === true, interactive: config.OpenStdin === true };
  if (config.OpenStdin === true && config.StdinOnce === true) request.stdinOnce = true;
  if (name !== undefined && name !== '') request.name = name;
  if (networking.network) request.network = networking.network;
  if (volumes.length > 0) request.volumes = volumes;
  if (restartPolicy) request.restartPolicy = restartPolicy;
  if (logConfig) request.logConfig = logConfig;
  if (host.Init === true) request.init = true;
  // A pointer in Docker's API: 0 (kill at once) and -1 (no limit) are values, null is "not set".
  if (config.StopTimeout !== undefined && config.StopTimeout !== null) {
    if (typeof config.StopTimeout !== 'number' || !Number.isInteger(config.StopTimeout) || config.StopTimeout < -1) throw bad('Config.StopTimeout', config.StopTimeout, 'expected whole seconds, or -1 for no limit');
    request.stopTimeout = config.StopTimeout;
  }
  const entrypoint = config.Entrypoint;
  if (entrypoint !== undefined && entrypoint !== null) {
    const list = stringList('Entrypoint', entrypoint)!;
    request.entrypoint = list.length === 1 && list[0] === '' ? [] : list;
  }
  if (isSet(config.Labels)) request.labels = config.Labels as Record<string, string>;
  if (isSet(config.StopSignal)) request.stopSignal = String(config.StopSignal);
  if (healthcheck) request.healthcheck = healthcheck;
  if (isSet(host.Runtime)) request.runtime = String(host.Runtime);
  return { request, warnings, bindSources };
}
