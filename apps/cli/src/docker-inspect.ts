import type { ContainerSummary } from '@execdriver/driver';
import { containerDataPaths } from './container-rootfs.js';
import { dockerState } from './container-lookup.js';
import { labelKeys } from './context.js';
import { humanDuration } from './units.js';

const zeroTime = '0001-01-01T00:00:00Z';

function commandArgs(summary: ContainerSummary): string[] {
  const label = summary.labels[labelKeys.command];
  if (label) {
    try {
      return JSON.parse(label) as string[];
    } catch {
      // Fall back to the Command.
    }
  }
  return summary.command.process.args;
}

/** `docker inspect`'s shape where it makes sense: Id, State, Config, HostConfig, Mounts, GraphDriver... */
export function toDockerInspect(summary: ContainerSummary, options: { dataRoot: string; driverName: string; env?: readonly string[] }) {
  const state = dockerState(summary);
  const { command } = summary;
  const args = commandArgs(summary);
  const resources = command.resources;
  const overlay = summary.labels[labelKeys.rootfsMount] === 'overlay';
  const data = containerDataPaths(options.dataRoot, summary.id);
  const namespaceMode = (setting: { mode: string; container?: string } | undefined) =>
    setting === undefined ? '' : setting.mode === 'container' ? `container:${setting.container}` : setting.mode === 'new' ? 'private' : setting.mode;
  return {
    Id: summary.id,
    Created: summary.createdAt,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: {
      Status: state,
      Running: state === 'running' || state === 'paused',
      Paused: state === 'paused',
      Restarting: false,
      OOMKilled: summary.oomKilled ?? false,
      Dead: false,
      Pid: summary.pid ?? 0,
      ExitCode: summary.exitCode ?? 0,
      Error: '',
      StartedAt: summary.startedAt ?? zeroTime,
      FinishedAt: summary.finishedAt ?? zeroTime,
    },
    Image: summary.labels[labelKeys.image] ?? '',
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: summary.logs ? `${summary.bundle}/stdout.log` : '',
    Name: `/${summary.id}`,
    Driver: overlay ? 'overlay' : 'none',
    ExecDriver: options.driverName,
    Platform: 'linux',
    Bundle: summary.bundle,
    CgroupsPath: summary.cgroupsPath,
    HostConfig: {
      AutoRemove: summary.labels[labelKeys.autoRemove] === 'true',
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
      ? { Name: 'overlay', Data: { LowerDir: summary.labels[labelKeys.image] ?? '', UpperDir: data.upper, WorkDir: data.work, MergedDir: data.rootfs } }
      : { Name: 'none', Data: { MergedDir: summary.rootfs } },
    Mounts: command.mounts.map((mount) =>
      mount.type === 'bind'
        ? { Type: 'bind', Source: mount.source, Destination: mount.destination, Mode: mount.readonly ? 'ro' : '', RW: !mount.readonly, Propagation: mount.propagation ?? 'rprivate' }
        : { Type: 'tmpfs', Source: '', Destination: mount.destination, Mode: '', RW: !mount.readonly, Propagation: '' },
    ),
    Config: {
      Hostname: command.hostname ?? summary.id.slice(0, 12),
      Domainname: command.domainname ?? '',
      User: command.process.user ?? '',
      Tty: command.process.tty,
      OpenStdin: summary.labels[labelKeys.interactive] === 'true',
      // The effective environment (from the bundle's config.json) when known, else what was asked for.
      Env: options.env ?? command.process.env,
      Cmd: args,
      Image: summary.labels[labelKeys.image] ?? '',
      WorkingDir: command.process.workingDir,
      Labels: summary.labels,
    },
  };
}

function shellQuoted(args: readonly string[]): string {
  return args.map((arg) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** `docker ps`'s row: ID, Image, Command, CreatedAt, RunningFor, Status, State, Names. */
export function toPsRow(summary: ContainerSummary, now: number, options: { truncate: boolean }) {
  const state = dockerState(summary);
  const ago = (iso: string | undefined) => (iso ? humanDuration(now - Date.parse(iso)) : '');
  let status: string;
  if (state === 'running') status = `Up ${ago(summary.startedAt)}`;
  else if (state === 'paused') status = `Up ${ago(summary.startedAt)} (Paused)`;
  else if (state === 'exited') status = `Exited (${summary.exitCode ?? 255}) ${ago(summary.finishedAt ?? summary.startedAt)} ago`;
  else status = 'Created';
  let command = shellQuoted(commandArgs(summary));
  if (options.truncate && command.length > 20) command = `${command.slice(0, 19)}…`;
  return {
    ID: summary.id,
    Image: summary.labels[labelKeys.image] ?? '',
    Command: `"${command}"`,
    CreatedAt: summary.createdAt,
    RunningFor: `${ago(summary.createdAt)} ago`,
    Status: status,
    State: state,
    Names: summary.id,
    Pid: summary.pid ?? 0,
    ExitCode: summary.exitCode ?? null,
  };
}
