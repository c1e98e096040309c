import { hostname, release, totalmem, cpus } from 'node:os';
import { detectCgroupMode } from '@execdriver/cgroups';
import { eventToJson, isActive, parseEventFilters } from '@execdriver/engine';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { apiVersion, minApiVersion, parseFilters, type Call, type Route } from './http.js';

declare const EXECDRIVERD_VERSION: string;
/** The package's version (set by the bundler; `dev` when run from source). */
export const daemonVersion = typeof EXECDRIVERD_VERSION === 'string' ? EXECDRIVERD_VERSION : 'dev';

const arch = process.arch === 'x64' ? 'amd64' : process.arch;

async function ping(_context: DaemonContext, call: Call): Promise<void> {
  call.send(200, 'OK', { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Content-Type': 'text/plain; charset=utf-8' });
}

async function version(context: DaemonContext, call: Call): Promise<void> {
  // The runtime new containers get (runc, crun, ...), as dockerd names its runc.
  const runtime = await context.engine
    .driver()
    .then((driver) => driver.runtimes())
    .then((runtimes) => runtimes.default, () => undefined);
  const kernel = release();
  const details = { ApiVersion: apiVersion, MinAPIVersion: minApiVersion, GitCommit: '', GoVersion: `node ${process.version}`, Os: 'linux', Arch: arch, KernelVersion: kernel, BuildTime: '' };
  call.send(200, {
    Platform: { Name: 'execdriverd' },
    Components: [
      { Name: 'Engine', Version: daemonVersion, Details: details },
      { Name: runtime?.name ?? 'runc', Version: runtime?.version ?? 'unknown', Details: { GitCommit: '' } },
    ],
    Version: daemonVersion,
    ...details,
  });
}

async function info(context: DaemonContext, call: Call): Promise<void> {
  const { containers } = await context.engine.list();
  const { images } = await context.engine.images.list();
  const running = containers.filter((container) => container.state === 'running').length;
  const paused = containers.filter((container) => container.state === 'paused').length;
  const mode = detectCgroupMode('/sys/fs/cgroup');
  const runtimes = await (await context.engine.driver()).runtimes();
  call.send(200, {
    ID: '',
    Containers: containers.length,
    ContainersRunning: running,
    ContainersPaused: paused,
    ContainersStopped: containers.filter((container) => !isActive(container)).length,
    Images: images.length,
    Driver: 'overlay',
    DriverStatus: [],
    DockerRootDir: context.flags.dataRoot,
    ExecRoot: context.flags.execRoot,
    Plugins: { Volume: [], Network: ['host', 'none'], Authorization: null, Log: [] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: false,
    Debug: context.flags.logLevel === 'debug',
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: mode === 'unified' ? '2' : '1',
    KernelVersion: release(),
    OperatingSystem: 'linux',
    OSType: 'linux',
    OSVersion: '',
    Architecture: arch,
    NCPU: cpus().length,
    MemTotal: totalmem(),
    Name: hostname(),
    Labels: [],
    ServerVersion: daemonVersion,
    // Docker's shape: every runtime by name with its path; the default of new containers.
    Runtimes: Object.fromEntries(runtimes.available.map((runtime) => [runtime.name, { path: runtime.path, ...(runtime.problem ? { status: { problem: runtime.problem } } : {}) }])),
    DefaultRuntime: runtimes.default.name,
    RuncCommit: { ID: runtimes.available.find((runtime) => runtime.name === 'runc')?.version ?? '' },
    Swarm: { LocalNodeState: 'inactive', NodeID: '', NodeAddr: '', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: '',
    SecurityOptions: ['name=seccomp,profile=builtin'],
    Warnings: mode === 'unified' ? [] : [],
    RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: [], Mirrors: [] },
    IndexServerAddress: '',
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
  });
}

function timeOf(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed / 1000;
}

/**
 * `GET /events`: the engine's events journal, shared with the CLI and every other engine process
 * (past events from `since`, then new ones until `until` or the client goes), as JSON lines.
 */
async function events(context: DaemonContext, call: Call): Promise<void> {
  const since = timeOf(call.query.get('since'));
  const until = timeOf(call.query.get('until'));
  const texts: string[] = [];
  for (const [key, values] of parseFilters(call.query.get('filters'))) for (const value of values) texts.push(`${key}=${value}`);
  let filters;
  try {
    filters = parseEventFilters(texts);
  } catch (error) {
    throw new DaemonError('BAD_PARAMETER', (error as Error).message, { cause: error });
  }
  const toNano = (seconds: number) => BigInt(Math.round(seconds * 1e9));
  const output = call.stream('application/json');
  const abort = new AbortController();
  call.onClose(() => abort.abort());
  try {
    for await (const event of context.engine.events.follow({
      ...(since !== undefined ? { since: toNano(since) } : {}),
      ...(until !== undefined ? { until: toNano(until) } : {}),
      filters,
      signal: abort.signal,
      pollMs: 50,
    })) {
      output.write(`${eventToJson(event)}\n`);
    }
  } finally {
    output.end();
  }
}

export function systemRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [route(['GET', 'HEAD'], '/_ping', ping), route('GET', '/version', version), route('GET', '/info', info), route('GET', '/events', events)];
}
