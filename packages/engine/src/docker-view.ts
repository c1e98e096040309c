import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '@execdriver/cgroups';
import type { ContainerStats } from '@execdriver/driver';
import { containerLayerPaths, parseImageReference, type Image } from '@execdriver/images';
import type { Attachment } from '@execdriver/network';
import { dockerNetworkSettings } from './container-network.js';
import { isActive, type Container } from './container.js';
import type { Engine } from './engine.js';
import { shortId } from './ids.js';
import { initDestination } from './lifecycle-settings.js';
import { imageHealthConfig, type HealthConfig } from './health-config.js';
import type { HealthcheckResult, HealthStatus } from './health-state.js';

/**
 * Docker's views of containers and images, in the Engine API's JSON shape (plain objects), shared
 * by the CLI (`inspect`, `ps`, which marks Go maps and types for its templates) and the daemon
 * (`GET /containers/{id}/json`, `GET /containers/json`, `GET /images/{name}/json`).
 */

/** Docker's `units.HumanDuration`: `Less than a second`, `5 seconds`, `About a minute`, `3 hours`... */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

const zeroTime = '0001-01-01T00:00:00Z';

/** Docker's JSON of a HealthConfig: Test, then the durations and Retries that are set (Go's omitempty). */
function dockerHealthConfig(config: HealthConfig): HealthConfig {
  return {
    ...(config.Test ? { Test: [...config.Test] } : {}),
    ...(config.Interval ? { Interval: config.Interval } : {}),
    ...(config.Timeout ? { Timeout: config.Timeout } : {}),
    ...(config.StartPeriod ? { StartPeriod: config.StartPeriod } : {}),
    ...(config.StartInterval ? { StartInterval: config.StartInterval } : {}),
    ...(config.Retries ? { Retries: config.Retries } : {}),
  };
}

/** The user's command: under `--init` without the init in front (`/sbin/docker-init -- CMD`), as Docker shows Path/Args and ps's COMMAND. */
export function userCommand(container: Pick<Container, 'record'>): string[] {
  const { args } = container.record.command.process;
  if (container.record.init && args[0] === initDestination && args[1] === '--') return args.slice(2);
  return args;
}

function commandArgs(container: Container): string[] {
  return userCommand(container);
}

/** dockerd's Command of a list entry: the path, then the arguments, those with a space in single quotes. */
export function commandLine(args: readonly string[]): string {
  return args.map((arg, index) => (index > 0 && arg.includes(' ') ? `'${arg}'` : arg)).join(' ');
}

/**
 * Docker's State.Health of a container: what its prober wrote while it runs, `unhealthy` once it
 * stopped or paused (dockerd's health monitor closes then, and says so); undefined for a container
 * without a check (or `NONE`), or one never started since it got one.
 */
export function dockerHealth(container: Pick<Container, 'state' | 'health'>): { Status: HealthStatus; FailingStreak: number; Log: HealthcheckResult[] } | undefined {
  const health = container.health;
  if (!health) return undefined;
  return { Status: container.state === 'running' ? health.Status : 'unhealthy', FailingStreak: health.FailingStreak, Log: health.Log.map((entry) => ({ ...entry })) };
}

/** Docker's status of a container for `ps --filter health=`: its State.Health's Status, or `none`. */
export function healthFilterValue(container: Pick<Container, 'state' | 'health'>): HealthStatus | 'none' {
  return dockerHealth(container)?.Status ?? 'none';
}

/** Docker's Status of a container (`Up 5 seconds`, `Up 3 minutes (healthy)`, `Exited (0) 2 minutes ago`, `Created`...). */
export function containerStatus(container: Container, now: number): string {
  const { state } = container;
  const ago = (iso: string | undefined) => (iso ? humanDuration(now - Date.parse(iso)) : '');
  if (state === 'running') {
    const health = dockerHealth(container)?.Status;
    return health === undefined ? `Up ${ago(container.startedAt)}` : `Up ${ago(container.startedAt)} (${health === 'starting' ? 'health: starting' : health})`;
  }
  if (state === 'paused') return `Up ${ago(container.startedAt)} (Paused)`;
  if (state === 'exited') return `Exited (${container.exitCode ?? 255}) ${ago(container.finishedAt ?? container.startedAt)} ago`;
  if (state === 'dead') return 'Dead';
  if (state === 'restarting') return `Restarting (${container.exitCode ?? 255}) ${ago(container.finishedAt ?? container.startedAt)} ago`;
  return 'Created';
}

