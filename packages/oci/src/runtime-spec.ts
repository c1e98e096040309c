import { linuxSeccompSchema, type Capability, type Command } from '@execdriver/spec';
import { NamespaceError, toOciNamespaces, type NamespaceKind } from '@execdriver/namespaces';
import { containerCapabilities, toOciCapabilities } from './capabilities.js';
import { toCgroupsPath, defaultCgroupsPathPrefix } from './cgroups-path.js';
import { defaultDeviceRules, defaultEnvironment, defaultMaskedPaths, defaultReadonlyPaths } from './defaults.js';
import { deviceRule } from './devices.js';
import { OciError, type OciErrorCode } from './errors.js';
import type { LsmSupport } from './lsm.js';
import { rootfsPropagationFor, toOciMounts, type EtcFiles } from './mounts.js';
import type { LinuxDevice, LinuxDeviceCgroup, LinuxSeccomp, OciProcess, RuntimeFeatures, RuntimeSpec } from './oci-types.js';
import { toLinuxResources, toOciRlimits, type CgroupMode } from './resources.js';
import { defaultSeccompFor } from './seccomp-cache.js';
import { defaultNetworkSysctls, toOciSysctls } from './sysctls.js';
import { numericUser, type ResolvedUser } from './user.js';
import type { RuntimeSpecWarning } from './warnings.js';

/** The runtime-spec version written to config.json: runc 1.1.5's (`runc spec`). */
export const defaultOciVersion = '1.0.2-dev';

/** Host facts the caller knows; createRuntimeSpec itself reads nothing. */
export interface RuntimeSpecOptions {
  /** How the host mounts cgroups. Default 'hybrid': cgroup v1 resource files. */
  cgroupMode?: CgroupMode;
  /** The init pid of a running container, for namespaces joined with `{ mode: 'container' }`. */
  containerPid?: (id: string) => number | undefined;
  /** Where other containers' namespaces are found (`<procRoot>/<pid>/ns/...`). Default '/proc'. */
  procRoot?: string;
  /** The namespace kinds this kernel has (supportedNamespaceKinds()); absent means all. */
  supportedNamespaces?: ReadonlySet<NamespaceKind>;
  /** Node's process.arch or GOARCH of the container, for the seccomp filter. Default 'x64' (no process.arch read here). */
  architecture?: string;
  /** The resolved process identity (resolveUser()); required when process.user or groupAdd uses names. */
  user?: ResolvedUser;
  /** The resolved devices (resolveDevices()), one per command.devices entry, in order. */
  devices?: readonly LinuxDevice[];
  /** First segment of the cgroup path. Default 'execdriver'. */
  cgroupsPathPrefix?: string;
  /** Facts for network mode 'host': the host's hostname, which the container then gets as Docker gives it. */
  hostNetwork?: { hostname?: string };
  /**
   * The host directory holding another container's /dev/shm, when the caller keeps one per
   * container (as dockerd does): a container joining that container's IPC namespace binds it.
   * (The other container's own tmpfs cannot be bound through /proc/<pid>/root: the kernel refuses.)
   */
  shmPath?: (id: string) => string | undefined;
  /** `runc features` when the runtime has it (runc 1.1.5 has not). */
  features?: RuntimeFeatures;
  /**
   * The capabilities this process can hand out (its bounding set, see capabilitiesFromMask), which
   * is what privileged and capAdd ALL give. Default: every capability @execdriver/spec knows.
   */
  availableCapabilities?: readonly Capability[];
  /** False when the host has no I/O scheduler with weights (no BFQ). Default true. */
  blkioWeightSupported?: boolean;
  /** The ociVersion to write. Default '1.0.2-dev' (runc 1.1.5). */
  ociVersion?: string;
  /**
   * Host paths of files the caller wrote for this container (hostsFileContent(),
   * resolvConfContent(), hostnameFileContent()), bind-mounted at /etc/hosts, /etc/resolv.conf and
   * /etc/hostname as Docker does; a Command mount at the same destination wins.
   */
  etcFiles?: EtcFiles;
  /** The host's devices (listHostDevices()), given to privileged containers as Docker's --privileged does; ignored otherwise. */
  hostDevices?: readonly LinuxDevice[];
  /**
   * Which LSMs the host has enabled (detectLsm()). One that is off makes its Command settings
   * (appArmorProfile; selinux processLabel and mountLabel) drop out with an LSM_DISABLED warning,
   * as Docker ignores them there. Absent: the settings are passed to the runtime as they are.
   */
  lsm?: LsmSupport;
  /** The CPUs online on the host (readOnlineCpus()); when given, resources.cpus and cpusetCpus are checked against them. */
  onlineCpus?: ReadonlySet<number>;
}

