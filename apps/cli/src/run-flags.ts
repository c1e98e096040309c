import type { VolumeRequest } from '@execdriver/engine';
import { volumeFromMountFlag, volumeFromVolumeFlag } from './volume-flags.js';
import { posix } from 'node:path';
import type { CommandInput, Mount, NamespaceSetting } from '@execdriver/spec';
import { mountPropagations, type MountPropagation } from '@execdriver/spec';
import { usageError } from './errors.js';
import { networkFlagDefinitions, parseNetworkFlags } from './network-flags.js';
import type { ContainerNetworkConfig, HealthConfig } from '@execdriver/engine';
import { flagBoolean, flagList, flagString, parseArguments, type FlagDefinition, type ParsedArguments } from './flags.js';
import { parseDecimal, parseInteger, parseSize, parseSizeOrUnlimited } from './units.js';
import { lifecycleFlagDefinitions, parseLifecycleFlags, type LifecycleOptions } from './lifecycle-flags.js';
import { healthFlagDefinitions, parseHealthFlags } from './health-flags.js';

/** The flags of `run` (and `spec`), in Docker's names. */
export const runFlagDefinitions: readonly FlagDefinition[] = [
  { name: 'detach', short: 'd', kind: 'boolean', description: 'Run container in background and print container ID' },
  { name: 'interactive', short: 'i', kind: 'boolean', description: 'Keep STDIN open' },
  { name: 'tty', short: 't', kind: 'boolean', description: 'Allocate a pseudo-TTY' },
  { name: 'rm', kind: 'boolean', description: 'Automatically remove the container when it exits' },
  { name: 'name', kind: 'string', description: 'Assign a name to the container (also its id)' },
  { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container (default ctrl-p,ctrl-q)' },
  { name: 'sig-proxy', kind: 'boolean', description: 'Proxy received signals to the process (non-TTY mode only, default true)' },
  { name: 'env', short: 'e', kind: 'list', description: 'Set environment variables (KEY=VALUE, or KEY to copy it from here)' },
  { name: 'env-file', kind: 'list', description: 'Read in a file of environment variables' },
  { name: 'user', short: 'u', kind: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'workdir', short: 'w', kind: 'string', description: 'Working directory inside the container' },
  { name: 'hostname', short: 'h', kind: 'string', description: 'Container host name' },
  { name: 'entrypoint', kind: 'string', description: 'Program to run, before COMMAND' },
  { name: 'memory', short: 'm', kind: 'string', valueName: 'bytes', description: 'Memory limit (e.g. 64m, 1g)' },
  { name: 'memory-swap', kind: 'string', valueName: 'bytes', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { name: 'memory-reservation', kind: 'string', valueName: 'bytes', description: 'Memory soft limit' },
  { name: 'kernel-memory', kind: 'string', valueName: 'bytes', description: 'Kernel memory limit (cgroup v1 only)' },
  { name: 'memory-swappiness', kind: 'string', valueName: 'int', description: 'Tune container memory swappiness (0 to 100)' },
  { name: 'oom-kill-disable', kind: 'boolean', description: 'Disable OOM Killer' },
  { name: 'cpus', kind: 'string', valueName: 'decimal', description: 'Number of CPUs' },
  { name: 'cpu-shares', short: 'c', kind: 'string', valueName: 'int', description: 'CPU shares (relative weight)' },
  { name: 'cpu-period', kind: 'string', valueName: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', kind: 'string', valueName: 'int', description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpuset-cpus', kind: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', kind: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'blkio-weight', kind: 'string', valueName: 'uint16', description: 'Block IO (relative weight), between 10 and 1000' },
  { name: 'pids-limit', kind: 'string', valueName: 'int', description: 'Tune container pids limit (-1 for unlimited)' },
  { name: 'ulimit', kind: 'list', valueName: 'ulimit', description: 'Ulimit options (nofile=1024:2048)' },
  { name: 'volume', short: 'v', kind: 'list', description: 'Bind mount a host path: /src:/dst[:ro|rw][,propagation]' },
  { name: 'mount', kind: 'list', valueName: 'mount', description: 'Attach a mount: type=bind|tmpfs,source=,target=,...' },
  { name: 'tmpfs', kind: 'list', description: 'Mount a tmpfs directory (/run:size=64m,mode=1777)' },
  { name: 'read-only', kind: 'boolean', description: "Mount the container's root filesystem as read only" },
  { name: 'cap-add', kind: 'list', description: 'Add Linux capabilities' },
  { name: 'cap-drop', kind: 'list', description: 'Drop Linux capabilities' },
  { name: 'privileged', kind: 'boolean', description: 'Give extended privileges to this container' },
  { name: 'device', kind: 'list', description: 'Add a host device to the container (/dev/x[:/dev/y][:rwm])' },
  { name: 'group-add', kind: 'list', description: 'Add additional groups to join' },
  { name: 'ipc', kind: 'string', description: 'IPC mode to use (private, shareable, host, container:<name>)' },
  { name: 'pid', kind: 'string', description: 'PID namespace to use (host, container:<name>)' },
  { name: 'uts', kind: 'string', description: 'UTS namespace to use (host)' },
  ...networkFlagDefinitions,
  { name: 'userns-remap', kind: 'string', description: 'Run in a user namespace mapped like dockerd --userns-remap (default, user[:group])' },
  { name: 'security-opt', kind: 'list', description: 'Security options (apparmor=, label=, seccomp=unconfined|FILE, no-new-privileges)' },
  { name: 'cgroup-parent', kind: 'string', description: 'Optional parent cgroup for the container' },
  { name: 'sysctl', kind: 'list', description: 'Sysctl options (net.ipv4.ip_forward=1)' },
  { name: 'oom-score-adj', kind: 'string', valueName: 'int', description: 'Tune host OOM preferences (-1000 to 1000)' },
  { name: 'shm-size', kind: 'string', valueName: 'bytes', description: 'Size of /dev/shm (default 64m)' },
  { name: 'rootfs', kind: 'string', valueName: 'dir', description: 'Use DIR as the root filesystem (no IMAGE argument then)' },
  ...lifecycleFlagDefinitions,
  ...healthFlagDefinitions,
  { name: 'log-driver', kind: 'string', description: 'Logging driver for the container: json-file (default) or none' },
  { name: 'log-opt', kind: 'list', description: 'Log driver options (max-size=10m, max-file=3)' },
];

/** What `run` does besides the container itself. */
export interface RunCliOptions {
  /** Named and anonymous volumes (`-v name:/dst`, `-v /dst`, `--mount type=volume`). */
  volumes?: VolumeRequest[];
  detach: boolean;
  interactive: boolean;
  tty: boolean;
  autoRemove: boolean;
  name: string | undefined;
  /** The image, or undefined with `--rootfs`. */
  image: string | undefined;
  rootfsDir: string | undefined;
  /** `--log-driver` and `--log-opt` as given (checked by the engine's parseLogConfig). */
  logDriver: string | undefined;
  logOpts: string[];
  /** COMMAND [ARG...] as typed after the image (empty: the image's default). */
  args: string[];
  entrypoint: string | undefined;
  envFiles: string[];
  usernsRemap: string | undefined;
  /** `--security-opt seccomp=FILE`: a profile to read. */
  seccompProfileFile: string | undefined;
  detachKeys: string | undefined;
  sigProxy: boolean;
  /** Host paths of bind mounts: `-v` ones are created when missing (Docker), `--mount` ones must exist. */
  bindSources: { source: string; flag: '--volume' | '--mount' }[];
  /** Bridge networking (the default): networks, ports, extra hosts, DNS; undefined for none, host, container:. */
  network: ContainerNetworkConfig | undefined;
  /** Single-value flags as typed (`--memory` -> `4k`), so messages quote the user's text, not a byte count. */
  flagTexts: Record<string, string>;
  /** Restart policy, stop settings, init, labels, cidfile, attach (lifecycle-flags.ts). */
  lifecycle: LifecycleOptions;
  /** `--health-*`, `--no-healthcheck` (health-flags.ts); undefined: none given (the image's check). */
  healthcheck: HealthConfig | undefined;
}

/** The Command as far as flags alone say: no id, root filesystem or file contents yet. */
export type CommandDraft = Omit<CommandInput, 'id' | 'rootfs'>;

export interface ParsedRun {
  command: CommandDraft;
  cliOptions: RunCliOptions;
}

export interface ParseRunFlagsOptions {
  /** For `-e KEY` (no value): copied from here when set. Default: none. */
  hostEnv?: Readonly<Record<string, string | undefined>>;
  /** The command in messages: `run` (default) or `spec`. */
  commandName?: string;
}

/**
 * Parses `run [OPTIONS] IMAGE [COMMAND] [ARG...]` (or `run --rootfs DIR [OPTIONS] COMMAND [ARG...]`)
 * into a Command draft and the CLI's own options. Pure: files named by flags are read later.
 */
export function parseRunFlags(argv: readonly string[], options: ParseRunFlagsOptions = {}): ParsedRun & { help: boolean } {
  const parsed = parseArguments(argv, runFlagDefinitions, { stopAtFirstPositional: true });
  if (parsed.help) return { ...toParsedRun(parsed, options, true), help: true };
  return { ...toParsedRun(parsed, options, false), help: false };
}

function toParsedRun(parsed: ParsedArguments, options: ParseRunFlagsOptions, lenient: boolean): ParsedRun {
  const rootfsDir = flagString(parsed, 'rootfs');
  const [first, ...rest] = parsed.positionals;
  const image = rootfsDir === undefined ? first : undefined;
  const args = rootfsDir === undefined ? rest : parsed.positionals;
  if (!lenient && rootfsDir === undefined && image === undefined) throw usageError(`"${options.commandName ?? 'run'}" requires at least 1 argument: an IMAGE (or --rootfs DIR)`);
  if (rootfsDir !== undefined && !rootfsDir.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(rootfsDir)} for flag --rootfs: must be an absolute path`);

  const seccomp = securityOptions(flagList(parsed, 'security-opt'));
  const cliOptions: RunCliOptions = {
    detach: flagBoolean(parsed, 'detach'),
    interactive: flagBoolean(parsed, 'interactive'),
    tty: flagBoolean(parsed, 'tty'),
    autoRemove: flagBoolean(parsed, 'rm'),
    name: flagString(parsed, 'name'),
    image,
    rootfsDir,
    logDriver: flagString(parsed, 'log-driver'),
    logOpts: flagList(parsed, 'log-opt'),
    args,
    entrypoint: flagString(parsed, 'entrypoint'),
    envFiles: flagList(parsed, 'env-file'),
    usernsRemap: flagString(parsed, 'userns-remap'),
    seccompProfileFile: seccomp.profileFile,
    detachKeys: flagString(parsed, 'detach-keys'),
    sigProxy: parsed.flags.get('sig-proxy') !== false,
    bindSources: [],
    lifecycle: parseLifecycleFlags(parsed),
    healthcheck: parseHealthFlags(parsed),
    network: undefined,
    flagTexts: Object.fromEntries([...parsed.flags].flatMap(([name, value]) => (typeof value === 'string' ? [[`--${name}`, value]] : []))),
  };
  if (cliOptions.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(cliOptions.name)) {
    throw usageError(`invalid container name ${JSON.stringify(cliOptions.name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }

  cliOptions.volumes = [];
  const volumes = flagList(parsed, 'volume').flatMap((text) => {
    const volume = volumeFromVolumeFlag(text);
    if (volume) cliOptions.volumes!.push(volume);
    return volume ? [] : [parseVolume(text)];
  });
  const mountFlags = flagList(parsed, 'mount').flatMap((text) => {
    const volume = volumeFromMountFlag(text);
    if (volume) cliOptions.volumes!.push(volume);
    return volume ? [] : [parseMountFlag(text)];
  });
  for (const mount of volumes) if (mount.type === 'bind') cliOptions.bindSources.push({ source: mount.source, flag: '--volume' });
  for (const mount of mountFlags) if (mount.type === 'bind') cliOptions.bindSources.push({ source: mount.source, flag: '--mount' });

  const command: CommandDraft = {
    process: {
      // COMMAND as typed; `--entrypoint` goes to the engine, which combines it with the image's config.
      args,
      env: flagList(parsed, 'env').flatMap((entry) => envEntry(entry, options.hostEnv ?? {})),
      tty: cliOptions.tty,
    },
    readonlyRootfs: flagBoolean(parsed, 'read-only'),
    privileged: flagBoolean(parsed, 'privileged'),
    capAdd: splitList(flagList(parsed, 'cap-add')),
    capDrop: splitList(flagList(parsed, 'cap-drop')),
    groupAdd: flagList(parsed, 'group-add'),
    mounts: [...volumes, ...mountFlags, ...flagList(parsed, 'tmpfs').map(parseTmpfs)],
    devices: flagList(parsed, 'device').map(parseDevice),
    sysctls: Object.fromEntries(flagList(parsed, 'sysctl').map(parseSysctl)),
    resources: resources(parsed),
    namespaces: namespaces(parsed, cliOptions),
    noNewPrivileges: seccomp.noNewPrivileges,
  };
  const user = flagString(parsed, 'user');
  if (user !== undefined) command.process.user = user;
  const workdir = flagString(parsed, 'workdir');
  if (workdir !== undefined) {
    if (!workdir.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(workdir)} for flag --workdir: the working directory must be an absolute path`);
    command.process.workingDir = workdir;
  }
  const hostname = flagString(parsed, 'hostname');
  if (hostname !== undefined) command.hostname = hostname;
  const cgroupParent = flagString(parsed, 'cgroup-parent');
  if (cgroupParent !== undefined) command.cgroupParent = cgroupParent;
  const shmSize = flagString(parsed, 'shm-size');
  if (shmSize !== undefined) command.shmSizeBytes = parseSize('--shm-size', shmSize);
  const oomScoreAdj = flagString(parsed, 'oom-score-adj');
  if (oomScoreAdj !== undefined) command.oomScoreAdj = parseInteger('--oom-score-adj', oomScoreAdj, { min: -1000, max: 1000 });
  if (seccomp.seccomp) command.seccomp = seccomp.seccomp;
  if (seccomp.appArmorProfile !== undefined) command.appArmorProfile = seccomp.appArmorProfile;
  if (seccomp.selinux) command.selinux = seccomp.selinux;
  return { command, cliOptions };
}

function splitList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
}

function envEntry(entry: string, hostEnv: Readonly<Record<string, string | undefined>>): string[] {
  if (entry === '' || entry.startsWith('=')) throw usageError(`invalid value ${JSON.stringify(entry)} for flag --env: expected KEY=VALUE or KEY`);
  if (entry.includes('=')) return [entry];
  const value = hostEnv[entry];
  return value === undefined ? [] : [`${entry}=${value}`];
}

/** Lines of an `--env-file`: KEY=VALUE or KEY (copied from here), `#` comments and blank lines skipped. */
export function parseEnvFile(path: string, text: string, hostEnv: Readonly<Record<string, string | undefined>> = {}): string[] {
  const entries: string[] = [];
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const key = line.split('=', 1)[0]!;
    if (key === '' || /\s/.test(key)) throw usageError(`invalid line ${index + 1} in --env-file ${path}: variable ${JSON.stringify(key)} contains whitespaces or is empty`);
    if (line.includes('=')) entries.push(line);
    else if (hostEnv[key] !== undefined) entries.push(`${key}=${hostEnv[key]}`);
  }
  return entries;
}

function resources(parsed: ParsedArguments): NonNullable<CommandInput['resources']> {
  const result: NonNullable<CommandInput['resources']> = {};
  const text = (name: string) => flagString(parsed, name);
  const memory = text('memory');
  if (memory !== undefined) result.memory = parseSize('--memory', memory);
  const swap = text('memory-swap');
  if (swap !== undefined) result.memorySwap = parseSizeOrUnlimited('--memory-swap', swap);
  const reservation = text('memory-reservation');
  if (reservation !== undefined) result.memoryReservation = parseSize('--memory-reservation', reservation);
  const kernel = text('kernel-memory');
  if (kernel !== undefined) result.kernelMemory = parseSize('--kernel-memory', kernel);
  const swappiness = text('memory-swappiness');
  if (swappiness !== undefined) {
    const value = parseInteger('--memory-swappiness', swappiness, { min: -1, max: 100 });
    if (value !== -1) result.memorySwappiness = value;
  }
  if (parsed.flags.has('oom-kill-disable')) result.oomKillDisable = flagBoolean(parsed, 'oom-kill-disable');
  const cpus = text('cpus');
  if (cpus !== undefined) {
    const value = parseDecimal('--cpus', cpus);
    if (value <= 0) throw usageError(`invalid value ${JSON.stringify(cpus)} for flag --cpus: must be more than 0`);
    result.cpus = value;
  }
  const shares = text('cpu-shares');
  if (shares !== undefined) result.cpuShares = parseInteger('--cpu-shares', shares, { min: 2, max: 262144 });
  const period = text('cpu-period');
  if (period !== undefined) result.cpuPeriod = parseInteger('--cpu-period', period, { min: 1000, max: 1_000_000 });
  const quota = text('cpu-quota');
  if (quota !== undefined) {
    const value = parseInteger('--cpu-quota', quota, { min: -1 });
    if (value !== -1 && value < 1000) throw usageError(`invalid value ${JSON.stringify(quota)} for flag --cpu-quota: must be at least 1000 (1 ms) or -1`);
    result.cpuQuota = value;
  }
  if (cpus !== undefined && (period !== undefined || quota !== undefined)) {
    throw usageError('conflicting options: --cpus and --cpu-period/--cpu-quota cannot be used together');
  }
  const cpusetCpus = text('cpuset-cpus');
  if (cpusetCpus !== undefined) result.cpusetCpus = cpusetCpus;
  const cpusetMems = text('cpuset-mems');
  if (cpusetMems !== undefined) result.cpusetMems = cpusetMems;
  const blkio = text('blkio-weight');
  if (blkio !== undefined) {
    const value = parseInteger('--blkio-weight', blkio, { min: 0, max: 1000 });
    if (value !== 0 && value < 10) throw usageError(`invalid value ${JSON.stringify(blkio)} for flag --blkio-weight: must be between 10 and 1000`);
    if (value !== 0) result.blkioWeight = value;
  }
  const pids = text('pids-limit');
  if (pids !== undefined) result.pidsLimit = parseInteger('--pids-limit', pids, { min: -1 });
  const ulimits = flagList(parsed, 'ulimit').map(parseUlimit);
  if (ulimits.length > 0) result.ulimits = ulimits;
  return result;
}

/** `nofile=1024:2048` or `nofile=1024` (soft = hard), as Docker; -1 is unlimited (`memlock=-1:-1`). */
export function parseUlimit(text: string): { name: string; soft: number; hard: number } {
  const match = /^([a-zA-Z_]+)=(-1|\d+)(?::(-1|\d+))?$/.exec(text);
  if (!match) throw usageError(`invalid value ${JSON.stringify(text)} for flag --ulimit: expected name=soft[:hard] with non-negative numbers or -1 (unlimited)`);
  const soft = Number(match[2]);
  const hard = match[3] === undefined ? soft : Number(match[3]);
  const finite = (value: number) => (value === -1 ? Number.POSITIVE_INFINITY : value);
  if (finite(soft) > finite(hard)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --ulimit: soft limit ${soft} is above the hard limit ${hard}`);
  return { name: match[1]!.toLowerCase(), soft, hard };
}

function isPropagation(text: string): text is MountPropagation {
  return (mountPropagations as readonly string[]).includes(text);
}

/** `/`, `//`, `/./` and the like: a mount there would cover the container's root. */
function isRoot(destination: string): boolean {
  return posix.normalize(destination) === '/';
}

/** `-v /src:/dst[:ro|rw][,propagation]` (the options may also be separated by commas only). */
export function parseVolume(text: string): Mount {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    if (parts.length === 1 && text.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: anonymous volumes are not supported, use /host/path:${text}`);
    throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: expected /src:/dst[:options]`);
  }
  const [source, destination, optionText] = parts as [string, string, string | undefined];
  if (!source.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: named volumes are not supported, the source must be an absolute host path`);
  if (!destination.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: the destination ${JSON.stringify(destination)} must be an absolute path`);
  if (isRoot(destination)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: destination can't be '/'`);
  const mount: Mount = { type: 'bind', source, destination, readonly: false, recursive: true };
  for (const option of (optionText ?? '').split(',').filter((part) => part !== '')) {
    if (option === 'ro') mount.readonly = true;
    else if (option === 'rw') mount.readonly = false;
    else if (isPropagation(option)) mount.propagation = option;
    else if (option === 'z' || option === 'Z' || option === 'nocopy') continue;
    else throw usageError(`invalid value ${JSON.stringify(text)} for flag --volume: unknown option ${JSON.stringify(option)} (ro, rw, ${mountPropagations.join(', ')})`);
  }
  return mount;
}

function mountBoolean(text: string, key: string, value: string | undefined): boolean {
  if (value === undefined || /^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: ${key} must be true or false`);
}

/** `--mount type=bind,source=/a,target=/b,readonly,bind-propagation=rslave` or `type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777`. */
export function parseMountFlag(text: string): Mount {
  const fields = new Map<string, string | undefined>();
  for (const field of text.split(',')) {
    const equals = field.indexOf('=');
    fields.set((equals === -1 ? field : field.slice(0, equals)).trim().toLowerCase(), equals === -1 ? undefined : field.slice(equals + 1));
  }
  const type = fields.get('type') ?? 'volume';
  const destination = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  if (destination === undefined || !destination.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: target must be an absolute path`);
  if (isRoot(destination)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: destination can't be '/'`);
  const readonlyKey = ['readonly', 'ro'].find((key) => fields.has(key));
  const readonly = readonlyKey === undefined ? false : mountBoolean(text, readonlyKey, fields.get(readonlyKey));
  const known = new Set(['type', 'target', 'destination', 'dst', 'source', 'src', 'readonly', 'ro', 'bind-propagation', 'bind-recursive', 'tmpfs-size', 'tmpfs-mode', 'consistency']);
  for (const key of fields.keys()) if (!known.has(key)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: unknown key ${JSON.stringify(key)}`);
  if (type === 'bind') {
    const source = fields.get('source') ?? fields.get('src');
    if (source === undefined || !source.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: source must be an absolute host path`);
    const mount: Mount = { type: 'bind', source, destination, readonly, recursive: true };
    const propagation = fields.get('bind-propagation');
    if (propagation !== undefined) {
      if (!isPropagation(propagation)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: bind-propagation must be one of ${mountPropagations.join(', ')}`);
      mount.propagation = propagation;
    }
    const recursive = fields.get('bind-recursive');
    if (recursive !== undefined) {
      if (recursive === 'disabled') mount.recursive = false;
      else if (recursive !== 'enabled') throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: bind-recursive must be enabled or disabled`);
    }
    return mount;
  }
  if (type === 'tmpfs') {
    const mount: Mount = { type: 'tmpfs', destination, readonly };
    const size = fields.get('tmpfs-size');
    if (size !== undefined) mount.sizeBytes = parseSize('--mount tmpfs-size', size);
    const mode = fields.get('tmpfs-mode');
    if (mode !== undefined) mount.mode = parseMode('--mount tmpfs-mode', mode);
    return mount;
  }
  throw usageError(`invalid value ${JSON.stringify(text)} for flag --mount: type ${JSON.stringify(type)} is not supported (bind or tmpfs)`);
}

function parseMode(flag: string, text: string): number {
  if (!/^[0-7]{1,4}$/.test(text)) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected an octal mode like 1777`);
  return Number.parseInt(text, 8);
}

/** `--tmpfs /run[:size=64m,mode=1777,noexec,...]`. */
export function parseTmpfs(text: string): Mount {
  const colon = text.indexOf(':');
  const destination = colon === -1 ? text : text.slice(0, colon);
  if (!destination.startsWith('/')) throw usageError(`invalid value ${JSON.stringify(text)} for flag --tmpfs: the destination must be an absolute path`);
  if (isRoot(destination)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --tmpfs: destination can't be '/'`);
  const mount: Mount = { type: 'tmpfs', destination, readonly: false };
  const extra: string[] = [];
  for (const option of colon === -1 ? [] : text.slice(colon + 1).split(',').filter((part) => part !== '')) {
    const [key, value] = option.split('=', 2) as [string, string | undefined];
    if (key === 'size' && value !== undefined) mount.sizeBytes = parseSize('--tmpfs size', value);
    else if (key === 'mode' && value !== undefined) mount.mode = parseMode('--tmpfs mode', value);
    else if (key === 'ro') mount.readonly = true;
    else if (key === 'rw') mount.readonly = false;
    else if (/^[a-z0-9_]+(=[^,]+)?$/.test(option)) extra.push(option);
    else throw usageError(`invalid value ${JSON.stringify(text)} for flag --tmpfs: bad option ${JSON.stringify(option)}`);
  }
  if (extra.length > 0) mount.options = extra;
  return mount;
}

/** `--device /dev/x[:/dev/y][:rwm]`. */
export function parseDevice(text: string): NonNullable<CommandInput['devices']>[number] {
  const parts = text.split(':');
  const path = parts[0]!;
  if (!path.startsWith('/') || parts.length > 3) throw usageError(`invalid value ${JSON.stringify(text)} for flag --device: expected /dev/host[:/dev/container][:rwm]`);
  const device: NonNullable<CommandInput['devices']>[number] = { path };
  const second = parts[1];
  const third = parts[2];
  if (second !== undefined) {
    if (second.startsWith('/')) device.containerPath = second;
    else if (third === undefined && /^[rwm]{1,3}$/.test(second)) device.permissions = second;
    else throw usageError(`invalid value ${JSON.stringify(text)} for flag --device: bad container path or permissions ${JSON.stringify(second)}`);
  }
  if (third !== undefined) {
    if (!/^[rwm]{1,3}$/.test(third)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --device: permissions must be a combination of r, w and m`);
    device.permissions = third;
  }
  return device;
}

function parseSysctl(text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw usageError(`invalid value ${JSON.stringify(text)} for flag --sysctl: expected key=value`);
  return [text.slice(0, equals), text.slice(equals + 1)];
}

function namespaceSetting(flag: string, text: string | undefined, allowed: readonly string[]): NamespaceSetting | undefined {
  if (text === undefined || text === '') return undefined;
  if (text.startsWith('container:')) {
    const container = text.slice('container:'.length);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(container)) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: bad container name`);
    return { mode: 'container', container };
  }
  if (text === 'host') return { mode: 'host' };
  if (allowed.includes(text)) return { mode: 'new' };
  throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected ${[...allowed, 'host', 'container:<name>'].join(', ')}`);
}

function namespaces(parsed: ParsedArguments, cliOptions: RunCliOptions): NonNullable<CommandInput['namespaces']> {
  const result: NonNullable<CommandInput['namespaces']> = {};
  const ipc = namespaceSetting('--ipc', flagString(parsed, 'ipc'), ['private', 'shareable', 'none']);
  if (ipc) result.ipc = ipc;
  const pid = namespaceSetting('--pid', flagString(parsed, 'pid'), ['private']);
  if (pid) result.pid = pid;
  const uts = namespaceSetting('--uts', flagString(parsed, 'uts'), ['private']);
  if (uts) result.uts = uts;
  const network = parseNetworkFlags(parsed);
  if (cliOptions.usernsRemap !== undefined && flagString(parsed, 'network') === undefined && network.config?.ports.length === 0 && !network.config.publishAll) {
    // With --userns-remap the driver cannot join a namespace made outside the container's user
    // namespace (sysfs): such a container keeps a network namespace of its own, as before bridges.
    result.network = { mode: 'new' };
    return result;
  }
  result.network = network.setting;
  cliOptions.network = network.config;
  return result;
}

interface SecurityOptions {
  seccomp: CommandInput['seccomp'];
  profileFile: string | undefined;
  noNewPrivileges: boolean;
  appArmorProfile: string | undefined;
  selinux: CommandInput['selinux'];
}

/** `--security-opt`: apparmor=, label=, seccomp=unconfined|FILE, no-new-privileges[=true|false] (also the old `:` forms). */
function securityOptions(values: readonly string[]): SecurityOptions {
  const result: SecurityOptions = { seccomp: undefined, profileFile: undefined, noNewPrivileges: false, appArmorProfile: undefined, selinux: undefined };
  const label: Record<string, string> = {};
  let labelDisabled = false;
  for (const value of values) {
    if (value === 'no-new-privileges') {
      result.noNewPrivileges = true;
      continue;
    }
    const match = /^([a-z-]+)[=:](.*)$/.exec(value);
    if (!match) throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: expected key=value`);
    const [, key, setting] = match as unknown as [string, string, string];
    if (key === 'no-new-privileges') {
      if (!/^(true|false)$/.test(setting)) throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: no-new-privileges takes true or false`);
      result.noNewPrivileges = setting === 'true';
    } else if (key === 'seccomp') {
      if (setting === 'unconfined') result.seccomp = { mode: 'unconfined' };
      else if (setting === 'builtin' || setting === 'default') result.seccomp = { mode: 'default' };
      else if (setting.startsWith('/') || setting.startsWith('.')) result.profileFile = setting;
      else throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: seccomp takes unconfined or a profile file path`);
    } else if (key === 'apparmor') {
      if (setting === '') throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: apparmor needs a profile name`);
      result.appArmorProfile = setting;
    } else if (key === 'label') {
      if (setting === 'disable') labelDisabled = true;
      else {
        const labelMatch = /^(user|role|type|level):(.+)$/.exec(setting);
        if (!labelMatch) throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: label takes user:, role:, type:, level: or disable`);
        label[labelMatch[1]!] = labelMatch[2]!;
      }
    } else throw usageError(`invalid value ${JSON.stringify(value)} for flag --security-opt: unknown option ${JSON.stringify(key)}`);
  }
  if (!labelDisabled && Object.keys(label).length > 0) {
    result.selinux = {
      processLabel: [label.user ?? 'system_u', label.role ?? 'system_r', label.type ?? 'container_t', label.level ?? 's0'].join(':'),
    };
  }
  return result;
}