export interface DockerInspectOptions {
  containerDir: string;
  driverName: string;
  /** The effective environment (from the bundle's config.json); default: what was asked for. */
  env?: readonly string[];
  /** `inspect -s`: SizeRw and SizeRootFs. */
  sizes?: { rw: number; rootFs: number };
  /** Its live network attachment, for NetworkSettings. */
  attachment?: Attachment;
  /** Network names to ids, for NetworkSettings.Networks.*.NetworkID. */
  networkIds?: ReadonlyMap<string, string>;
}

/** `docker inspect`'s shape: Id, State, Config, HostConfig, Mounts, GraphDriver, NetworkSettings... */
export function toDockerInspect(container: Container, options: DockerInspectOptions) {
  const { state, record } = container;
  const { command } = record;
  const summary = container.driver;
  const args = commandArgs(container);
  const resources = command.resources;
  const overlay = record.rootfsMode === 'overlay';
  const data = containerLayerPaths(options.containerDir);
  const namespaceMode = (setting: { mode: string; container?: string } | undefined) =>
    setting === undefined ? '' : setting.mode === 'container' ? `container:${setting.container}` : setting.mode === 'new' ? 'private' : setting.mode;
  const network = record.network;
  const health = dockerHealth(container);
  return {
    Id: container.id,
    Created: record.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: state,
      Running: isActive(container),
      Paused: state === 'paused',
      Restarting: state === 'restarting',
      OOMKilled: container.oomKilled,
      Dead: state === 'dead',
      Pid: container.pid ?? 0,
      ExitCode: container.exitCode ?? 0,
      Error: '',
      StartedAt: container.startedAt ?? zeroTime,
      FinishedAt: container.finishedAt ?? zeroTime,
      ...(health ? { Health: health } : {}),
    },
    Image: record.imageId ? `sha256:${record.imageId}` : '',
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: summary?.logs ? `${summary.bundle}/stdout.log` : '',
    Name: `/${container.name}`,
    RestartCount: record.restartCount,
    Driver: overlay ? 'overlay' : 'none',
    ExecDriver: options.driverName,
    Platform: 'linux',
    Bundle: summary?.bundle ?? '',
    CgroupsPath: summary?.cgroupsPath ?? '',
    HostConfig: {
      AutoRemove: record.autoRemove,
      Runtime: record.runtime ?? 'runc',
      RestartPolicy: { Name: record.restartPolicy?.name ?? 'no', MaximumRetryCount: record.restartPolicy?.maximumRetryCount ?? 0 },
      Init: record.init ?? null,
      LogConfig: { Type: record.logConfig?.Type ?? 'json-file', Config: { ...record.logConfig?.Config } as Record<string, string> },
      Binds: command.mounts.filter((mount) => mount.type === 'bind').map((mount) => `${mount.source}:${mount.destination}${mount.readonly ? ':ro' : ''}`),
      Tmpfs: Object.fromEntries(command.mounts.filter((mount) => mount.type === 'tmpfs').map((mount) => [mount.destination, mount.sizeBytes ? `size=${mount.sizeBytes}` : ''])) as Record<string, string>,
      NetworkMode: network ? (network.networks[0]?.network ?? 'bridge') : namespaceMode(command.namespaces.network) || 'none',
      PortBindings: Object.fromEntries(
        (network?.ports ?? []).map((port) => [`${port.containerPort}/${port.protocol}`, [{ HostIp: port.hostIp, HostPort: port.hostPortStart === 0 ? '' : String(port.hostPortStart) }]]),
      ) as Record<string, { HostIp: string; HostPort: string }[]>,
      PublishAllPorts: network?.publishAll ?? false,
      ExtraHosts: network && network.extraHosts.length > 0 ? network.extraHosts : null,
      Dns: network?.dns.servers ?? [],
      IpcMode: namespaceMode(command.namespaces.ipc) || 'private',
      PidMode: namespaceMode(command.namespaces.pid),
      UTSMode: namespaceMode(command.namespaces.uts),
      UsernsMode: command.userNamespace ? 'remap' : '',
      Privileged: command.privileged,
      ReadonlyRootfs: command.readonlyRootfs,
      CapAdd: command.capAdd,
      CapDrop: command.capDrop,
      GroupAdd: command.groupAdd,
      SecurityOpt: [
        ...(command.noNewPrivileges ? ['no-new-privileges'] : []),
        ...(command.seccomp && command.seccomp.mode !== 'default' ? [`seccomp=${command.seccomp.mode}`] : []),
        ...(command.appArmorProfile ? [`apparmor=${command.appArmorProfile}`] : []),
      ],
      Sysctls: { ...command.sysctls } as Record<string, string>,
      CgroupParent: command.cgroupParent ?? '',
      OomScoreAdj: command.oomScoreAdj ?? 0,
      Memory: resources.memory ?? 0,
      MemorySwap: resources.memorySwap ?? 0,
      MemoryReservation: resources.memoryReservation ?? 0,
      KernelMemory: resources.kernelMemory ?? 0,
      MemorySwappiness: resources.memorySwappiness ?? null,
      OomKillDisable: resources.oomKillDisable ?? false,
      NanoCpus: resources.cpus ? Math.round(resources.cpus * 1e9) : 0,
      CpuShares: resources.cpuShares ?? 0,
      CpuPeriod: resources.cpuPeriod ?? 0,
      CpuQuota: resources.cpuQuota ?? 0,
      CpusetCpus: resources.cpusetCpus ?? '',
      CpusetMems: resources.cpusetMems ?? '',
      BlkioWeight: resources.blkioWeight ?? 0,
      PidsLimit: resources.pidsLimit ?? null,
      Ulimits: (resources.ulimits ?? []).map((limit) => ({ Name: limit.name, Soft: limit.soft, Hard: limit.hard })),
      Devices: command.devices.map((device) => ({ PathOnHost: device.path, PathInContainer: device.containerPath ?? device.path, CgroupPermissions: device.permissions })),
    },
    GraphDriver: overlay
      ? { Name: 'overlay', Data: { LowerDir: record.image, UpperDir: data.upper, WorkDir: data.work, MergedDir: data.rootfs } as Record<string, string> }
      : { Name: 'none', Data: { MergedDir: command.rootfs } as Record<string, string> },
    ...(options.sizes ? { SizeRw: options.sizes.rw, SizeRootFs: options.sizes.rootFs } : {}),
    Mounts: command.mounts.map((mount) =>
      mount.type === 'bind'
        ? { Type: 'bind', Source: mount.source, Destination: mount.destination, Mode: mount.readonly ? 'ro' : '', RW: !mount.readonly, Propagation: mount.propagation ?? 'rprivate' }
        : { Type: 'tmpfs', Source: '', Destination: mount.destination, Mode: '', RW: !mount.readonly, Propagation: '' },
    ),
    NetworkSettings: dockerNetworkSettings(record, options.attachment, options.networkIds ?? new Map()),
    Config: {
      Hostname: command.hostname ?? shortId(container.id),
      Domainname: command.domainname ?? '',
      User: command.process.user ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ...(network && network.exposed.length > 0 ? { ExposedPorts: Object.fromEntries(network.exposed.map((spec) => [spec, {}])) as Record<string, object> } : {}),
      Tty: command.process.tty,
      OpenStdin: record.interactive,
      StdinOnce: record.stdinOnce ?? false,
      Env: options.env ?? command.process.env,
      Cmd: args,
      Image: record.image,
      WorkingDir: command.process.workingDir,
      Entrypoint: null,
      Labels: { ...record.labels } as Record<string, string>,
      ...(record.stopSignal !== undefined ? { StopSignal: record.stopSignal } : {}),
      ...(record.stopTimeout !== undefined ? { StopTimeout: record.stopTimeout } : {}),
      ...(record.healthcheck ? { Healthcheck: dockerHealthConfig(record.healthcheck) } : {}),
    },
  };
}