export interface RuntimeSpecResult {
  spec: RuntimeSpec;
  warnings: RuntimeSpecWarning[];
}

const namespaceErrorCodes: Readonly<Record<string, OciErrorCode>> = {
  CONTAINER_NOT_FOUND: 'CONTAINER_NOT_FOUND',
  PROCESS_NOT_FOUND: 'CONTAINER_NOT_FOUND',
};

function namespaces(command: Command, options: RuntimeSpecOptions) {
  let entries;
  try {
    entries = toOciNamespaces(command.namespaces, {
      userNamespace: command.userNamespace !== undefined,
      ...(options.containerPid ? { containerPid: options.containerPid } : {}),
      ...(options.procRoot ? { procRoot: options.procRoot } : {}),
      ...(options.supportedNamespaces ? { supportedKinds: options.supportedNamespaces } : {}),
    });
  } catch (error) {
    if (error instanceof NamespaceError) {
      throw new OciError(namespaceErrorCodes[error.code] ?? 'INVALID_NAMESPACES', error.message, { field: 'namespaces', value: error.value, cause: error });
    }
    throw error;
  }
  // The runtime's own list (`runc features`), when known: runc 1.1 has no time namespace.
  const runtimeKinds = options.features?.linux?.namespaces;
  if (runtimeKinds) {
    for (const entry of entries) {
      if (!runtimeKinds.includes(entry.type)) {
        const field = `namespaces.${entry.type === 'network' ? 'network' : entry.type}`;
        throw new OciError('UNSUPPORTED', `the runtime does not support ${entry.type} namespaces (its features list ${runtimeKinds.join(', ')})`, { field, value: entry.type });
      }
    }
  }
  return entries;
}

/** The Command's devices, then (privileged only) the host's devices at paths not already taken. */
function devicesOf(command: Command, options: RuntimeSpecOptions): { devices: LinuxDevice[]; rules: LinuxDeviceCgroup[] } {
  const own = commandDevicesOf(command, options);
  if (!command.privileged || options.hostDevices === undefined) return own;
  const taken = new Set(own.devices.map((device) => device.path));
  const host = options.hostDevices.filter((device) => {
    if (taken.has(device.path)) return false;
    taken.add(device.path);
    return true;
  });
  return { devices: [...own.devices, ...host.map((device) => ({ ...device }))], rules: own.rules };
}

function commandDevicesOf(command: Command, options: RuntimeSpecOptions): { devices: LinuxDevice[]; rules: LinuxDeviceCgroup[] } {
  if (command.devices.length === 0) return { devices: [], rules: [] };
  const resolved = options.devices;
  if (resolved === undefined || resolved.length !== command.devices.length) {
    throw new OciError(
      'INVALID_OPTIONS',
      `command.devices has ${command.devices.length} entries but options.devices has ${resolved?.length ?? 'none'}: resolve them with resolveDevices() first`,
      { field: 'devices', value: command.devices.map((device) => device.path) },
    );
  }
  const rules = resolved.flatMap((device, index) => {
    const rule = deviceRule(device, command.devices[index]!);
    return rule ? [rule] : [];
  });
  return { devices: [...resolved], rules };
}

