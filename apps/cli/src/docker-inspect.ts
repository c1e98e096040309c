import { isActive, shortId, type Container } from '@execdriver/engine';
import { containerLayerPaths, parseImageReference, type Image } from '@execdriver/images';
import { goMap, goType } from './go-template.js';
import { goQuote } from './template/printf.js';
import { formatDecimalSize, goTimeString, humanDuration } from './units.js';

const zeroTime = '0001-01-01T00:00:00Z';

function commandArgs(container: Container): string[] {
  return container.record.command.process.args;
}

/** Docker's name of the container's network: `none`, `host`, or none for one that joins another's. */
function networkName(container: Container): string | undefined {
  const mode = container.record.command.namespaces.network?.mode;
  if (mode === 'host') return 'host';
  if (mode === 'container') return undefined;
  return 'none';
}

/**
 * `docker inspect`'s shape where it makes sense: Id, State, Config, HostConfig, Mounts, GraphDriver...
 * Go maps (labels, tmpfs, sysctls, networks) are marked as such, so templates treat them as Go does.
 */
export function toDockerInspect(container: Container, options: { containerDir: string; driverName: string; env?: readonly string[]; sizes?: { rw: number; rootFs: number } }) {
  const { state, record } = container;
  const { command } = record;
  const summary = container.driver;
  const args = commandArgs(container);
  const resources = command.resources;
  const overlay = record.rootfsMode === 'overlay';
  const data = containerLayerPaths(options.containerDir);
  const namespaceMode = (setting: { mode: string; container?: string } | undefined) =>
    setting === undefined ? '' : setting.mode === 'container' ? `container:${setting.container}` : setting.mode === 'new' ? 'private' : setting.mode;
  const network = networkName(container);
  return goType({
    Id: container.id,
    Created: record.created,
    Path: args[0] ?? '',
    Args: args.slice(1),
    State: goType({
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
    }, '*types.ContainerState'),
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
    HostConfig: goType({
      AutoRemove: record.autoRemove,
      RestartPolicy: { Name: record.restartPolicy?.name ?? 'no', MaximumRetryCount: record.restartPolicy?.maximumRetryCount ?? 0 },
      Init: record.init ?? null,
      Binds: command.mounts.filter((mount) => mount.type === 'bind').map((mount) => `${mount.source}:${mount.destination}${mount.readonly ? ':ro' : ''}`),
      Tmpfs: goMap(Object.fromEntries(command.mounts.filter((mount) => mount.type === 'tmpfs').map((mount) => [mount.destination, mount.sizeBytes ? `size=${mount.sizeBytes}` : ''])), ''),
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
      Sysctls: goMap({ ...command.sysctls }, ''),
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
    }, '*container.HostConfig'),
    GraphDriver: goType(
      overlay
        ? { Name: 'overlay', Data: goMap({ LowerDir: record.image, UpperDir: data.upper, WorkDir: data.work, MergedDir: data.rootfs }, '') }
        : { Name: 'none', Data: goMap({ MergedDir: command.rootfs }, '') },
      'storage.DriverData',
    ),
    ...(options.sizes ? { SizeRw: options.sizes.rw, SizeRootFs: options.sizes.rootFs } : {}),
    Mounts: command.mounts.map((mount) =>
      mount.type === 'bind'
        ? { Type: 'bind', Source: mount.source, Destination: mount.destination, Mode: mount.readonly ? 'ro' : '', RW: !mount.readonly, Propagation: mount.propagation ?? 'rprivate' }
        : { Type: 'tmpfs', Source: '', Destination: mount.destination, Mode: '', RW: !mount.readonly, Propagation: '' },
    ),
    NetworkSettings: goType({
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: goMap({}),
      Gateway: '',
      IPAddress: '',
      IPPrefixLen: 0,
      MacAddress: '',
      Networks: goMap(network ? { [network]: goType({ NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '' }, '*network.EndpointSettings') } : {}),
    }, '*types.NetworkSettings'),
    Config: goType({
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
      Labels: goMap({ ...record.labels }, ''),
      ...(record.stopSignal !== undefined ? { StopSignal: record.stopSignal } : {}),
      ...(record.stopTimeout !== undefined ? { StopTimeout: record.stopTimeout } : {}),
    }, '*container.Config'),
  }, 'types.ContainerJSON');
}

