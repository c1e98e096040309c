import { readFile } from 'node:fs/promises';
import type { Sample } from '@execdriver/cgroups';
import type { ContainerStats } from '@execdriver/driver';
import { containerLayerPaths } from '@execdriver/images';
import { isActive, type Container } from './container.js';
import { shortId } from './ids.js';

/**
 * Docker's views of a container, shared by the CLI (`inspect`, `ps`) and the daemon
 * (`GET /containers/{id}/json`, `GET /containers/json`).
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

function commandArgs(container: Container): string[] {
  return container.record.command.process.args;
}

/** `docker inspect`'s shape where it makes sense: Id, State, Config, HostConfig, Mounts, GraphDriver... */
export function toDockerInspect(container: Container, options: { containerDir: string; driverName: string; env?: readonly string[] }) {
  const { state, record } = container;
  const { command } = record;
  const summary = container.driver;
  const args = commandArgs(container);
  const resources = command.resources;
  const overlay = record.rootfsMode === 'overlay';
  const data = containerLayerPaths(options.containerDir);
  const namespaceMode = (setting: { mode: string; container?: string } | undefined) =>
    setting === undefined ? '' : setting.mode === 'container' ? `container:${setting.container}` : setting.mode === 'new' ? 'private' : setting.mode;
  return {
    Id: container.id,
    Created: record.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: state,
      Running: isActive(container),
      Paused: state === 'paused',
      Restarting: false,
      OOMKilled: container.oomKilled,
      Dead: state === 'dead',
      Pid: container.pid ?? 0,
      ExitCode: container.exitCode ?? 0,
      Error: '',
      StartedAt: container.startedAt ?? zeroTime,
      FinishedAt: container.finishedAt ?? zeroTime,
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
      Binds: command.mounts.filter((mount) => mount.type === 'bind').map((mount) => `${mount.source}:${mount.destination}${mount.readonly ? ':ro' : ''}`),
      Tmpfs: Object.fromEntries(command.mounts.filter((mount) => mount.type === 'tmpfs').map((mount) => [mount.destination, mount.sizeBytes ? `size=${mount.sizeBytes}` : ''])),
      NetworkMode: namespaceMode(command.namespaces.network) || 'none',
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
      Sysctls: command.sysctls,
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
      ? { Name: 'overlay', Data: { LowerDir: record.image, UpperDir: data.upper, WorkDir: data.work, MergedDir: data.rootfs } }
      : { Name: 'none', Data: { MergedDir: command.rootfs } },
    Mounts: command.mounts.map((mount) =>
      mount.type === 'bind'
        ? { Type: 'bind', Source: mount.source, Destination: mount.destination, Mode: mount.readonly ? 'ro' : '', RW: !mount.readonly, Propagation: mount.propagation ?? 'rprivate' }
        : { Type: 'tmpfs', Source: '', Destination: mount.destination, Mode: '', RW: !mount.readonly, Propagation: '' },
    ),
    Config: {
      Hostname: command.hostname ?? shortId(container.id),
      Domainname: command.domainname ?? '',
      User: command.process.user ?? '',
      Tty: command.process.tty,
      OpenStdin: record.interactive,
      // The effective environment (from the bundle's config.json) when known, else what was asked for.
      Env: options.env ?? command.process.env,
      Cmd: args,
      Image: record.image,
      WorkingDir: command.process.workingDir,
      Entrypoint: null,
      Labels: record.labels,
    },
  };
}

function shellQuoted(args: readonly string[]): string {
  return args.map((arg) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `docker ps`'s row: ID, Image, Command, CreatedAt, RunningFor, Status, State, Names. */
export function toPsRow(container: Container, now: number, options: { truncate: boolean }) {
  const { state } = container;
  const ago = (iso: string | undefined) => (iso ? humanDuration(now - Date.parse(iso)) : '');
  let status: string;
  if (state === 'running') status = `Up ${ago(container.startedAt)}`;
  else if (state === 'paused') status = `Up ${ago(container.startedAt)} (Paused)`;
  else if (state === 'exited') status = `Exited (${container.exitCode ?? 255}) ${ago(container.finishedAt ?? container.startedAt)} ago`;
  else if (state === 'dead') status = 'Dead';
  else status = 'Created';
  let command = shellQuoted(commandArgs(container));
  if (options.truncate && command.length > 20) command = `${command.slice(0, 19)}…`;
  return {
    ID: options.truncate ? shortId(container.id) : container.id,
    Image: container.record.image,
    Command: `"${command}"`,
    CreatedAt: container.record.created,
    RunningFor: `${ago(container.record.created)} ago`,
    Status: status,
    State: state,
    Names: container.name,
    Pid: container.pid ?? 0,
    ExitCode: container.exitCode ?? null,
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