function seccompOf(command: Command, capabilities: readonly string[], options: RuntimeSpecOptions, warnings: RuntimeSpecWarning[]): LinuxSeccomp | undefined {
  const setting = command.seccomp ?? (command.privileged || command.process.privileged ? { mode: 'unconfined' as const } : { mode: 'default' as const });
  if (setting.mode === 'unconfined') return undefined;
  if (options.features?.linux?.seccomp?.enabled === false) {
    if (command.seccomp === undefined) {
      warnings.push({ code: 'SECCOMP_UNSUPPORTED', field: 'seccomp', message: 'the runtime has no seccomp support: the container runs without the default seccomp policy' });
      return undefined;
    }
    throw new OciError('UNSUPPORTED', `seccomp mode ${setting.mode} was asked for but the runtime has no seccomp support`, { field: 'seccomp', value: setting.mode });
  }
  if (setting.mode === 'custom') {
    const parsed = linuxSeccompSchema.safeParse(setting.profile);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = ['seccomp', 'profile', ...(issue?.path ?? []).map(String)].join('.');
      throw new OciError('INVALID_COMMAND', `${where}: ${issue?.message ?? 'invalid'} (the custom seccomp profile is not a valid OCI linux.seccomp object)`, {
        field: where,
        value: setting.profile,
        cause: parsed.error,
      });
    }
    return structuredClone(parsed.data) as LinuxSeccomp;
  }
  return defaultSeccompFor(options.architecture ?? 'x64', capabilities);
}

function capabilitiesOf(command: Command, options: RuntimeSpecOptions, warnings: RuntimeSpecWarning[]): string[] {
  const privileged = command.privileged || command.process.privileged;
  let list: string[] = containerCapabilities({
    privileged,
    capAdd: command.capAdd,
    capDrop: command.capDrop,
    ...(options.availableCapabilities ? { available: options.availableCapabilities } : {}),
  });
  const known = options.features?.linux?.capabilities;
  if (known) {
    const knownSet = new Set(known);
    const unknown = list.filter((name) => !knownSet.has(name));
    if (unknown.length > 0) {
      // Privileged means "all the runtime knows"; an explicit capAdd the runtime lacks is worth a warning.
      const asked = unknown.filter((name) => !privileged || command.capAdd.includes(name as never));
      if (asked.length > 0) {
        warnings.push({ code: 'CAPABILITY_UNKNOWN_TO_RUNTIME', field: 'capAdd', message: `the runtime does not know ${asked.join(', ')}; left out` });
      }
      list = list.filter((name) => knownSet.has(name));
    }
  }
  return list;
}

/**
 * The AppArmor profile and SELinux labels to write. With `options.lsm`, those of a module the host
 * has off are dropped with a warning (Docker ignores them there; runc would refuse them). Without
 * it, a runtime whose features report one disabled gets a warning and the settings as they are.
 */
function lsmSettingsOf(command: Command, options: RuntimeSpecOptions, warnings: RuntimeSpecWarning[]): { appArmorProfile?: string; processLabel?: string; mountLabel?: string } {
  let appArmorProfile = command.appArmorProfile;
  let processLabel = command.selinux?.processLabel;
  let mountLabel = command.selinux?.mountLabel;
  const features = options.features?.linux;
  if (appArmorProfile !== undefined) {
    if (options.lsm?.apparmor === false) {
      warnings.push({ code: 'LSM_DISABLED', field: 'appArmorProfile', message: `AppArmor is not enabled on this host; profile ${appArmorProfile} is left out, as Docker ignores it there` });
      appArmorProfile = undefined;
    } else if (options.lsm === undefined && features?.apparmor?.enabled === false) {
      warnings.push({ code: 'LSM_DISABLED', field: 'appArmorProfile', message: `the runtime reports AppArmor disabled; profile ${appArmorProfile} will be refused` });
    }
  }
  if (options.lsm?.selinux === false) {
    if (processLabel !== undefined) {
      warnings.push({ code: 'LSM_DISABLED', field: 'selinux.processLabel', message: `SELinux is not enabled on this host; process label ${processLabel} is left out, as Docker ignores it there` });
      processLabel = undefined;
    }
    if (mountLabel !== undefined) {
      warnings.push({ code: 'LSM_DISABLED', field: 'selinux.mountLabel', message: `SELinux is not enabled on this host; mount label ${mountLabel} is left out, as Docker ignores it there` });
      mountLabel = undefined;
    }
  } else if (options.lsm === undefined && command.selinux !== undefined && features?.selinux?.enabled === false) {
    warnings.push({ code: 'LSM_DISABLED', field: 'selinux', message: 'the runtime reports SELinux disabled; the labels will be refused' });
  }
  return {
    ...(appArmorProfile === undefined ? {} : { appArmorProfile }),
    ...(processLabel === undefined ? {} : { processLabel }),
    ...(mountLabel === undefined ? {} : { mountLabel }),
  };
}