/** The environment the container's process got (PATH, HOSTNAME, HOME, TERM and the user's): `process.env` of its bundle's config.json. */
async function effectiveEnv(container: Container): Promise<string[] | undefined> {
  if (!container.driver) return undefined;
  try {
    const config = JSON.parse(await readFile(join(container.driver.bundle, 'config.json'), 'utf8')) as { process?: { env?: unknown } };
    const env = config.process?.env;
    return Array.isArray(env) && env.every((entry) => typeof entry === 'string') ? env : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of the files under `path`, each hard-linked inode once (Docker's directory size); 0 when it is not there. */
async function directorySize(path: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await directorySize(child, seen);
    else {
      const stats = await lstat(child).catch(() => undefined);
      if (!stats) continue;
      const inode = `${stats.dev}:${stats.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += stats.size;
    }
  }
  return total;
}

/** `inspect -s`: the container's writable layer (SizeRw) and all of its root filesystem (SizeRootFs). */
async function containerSizes(engine: Engine, container: Container): Promise<{ rw: number; rootFs: number }> {
  const { record } = container;
  if (record.rootfsMode === 'overlay') {
    const rw = await directorySize(containerLayerPaths(engine.containerDir(container.id)).upper);
    const image = record.imageId ? await engine.images.get(record.imageId).catch(() => undefined) : undefined;
    return { rw, rootFs: rw + (image?.sizeBytes ?? 0) };
  }
  return { rw: 0, rootFs: await directorySize(record.command.rootfs) };
}

/** The inspect document of a container with what the engine knows of it now: its effective environment, network attachment, and sizes when asked. */
export async function inspectContainer(engine: Engine, container: Container, options: { size?: boolean } = {}) {
  const driver = await engine.driver();
  const env = await effectiveEnv(container);
  const sizes = options.size ? await containerSizes(engine, container) : undefined;
  const networkIds = new Map((await engine.networks.list()).map((network) => [network.name, network.id]));
  const attachment = await engine.networks.attachments.get(container.id);
  return toDockerInspect(container, {
    containerDir: engine.containerDir(container.id),
    driverName: driver.name(),
    networkIds,
    ...(env ? { env } : {}),
    ...(sizes ? { sizes } : {}),
    ...(attachment ? { attachment } : {}),
  });
}

/** Docker's architecture names. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** `docker image inspect`'s shape: Id, RepoTags, RepoDigests, Created, Config, Architecture, Os, Size, GraphDriver, RootFS, Metadata. */
export function toDockerImageInspect(image: Image) {
  const { config } = image;
  return {
    Id: `sha256:${image.id}`,
    RepoTags: image.references.map((reference) => parseImageReference(reference).familiar),
    RepoDigests: [] as string[],
    Parent: '',
    Comment: image.comment ?? '',
    Created: image.created,
    DockerVersion: '',
    Author: '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: config.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: config.ExposedPorts ? ({ ...config.ExposedPorts } as Record<string, unknown>) : null,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: config.Env ?? null,
      Cmd: config.Cmd ?? null,
      Image: '',
      Volumes: config.Volumes ? ({ ...config.Volumes } as Record<string, unknown>) : null,
      WorkingDir: config.WorkingDir ?? '',
      Entrypoint: config.Entrypoint ?? null,
      OnBuild: null,
      Labels: config.Labels ? ({ ...config.Labels } as Record<string, string>) : null,
      ...(config.StopSignal ? { StopSignal: config.StopSignal } : {}),
      ...(imageHealthConfig(config as Record<string, unknown>) ? { Healthcheck: dockerHealthConfig(imageHealthConfig(config as Record<string, unknown>)!) } : {}),
    },
    Architecture: goArch(process.arch),
    Os: 'linux',
    Size: image.sizeBytes,
    GraphDriver: { Name: 'none', Data: { MergedDir: image.rootfs } as Record<string, string> },
    RootFS: { Type: 'layers', Layers: [] as string[] },
    Metadata: { LastTagTime: zeroTime },
  };
}

/** The driver's stats as the cgroups package's Sample (what `toDockerStats` and `cpuPercent` read). */
export function toSample(stats: ContainerStats): Sample {
  return { stats: stats.cgroup, systemCpuUsageNanoseconds: stats.systemCpuUsageNanoseconds, onlineCpus: stats.onlineCpus, networks: stats.networks };
}

/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat; 100 on every Linux architecture Node runs on. */
const clockTicks = 100;

function formatCpuTime(ticks: number): string {
  const seconds = Math.floor(ticks / clockTicks);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** One row of `top`: UID PID PPID STAT TIME CMD, read from `procRoot` (host view); undefined once the process is gone. */
async function processRow(pid: number, procRoot: string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`${procRoot}/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = await readFile(`${procRoot}/${pid}/status`, 'utf8');
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? '?';
    const cmdline = (await readFile(`${procRoot}/${pid}/cmdline`, 'utf8')).split('\0').filter((part) => part !== '').join(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ticks = Number(afterName[11]) + Number(afterName[12]);
    return [uid, String(pid), afterName[1] ?? '?', afterName[0] ?? '?', formatCpuTime(ticks), cmdline || `[${name}]`];
  } catch {
    return undefined;
  }
}

/** `docker top`'s table of a container's processes (pids from the driver), in pid order: Docker's `{ Titles, Processes }`. */
export async function processTable(pids: readonly number[], procRoot = '/proc'): Promise<{ Titles: string[]; Processes: string[][] }> {
  const sorted = [...pids].sort((a, b) => a - b);
  const rows = (await Promise.all(sorted.map((pid) => processRow(pid, procRoot)))).filter((row): row is string[] => row !== undefined);
  return { Titles: ['UID', 'PID', 'PPID', 'STAT', 'TIME', 'CMD'], Processes: rows };
}