/** Docker's architecture names. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** `docker image inspect`'s shape: Id, RepoTags, RepoDigests, Created, Config, Architecture, Os, Size, GraphDriver, RootFS, Metadata. */
export function toDockerImageInspect(image: Image) {
  const { config } = image;
  return goType({
    Id: `sha256:${image.id}`,
    RepoTags: image.references.map((reference) => parseImageReference(reference).familiar),
    RepoDigests: [] as string[],
    Parent: '',
    Comment: image.comment ?? '',
    Created: image.created,
    DockerVersion: '',
    Author: '',
    Config: goType({
      Hostname: '',
      Domainname: '',
      User: config.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: config.ExposedPorts ? goMap({ ...config.ExposedPorts }) : null,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: config.Env ?? null,
      Cmd: config.Cmd ?? null,
      Image: '',
      Volumes: config.Volumes ? goMap({ ...config.Volumes }) : null,
      WorkingDir: config.WorkingDir ?? '',
      Entrypoint: config.Entrypoint ?? null,
      OnBuild: null,
      Labels: config.Labels ? goMap({ ...config.Labels }, '') : null,
      ...(config.StopSignal ? { StopSignal: config.StopSignal } : {}),
    }, '*container.Config'),
    Architecture: goArch(process.arch),
    Os: 'linux',
    Size: image.sizeBytes,
    GraphDriver: goType({ Name: 'none', Data: goMap({ MergedDir: image.rootfs }, '') }, 'storage.DriverData'),
    RootFS: goType({ Type: 'layers', Layers: [] as string[] }, 'image.RootFS'),
    Metadata: goType({ LastTagTime: zeroTime }, 'image.Metadata'),
  }, 'image.InspectResponse');
}

/** The API's `Command` as the daemon builds it: arguments with a space in single quotes. */
function commandLine(args: readonly string[]): string {
  return args.map((arg, index) => (index > 0 && arg.includes(' ') ? `'${arg}'` : arg)).join(' ');
}

/** The docker CLI's Ellipsis: at most `width` characters, the last one `…` when cut. */
function ellipsis(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('')}…`;
}

/**
 * `docker ps`'s row (the docker CLI's ContainerContext, in its `{{json .}}` order): Command,
 * CreatedAt, ID, Image, Labels, LocalVolumes, Mounts, Names, Networks, Ports, RunningFor, Size,
 * State, Status, and the method `Label KEY`.
 */
export function toPsRow(container: Container, now: number, options: { truncate: boolean; sizeBytes?: number }) {
  const { state, record } = container;
  const ago = (iso: string | undefined) => (iso ? humanDuration(now - Date.parse(iso)) : '');
  let status: string;
  if (state === 'running') status = `Up ${ago(container.startedAt)}`;
  else if (state === 'paused') status = `Up ${ago(container.startedAt)} (Paused)`;
  else if (state === 'exited') status = `Exited (${container.exitCode ?? 255}) ${ago(container.finishedAt ?? container.startedAt)} ago`;
  else if (state === 'dead') status = 'Dead';
  else if (state === 'restarting') status = `Restarting (${container.exitCode ?? 255}) ${ago(container.finishedAt ?? container.startedAt)} ago`;
  else status = 'Created';
  const command = commandLine(commandArgs(container));
  const labels = record.labels;
  const mounts = record.command.mounts.filter((mount) => mount.type === 'bind').map((mount) => (options.truncate ? ellipsis(mount.source, 15) : mount.source));
  return goType(
    {
      Command: goQuote(options.truncate ? ellipsis(command, 20) : command),
      // A getter: ICU's time zone formatting costs tens of milliseconds, and the default table has no CreatedAt.
      get CreatedAt(): string {
        return goTimeString(record.created);
      },
      ID: options.truncate ? shortId(container.id) : container.id,
      Image: record.image,
      Label: (key: string): string => (typeof key === 'string' && Object.hasOwn(labels, key) ? labels[key]! : ''),
      Labels: Object.keys(labels)
        .sort()
        .map((key) => `${key}=${labels[key]}`)
        .join(','),
      LocalVolumes: '0',
      Mounts: mounts.join(','),
      Names: container.name,
      Networks: networkName(container) ?? '',
      Ports: '',
      RunningFor: `${ago(record.created)} ago`,
      Size: formatDecimalSize(options.sizeBytes ?? 0),
      State: state,
      Status: status,
    },
    '*formatter.ContainerContext',
  );
}