/**
 * Turns a parsed Command into an OCI runtime config (config.json) with Docker's defaults where the
 * Command is silent. Pure: reads no file, spawns nothing, looks at no clock; every host fact comes
 * in through `options`. Settings that cannot apply on this host come back as warnings.
 * @throws OciError with a code and the offending field for a Command that cannot be expressed.
 */
export function createRuntimeSpec(command: Command, options: RuntimeSpecOptions = {}): RuntimeSpecResult {
  const warnings: RuntimeSpecWarning[] = [];
  const privileged = command.privileged;
  const ns = command.namespaces;
  const networkMode = ns.network?.mode ?? 'new';
  const ipcMode = ns.ipc?.mode ?? 'new';
  const utsMode = ns.uts?.mode ?? 'new';

  // Identity.
  const user = options.user ?? numericUser(command);

  // Hostname: the Command's, else the host's with the host network (as Docker), else the id.
  // Setting a name in a UTS namespace that is not the container's own would rename the host or another container.
  for (const field of ['hostname', 'domainname'] as const) {
    const value = command[field];
    if (value !== undefined && utsMode !== 'new') {
      throw new OciError('INVALID_COMMAND', `${field} ${value} cannot be set with UTS namespace mode '${utsMode}': only a new UTS namespace has its own name`, { field, value });
    }
  }
  const hostname = utsMode !== 'new' ? undefined : (command.hostname ?? (networkMode === 'host' ? options.hostNetwork?.hostname : undefined) ?? command.id.slice(0, 64));

  // Environment: Docker's defaults, overridden by the Command's entries key by key.
  const environment = new Map<string, string>();
  for (const entry of [...defaultEnvironment({ ...(hostname === undefined ? {} : { hostname }), home: user.home, tty: command.process.tty }), ...command.process.env]) {
    const equals = entry.indexOf('=');
    environment.set(entry.slice(0, equals), entry);
  }

  const capabilities = capabilitiesOf(command, options, warnings);

  // Namespaces (also checks joined containers exist).
  const linuxNamespaces = namespaces(command, options);

  const hostNetwork = networkMode === 'host';
  const ownSysctls = toOciSysctls(command.sysctls, { hostNetwork, hostIpc: ipcMode === 'host' });
  // Docker's network sysctls only for a network namespace of the container's own.
  const ownNetwork = networkMode === 'new' || networkMode === 'none';
  const sysctl = ownNetwork ? { ...defaultNetworkSysctls({ userNamespace: command.userNamespace !== undefined }), ...ownSysctls } : ownSysctls;

  const { resources, warnings: resourceWarnings } = toLinuxResources(command.resources, {
    cgroupMode: options.cgroupMode ?? 'hybrid',
    blkioWeightSupported: options.blkioWeightSupported ?? true,
    ...(options.onlineCpus === undefined ? {} : { onlineCpus: options.onlineCpus }),
  });
  warnings.push(...resourceWarnings);

  const { devices, rules } = devicesOf(command, options);
  resources.devices = privileged ? [{ allow: true, access: 'rwm' }] : [...defaultDeviceRules(), ...rules];

  // /dev/shm follows the IPC namespace: the host's for 'host', the joined container's for a join.
  let ipcShmSource: string | undefined;
  if (ipcMode === 'host') ipcShmSource = '/dev/shm';
  if (ns.ipc?.mode === 'container') {
    ipcShmSource = options.shmPath?.(ns.ipc.container);
    if (ipcShmSource === undefined) {
      warnings.push({
        code: 'SHM_NOT_SHARED',
        field: 'namespaces.ipc',
        message: `container ${ns.ipc.container}'s /dev/shm is not known on the host (options.shmPath): System V IPC and message queues are shared, but this container gets its own /dev/shm`,
      });
    }
  }
  const mounts = toOciMounts(command, {
    ...(ipcShmSource === undefined ? {} : { ipcShmSource }),
    // --shm-size sizes the container's own /dev/shm; with the host's or a joined IPC namespace it is ignored, as Docker does.
    ...(ipcMode === 'new' && command.shmSizeBytes !== undefined ? { shmSizeBytes: command.shmSizeBytes } : {}),
    ...(options.etcFiles === undefined ? {} : { etcFiles: options.etcFiles }),
    bindSys: command.userNamespace !== undefined && networkMode !== 'new' && networkMode !== 'none',
  });

  const { appArmorProfile, processLabel, mountLabel } = lsmSettingsOf(command, options, warnings);

  const process: OciProcess = {
    terminal: command.process.tty,
    user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length > 0 ? { additionalGids: [...user.additionalGids] } : {}) },
    args: [...command.process.args],
    env: [...environment.values()],
    cwd: command.process.workingDir,
    capabilities: toOciCapabilities(capabilities),
    noNewPrivileges: command.noNewPrivileges,
  };
  if (command.process.consoleSize) process.consoleSize = { ...command.process.consoleSize };
  const rlimits = toOciRlimits(command.resources);
  if (rlimits.length > 0) process.rlimits = rlimits;
  if (appArmorProfile !== undefined) process.apparmorProfile = appArmorProfile;
  if (processLabel !== undefined) process.selinuxLabel = processLabel;
  if (command.oomScoreAdj !== undefined) process.oomScoreAdj = command.oomScoreAdj;

  const seccomp = seccompOf(command, capabilities, options, warnings);
  const rootfsPropagation = rootfsPropagationFor(command.mounts);

  const spec: RuntimeSpec = {
    ociVersion: options.ociVersion ?? defaultOciVersion,
    root: { path: command.rootfs, readonly: command.readonlyRootfs },
    mounts,
    process,
    ...(hostname === undefined ? {} : { hostname }),
    ...(command.domainname === undefined ? {} : { domainname: command.domainname }),
    ...(command.hooks === undefined ? {} : { hooks: structuredClone(command.hooks) }),
    ...(Object.keys(command.annotations).length === 0 ? {} : { annotations: { ...command.annotations } }),
    linux: {
      namespaces: linuxNamespaces,
      ...(command.userNamespace
        ? {
            uidMappings: command.userNamespace.uidMappings.map((map) => ({ containerID: map.containerId, hostID: map.hostId, size: map.size })),
            gidMappings: command.userNamespace.gidMappings.map((map) => ({ containerID: map.containerId, hostID: map.hostId, size: map.size })),
          }
        : {}),
      ...(devices.length === 0 ? {} : { devices }),
      cgroupsPath: toCgroupsPath(command, options.cgroupsPathPrefix ?? defaultCgroupsPathPrefix),
      resources,
      ...(rootfsPropagation === undefined ? {} : { rootfsPropagation }),
      ...(seccomp === undefined ? {} : { seccomp }),
      ...(Object.keys(sysctl).length === 0 ? {} : { sysctl }),
      maskedPaths: privileged ? [] : defaultMaskedPaths(),
      readonlyPaths: privileged ? [] : defaultReadonlyPaths(),
      ...(mountLabel === undefined ? {} : { mountLabel }),
    },
  };
  return { spec, warnings };
}
