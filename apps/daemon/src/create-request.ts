import { knownRuntimeNames } from '@execdriver/driver';
import type { CreateRequest } from '@execdriver/engine';
import type { CommandInput, Mount } from '@execdriver/spec';
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

/** A HostConfig.Binds entry: `/host:/container[:ro|rw][,propagation]`; a named volume is refused. */
export function parseBind(text: string): Mount & { type: 'bind' } {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) throw bad('HostConfig.Binds entry', text, 'expected /host/path:/container/path[:options]');
  const [source, destination, options = ''] = parts as [string, string, string?];
  if (!source.startsWith('/')) throw unsupported(`HostConfig.Binds entry ${JSON.stringify(text)}`, 'named volumes are not available yet; bind an absolute host path');
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

/** HostConfig fields that change what a container is and that execdriverd does not do (yet): a 400 naming them, never silence. */
const unsupportedHostConfig: Record<string, string> = {
  PortBindings: 'published ports need bridge networking, which is not available yet',
  PublishAllPorts: 'published ports need bridge networking, which is not available yet',
  Links: 'links need bridge networking',
  VolumesFrom: 'volumes are not available yet',
  VolumeDriver: 'volumes are not available yet',
  Dns: 'DNS settings need bridge networking',
  DnsSearch: 'DNS settings need bridge networking',
  DnsOptions: 'DNS settings need bridge networking',
  ExtraHosts: 'extra /etc/hosts entries are not available yet',
  Init: 'an init process (--init) is not available yet',
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

  if (isSet(config.Volumes)) throw unsupported('Config.Volumes', 'anonymous volumes are not available yet; bind a host path (HostConfig.Binds)');
  const healthcheck = config.Healthcheck as { Test?: unknown } | null | undefined;
  if (healthcheck && isSet(healthcheck.Test) && !(Array.isArray(healthcheck.Test) && healthcheck.Test[0] === 'NONE')) throw unsupported('Config.Healthcheck', 'health checks are not available yet');
  if (isSet(config.StopTimeout)) throw unsupported('Config.StopTimeout', 'give the timeout to stop (t=) instead');
  for (const [field, why] of Object.entries(unsupportedHostConfig)) if (isSet(host[field])) throw unsupported(`HostConfig.${field}`, why);
  const restart = host.RestartPolicy as { Name?: string } | undefined | null;
  if (restart?.Name && restart.Name !== 'no') throw unsupported(`HostConfig.RestartPolicy ${JSON.stringify(restart.Name)}`, 'restart policies are not available yet');
  if (isSet(host.Runtime) && !(knownRuntimeNames as readonly string[]).includes(String(host.Runtime))) throw unsupported(`HostConfig.Runtime ${JSON.stringify(host.Runtime)}`, `known runtimes: ${knownRuntimeNames.join(', ')}`);
  const logType = (host.LogConfig as { Type?: string } | undefined | null)?.Type;
  if (logType && logType !== 'json-file' && logType !== 'local') throw unsupported(`HostConfig.LogConfig.Type ${JSON.stringify(logType)}`, 'containers log to files that docker logs reads');

  if (config.OpenStdin === true && config.Tty !== true) {
    throw unsupported('Config.OpenStdin without Config.Tty', 'containers without a terminal run detached (stdin /dev/null) so that they outlive the daemon; use a terminal (-it), or docker exec -i');
  }
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
  for (const text of stringList('HostConfig.Binds', host.Binds) ?? []) {
    const mount = parseBind(text);
    mounts.push(mount);
    bindSources.push(mount.source);
  }
  for (const entry of (Array.isArray(host.Mounts) ? host.Mounts : []) as Record<string, unknown>[]) {
    const target = String(entry.Target ?? '');
    if (entry.Type === 'bind') {
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
    } else throw unsupported(`HostConfig.Mounts type ${JSON.stringify(entry.Type)}`, 'only bind and tmpfs mounts are available');
  }
  if (isSet(host.Tmpfs)) {
    for (const [destination, options] of Object.entries(host.Tmpfs as Record<string, unknown>)) mounts.push(parseTmpfs(destination, String(options ?? '')));
  }

  const namespaces: NonNullable<Draft['namespaces']> = {};
  const networkMode = host.NetworkMode;
  if (networkMode === undefined || networkMode === null || networkMode === '' || networkMode === 'default' || networkMode === 'bridge') {
    namespaces.network = { mode: 'none' };
    if (networkMode === 'bridge') warnings.push('bridge networking is not available yet: the container has its own network namespace with only the loopback interface (NetworkMode none)');
  } else if (networkMode === 'none') namespaces.network = { mode: 'none' };
  else if (networkMode === 'host') namespaces.network = { mode: 'host' };
  else if (typeof networkMode === 'string' && networkMode.startsWith('container:')) namespaces.network = { mode: 'container', container: networkMode.slice('container:'.length) };
  else throw unsupported(`HostConfig.NetworkMode ${JSON.stringify(networkMode)}`, 'user-defined networks are not available yet (none, host or container:<name>)');
  const endpoints = (config.NetworkingConfig as { EndpointsConfig?: Record<string, unknown> } | null | undefined)?.EndpointsConfig ?? {};
  for (const network of Object.keys(endpoints)) {
    if (!['default', 'bridge', 'none', 'host', networkMode].includes(network)) throw unsupported(`NetworkingConfig.EndpointsConfig ${JSON.stringify(network)}`, 'user-defined networks are not available yet');
  }
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
  if (name !== undefined && name !== '') request.name = name;
  const entrypoint = config.Entrypoint;
  if (entrypoint !== undefined && entrypoint !== null) {
    const list = stringList('Entrypoint', entrypoint)!;
    request.entrypoint = list.length === 1 && list[0] === '' ? [] : list;
  }
  if (isSet(config.Labels)) request.labels = config.Labels as Record<string, string>;
  if (isSet(config.StopSignal)) request.stopSignal = String(config.StopSignal);
  if (isSet(host.Runtime)) request.runtime = String(host.Runtime);
  return { request, warnings, bindSources };
}
