import { knownRuntimeNames } from '@execdriver/driver';
import { DaemonError } from './errors.js';
import { logLevels, type LogLevel } from './log.js';

/** What execdriverd's command line (dockerd's flag names) and environment say. */
export interface DaemonFlags {
  /** Unix socket paths to serve the API on (`-H unix:///path`, repeatable). */
  hosts: string[];
  /** `--data-root`: images, container records and layers (default EXECDRIVER_DATA_ROOT or /var/lib/execdriver, shared with the CLI). */
  dataRoot: string;
  /** `--exec-root`: runtime state (default EXECDRIVER_STATE_ROOT or /run/execdriver, shared with the CLI). */
  execRoot: string;
  pidfile: string | undefined;
  /** `-G/--group`: the group owning the sockets (default docker; root when there is no such group). */
  group: string;
  logLevel: LogLevel;
  /** `--default-runtime`: runc, crun or youki (on PATH) or the absolute path of a runtime binary (else EXECDRIVER_RUNC; unset: crun on pure cgroup v2 where installed, runc otherwise). */
  runc: string | undefined;
  cgroupPrefix: string;
  /** The default bridge's interface (EXECDRIVER_BRIDGE, as the CLI; the engine's default otherwise). */
  bridge: string | undefined;
  /** CNI plugin directories (EXECDRIVER_CNI_PATH, colon-separated, as the CLI). */
  cniPath: string | undefined;
  help: boolean;
  version: boolean;
}

export const defaultHost = 'unix:///run/execdriverd.sock';

export const usage = `Usage:  execdriverd [OPTIONS]

The Docker Engine API on a unix socket, over the execdriver engine (runc). Containers keep
running when it stops; the execdriver CLI sees the same containers.

Options:
  -H, --host list            Daemon socket to listen on, unix://PATH (default ${defaultHost}; repeatable)
      --data-root string     Root of persistent data (default EXECDRIVER_DATA_ROOT or /var/lib/execdriver)
      --exec-root string     Root of runtime state (default EXECDRIVER_STATE_ROOT or /run/execdriver)
  -p, --pidfile string       Path to use for the daemon PID file
  -G, --group string         Group for the unix sockets (default "docker", root when it does not exist)
  -l, --log-level string     debug, info, warn, error or fatal (default "info")
      --default-runtime string  runc, crun, youki, or the path of an OCI runtime (default crun on pure cgroup v2 where installed, else runc)
  -v, --version              Print version information and quit
      --help                 Print usage
`;

const valued: Record<string, keyof DaemonFlags> = {
  '-H': 'hosts',
  '--host': 'hosts',
  '--data-root': 'dataRoot',
  '--exec-root': 'execRoot',
  '-p': 'pidfile',
  '--pidfile': 'pidfile',
  '-G': 'group',
  '--group': 'group',
  '-l': 'logLevel',
  '--log-level': 'logLevel',
  '--default-runtime': 'runc',
};

/** `unix:///path` (or a bare absolute path) to the socket path; `tcp://` and `fd://` are refused. */
export function socketPathOf(host: string): string {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(host)} for flag --host: the socket path must be absolute (unix:///run/execdriverd.sock)`);
    return path;
  }
  if (host.startsWith('/')) return host;
  if (/^(tcp|http|https):\/\//.test(host) || /^[^/]*:\d+$/.test(host)) {
    throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(host)} for flag --host: execdriverd serves unix sockets only (TCP would give root to anyone who can reach the port: there is no TLS or authentication); use unix:///path and ssh or socket permissions to reach it`);
  }
  throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(host)} for flag --host: expected unix:///path`);
}

export function parseDaemonFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DaemonFlags {
  const flags: DaemonFlags = {
    hosts: [],
    dataRoot: env.EXECDRIVER_DATA_ROOT || '/var/lib/execdriver',
    execRoot: env.EXECDRIVER_STATE_ROOT || '/run/execdriver',
    pidfile: undefined,
    group: 'docker',
    logLevel: 'info',
    runc: env.EXECDRIVER_RUNC || undefined,
    cgroupPrefix: env.EXECDRIVER_CGROUP_PREFIX || 'execdriver',
    bridge: env.EXECDRIVER_BRIDGE || undefined,
    cniPath: env.EXECDRIVER_CNI_PATH || undefined,
    help: false,
    version: false,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    if (arg === '-v' || arg === '--version') {
      flags.version = true;
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const key = valued[name];
    if (!key) throw new DaemonError('BAD_FLAG', `unknown flag: ${name} (see execdriverd --help)`);
    let value: string | undefined = equals > 0 ? arg.slice(equals + 1) : argv[++index];
    if (value === undefined) throw new DaemonError('BAD_FLAG', `flag needs an argument: ${name}`);
    if (key === 'hosts') {
      socketPathOf(value);
      flags.hosts.push(value);
    } else if (key === 'logLevel') {
      if (!(logLevels as readonly string[]).includes(value)) throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(value)} for flag --log-level: expected ${logLevels.join(', ')}`);
      flags.logLevel = value as LogLevel;
    } else if (key === 'runc') {
      if (!(knownRuntimeNames as readonly string[]).includes(value) && !value.startsWith('/')) {
        throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(value)} for flag --default-runtime: give ${knownRuntimeNames.join(', ')} or the absolute path of an OCI runtime`);
      }
      flags.runc = value;
    } else if (key === 'dataRoot' || key === 'execRoot' || key === 'pidfile') {
      if (!value.startsWith('/')) throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(value)} for flag ${name}: must be an absolute path`);
      (flags as unknown as Record<string, string>)[key] = value;
      value = undefined;
    } else (flags as unknown as Record<string, string>)[key] = value;
  }
  if (flags.hosts.length === 0) flags.hosts.push(defaultHost);
  return flags;
}
