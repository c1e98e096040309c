import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, statSync, watch } from 'node:fs';
import { readFile, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  detectCgroupMode,
  openCgroup,
  takeSample,
  watchOom,
  type CgroupMode,
  type OomEvent,
} from '@execdriver/cgroups';
import { supportedNamespaceKinds } from '@execdriver/namespaces';
import {
  capabilitiesFromMask,
  createRuntimeSpec,
  detectLsm,
  hostnameFileContent,
  hostsFileContent,
  listHostDevices,
  readOnlineCpus,
  resolvConfContent,
  resolveDevices,
  resolveUser,
  serializeRuntimeSpec,
  type EtcFiles,
  type LsmSupport,
} from '@execdriver/oci';
import {
  SpecError,
  knownCapabilities,
  isValidContainerId,
  parseCommand,
  parseFeatures,
  parseProcessConfig,
  type Capability,
  type Features,
  type Command,
  type CommandInput,
  type ExitStatus,
  type RuntimeSpec,
  type ProcessConfig,
  type ProcessConfigInput,
} from '@execdriver/spec';
import { openTerminal, pipeStdio } from '@execdriver/terminal';
import type {
  ContainerInfo,
  ContainerIo,
  ContainerStats,
  ContainerStatus,
  ContainerSummary,
  Driver,
  Hooks,
  StartedContainer,
  StartOptions,
} from './driver-types.js';
import { DriverError } from './errors.js';
import { bridgeHooks, HookChannel, installHookScript, type HookEvent } from './hook-bridge.js';
import { IdLock } from './id-lock.js';
import { Runc, lastRuncLogMessage } from './runc.js';
import { toExecArgs, toRunArgs } from './runc-args.js';
import { normalizeSignal } from './signals.js';
import { OomFeed } from './oom-feed.js';
import { isFrozen, processStartTime } from './process-identity.js';
import { StateStore, type ContainerRecord } from './state-store.js';

export interface DriverOptions {
  /** The runc binary, a path or a name on PATH (default `runc`). */
  runc?: string;
  /** Where the driver keeps its state (default `/run/execdriver`, mode 0700). */
  stateRoot?: string;
  /** runc's own `--root` (default `<stateRoot>/runc`). */
  runcRoot?: string;
  cgroupRoot?: string;
  procRoot?: string;
  /** First component of the cgroups path of containers without a cgroupParent (default `execdriver`). */
  cgroupsPathPrefix?: string;
  /** The host's /sys (LSM and online CPUs), /etc (hosts, resolv.conf) and /dev (privileged devices). */
  sysRoot?: string;
  etcRoot?: string;
  devRoot?: string;
}

/**
 * The shim: a few lines of sh that wait for `runc run --keep` (the parent of the container's
 * process, which returns its exit status) and record that status in a file. It runs in its own
 * session, so it outlives the Node process that started it; `--keep` keeps the stopped container
 * and its cgroup until the driver has read the OOM counters.
 */
const shimScript = 'exit_file=$1; shift; "$@"; code=$?; printf "%s\\n" "$code" > "$exit_file"; exit $code';

export async function createDriver(options: DriverOptions = {}): Promise<Driver> {
  const stateRoot = options.stateRoot ?? '/run/execdriver';
  const runc = new Runc({ command: options.runc ?? 'runc', root: options.runcRoot ?? join(stateRoot, 'runc') });
  const store = new StateStore(stateRoot);
  await store.init();
  const { version, features } = await runcInfo(runc, stateRoot);
  const hookScriptPath = await installHookScript(stateRoot);
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const procRoot = options.procRoot ?? '/proc';
  const sysRoot = options.sysRoot ?? '/sys';
  const cgroupMode = detectCgroupMode(cgroupRoot);
  const supportedNamespaces = await supportedNamespaceKinds({ procRoot });
  // "All capabilities" (privileged) means the ones this process holds in its bounding set, as Docker.
  const boundingMask = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile(join(procRoot, 'self/status'), 'utf8'))?.[1];
  const availableCapabilities = boundingMask === undefined ? [...knownCapabilities] : capabilitiesFromMask(boundingMask);
  return new RuncDriver({
    runc,
    store,
    version,
    features,
    hookScriptPath,
    cgroupRoot,
    procRoot,
    cgroupMode,
    supportedNamespaces,
    availableCapabilities,
    hostname: hostname(),
    lsm: await detectLsm({ sysRoot }),
    onlineCpus: await readOnlineCpus({ sysRoot }),
    etcRoot: options.etcRoot ?? '/etc',
    devRoot: options.devRoot ?? '/dev',
    cgroupsPathPrefix: options.cgroupsPathPrefix ?? 'execdriver',
  });
}

/**
 * runc's version and `runc features`, asked once per runc binary and remembered in the state
 * root (keyed by the binary's path, size and mtime): a CLI creates a driver per invocation and
 * each runc call costs a process start.
 */
async function runcInfo(runc: Runc, stateRoot: string): Promise<{ version: string; features: Features | undefined }> {
  const binary = findExecutable(runc.options.command);
  if (binary === undefined) {
    throw new DriverError('RUNC_MISSING', `runc not found (${runc.options.command}): install it with "apt-get install -y runc"`);
  }
  const info = await stat(binary);
  const key = `${binary}:${info.size}:${info.mtimeMs}`;
  const cacheFile = join(stateRoot, 'runc-info.json');
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { key?: string; version?: string; features?: unknown };
    if (cached.key === key && typeof cached.version === 'string') {
      return { version: cached.version, features: cached.features === undefined ? undefined : parseFeatures(cached.features) };
    }
  } catch {
    // no cache yet, or an unreadable one: ask runc again
  }
  let version: string;
  try {
    version = (await runc.version()).runc;
  } catch (error) {
    if (error instanceof DriverError && error.code === 'RUNC_MISSING') throw error;
    throw new DriverError('RUNC_MISSING', `runc (${binary}) does not run: install it with "apt-get install -y runc"`, { cause: error });
  }
  const features = await runc.features();
  await writeFile(cacheFile, JSON.stringify({ key, version, features }));
  return { version, features };
}

/** A command name looked up on PATH (or a path), if it is an executable file. */
function findExecutable(command: string): string | undefined {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

interface DriverContext {
  runc: Runc;
  store: StateStore;
  version: string;
  /** `runc features`, when this runc has it: what the runtime supports (namespaces, capabilities, seccomp). */
  features: Features | undefined;
  hookScriptPath: string;
  cgroupRoot: string;
  procRoot: string;
  cgroupMode: CgroupMode;
  supportedNamespaces: Awaited<ReturnType<typeof supportedNamespaceKinds>>;
  availableCapabilities: Capability[];
  hostname: string;
  /** Whether AppArmor and SELinux are enabled here: settings for a missing one are dropped with a warning, as Docker. */
  lsm: LsmSupport;
  onlineCpus: ReadonlySet<number>;
  etcRoot: string;
  devRoot: string;
  cgroupsPathPrefix: string;
}

/** Ids come from callers: never let one name a path outside the state root, or an odd runc argument. */
function assertId(id: string): void {
  if (typeof id !== 'string' || !isValidContainerId(id) || id === '.' || id === '..') {
    throw new DriverError('INVALID_ID', `invalid container id ${JSON.stringify(id)}: must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$ and be at most 128 characters`);
  }
}

function toCommand(input: CommandInput): Command {
  try {
    return parseCommand(input);
  } catch (error) {
    if (error instanceof SpecError) throw new DriverError('INVALID_COMMAND', error.message, { cause: error });
    throw error;
  }
}

async function runCallbacks(kind: string, callbacks: readonly (() => void | Promise<void>)[]): Promise<void> {
  for (const callback of callbacks) {
    try {
      await callback();
    } catch (error) {
      throw new DriverError('HOOK_FAILED', `${kind} hook failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

class RuncDriver implements Driver {
  readonly #context: DriverContext;
  readonly #lock = new IdLock();
  /** Containers this driver is watching, by id: their `exited` promises. */
  readonly #watched = new Map<string, Promise<ExitStatus>>();

  constructor(context: DriverContext) {
    this.#context = context;
  }

  name(): string {
    return `runc-${this.#context.version}`;
  }

  supportsHooks(): boolean {
    return true;
  }

  logPaths(id: string): { stdout: string; stderr: string } {
    assertId(id);
    const paths = this.#context.store.paths(id);
    return { stdout: paths.stdoutLog, stderr: paths.stderrLog };
  }

  async run(command: CommandInput, io: ContainerIo = {}, hooks: Hooks = {}, options: StartOptions = {}): Promise<ExitStatus> {
    const started = await this.start(command, io, hooks, options);
    return started.exited;
  }

  async start(input: CommandInput, io: ContainerIo = {}, hooks: Hooks = {}, options: StartOptions = {}): Promise<StartedContainer> {
    const command = toCommand(input);
    return this.#lock.run(command.id, () => this.#start(command, io, hooks, options));
  }

  async #start(command: Command, io: ContainerIo, hooks: Hooks, options: StartOptions): Promise<StartedContainer> {
    const { store } = this.#context;
    const rootfsStat = await stat(command.rootfs).catch(() => undefined);
    if (!rootfsStat?.isDirectory()) throw new DriverError('ROOTFS_NOT_FOUND', `root filesystem ${command.rootfs} does not exist or is not a directory`);
    await store.create(command.id);
    const paths = store.paths(command.id);
    let channel: HookChannel | undefined;
    let record: ContainerRecord;
    try {
      const { spec, warnings } = await this.#buildSpec(command, paths.dir, { writeEtcFiles: true });
      const wantsPreStart = (hooks.preStart?.length ?? 0) > 0;
      const specHooks = { ...(spec.hooks ?? {}) } as Record<string, unknown[]>;
      if (wantsPreStart) {
        for (const [phase, entries] of Object.entries(bridgeHooks(this.#context.hookScriptPath, paths.dir))) specHooks[phase] = [...(specHooks[phase] ?? []), ...entries];
      }
      const config = Object.keys(specHooks).length > 0 ? { ...spec, hooks: specHooks } : spec;
      await writeFile(paths.config, serializeRuntimeSpec(config));
      record = {
        id: command.id,
        bundle: paths.dir,
        rootfs: command.rootfs,
        cgroupsPath: String(spec.linux?.cgroupsPath ?? ''),
        createdAt: new Date().toISOString(),
        logs: io.logs ?? false,
        tty: command.process.tty,
        command,
        labels: options.labels ?? {},
        warnings: warnings.map((warning) => warning.message),
      };
      for (const warning of warnings) options.onWarning?.(warning.message);
      await store.write(record);
      if (wantsPreStart) channel = HookChannel.open(paths);
    } catch (error) {
      channel?.close();
      await store.remove(command.id);
      if (error instanceof DriverError) throw error;
      if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
        throw new DriverError('INVALID_COMMAND', `container ${command.id}: ${error.message}`, { cause: error });
      }
      throw error;
    }
    return this.#launch(command, record, channel, io, hooks);
  }

  /** The runtime config for a command on this host, exactly as `start` builds it (without our hooks). */
  async #buildSpec(command: Command, dir: string, options: { writeEtcFiles: boolean; userRoot?: string }) {
    const joined = await this.#joinedPids(command);
    const user = await resolveUser(command, { rootfs: options.userRoot ?? command.rootfs });
    const devices = await resolveDevices(command);
    const etcFiles = await this.#writeEtcFiles(command, dir, options.writeEtcFiles);
    const hostDevices = command.privileged ? await listHostDevices({ devRoot: this.#context.devRoot }) : undefined;
    return createRuntimeSpec(command, {
      cgroupMode: this.#context.cgroupMode,
      containerPid: (id: string) => joined.get(id),
      procRoot: this.#context.procRoot,
      supportedNamespaces: this.#context.supportedNamespaces,
      architecture: process.arch,
      user,
      devices,
      cgroupsPathPrefix: this.#context.cgroupsPathPrefix,
      availableCapabilities: this.#context.availableCapabilities,
      ...(this.#context.features ? { features: this.#context.features } : {}),
      hostNetwork: { hostname: this.#context.hostname },
      etcFiles,
      lsm: this.#context.lsm,
      onlineCpus: this.#context.onlineCpus,
      ...(hostDevices ? { hostDevices } : {}),
    });
  }

  async spec(input: CommandInput, options: { userRoot?: string } = {}): Promise<{ spec: RuntimeSpec; warnings: string[] }> {
    const command = toCommand(input);
    try {
      const { spec, warnings } = await this.#buildSpec(command, this.#context.store.paths(command.id).dir, {
        writeEtcFiles: false,
        ...(options.userRoot === undefined ? {} : { userRoot: options.userRoot }),
      });
      return { spec, warnings: warnings.map((warning) => warning.message) };
    } catch (error) {
      if (error instanceof DriverError) throw error;
      if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
        throw new DriverError('INVALID_COMMAND', `container ${command.id}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * /etc/hosts, /etc/resolv.conf and /etc/hostname for the container, written into its state
   * directory and bind-mounted by the config, as Docker does. A container that joins another's
   * network namespace shares that container's files.
   */
  async #writeEtcFiles(command: Command, dir: string, write = true): Promise<EtcFiles> {
    const { etcRoot, store } = this.#context;
    const network = command.namespaces.network;
    if (network?.mode === 'container') {
      const other = store.paths(network.container).dir;
      const shared: EtcFiles = {};
      for (const [key, file] of [['hosts', 'hosts'], ['resolvConf', 'resolv.conf'], ['hostname', 'hostname']] as const) {
        if (existsSync(join(other, file))) shared[key] = join(other, file);
      }
      return shared;
    }
    const mode = network?.mode === 'host' ? 'host' : network?.mode === 'none' ? 'none' : 'new';
    const uts = command.namespaces.uts?.mode ?? 'new';
    const hostname =
      uts === 'new'
        ? (command.hostname ?? (mode === 'host' ? this.#context.hostname : undefined) ?? command.id.slice(0, 64))
        : uts === 'host'
          ? this.#context.hostname
          : undefined;
    const readHostFile = (name: string) => readFile(join(etcRoot, name), 'utf8').catch(() => '');
    const files: EtcFiles = {
      hosts: join(dir, 'hosts'),
      resolvConf: join(dir, 'resolv.conf'),
    };
    if (!write) return hostname === undefined ? files : { ...files, hostname: join(dir, 'hostname') };
    await writeFile(
      files.hosts!,
      hostsFileContent({ hostname: hostname ?? this.#context.hostname, network: mode, ...(command.domainname ? { domainname: command.domainname } : {}), ...(mode === 'host' ? { hostHosts: await readHostFile('hosts') } : {}) }),
    );
    await writeFile(files.resolvConf!, resolvConfContent({ hostResolvConf: await readHostFile('resolv.conf'), network: mode }));
    if (hostname !== undefined) {
      files.hostname = join(dir, 'hostname');
      await writeFile(files.hostname, hostnameFileContent(hostname));
    }
    return files;
  }

  /** Pids of the containers whose namespaces this command joins. */
  async #joinedPids(command: Command): Promise<Map<string, number>> {
    const pids = new Map<string, number>();
    for (const setting of Object.values(command.namespaces)) {
      if (setting?.mode !== 'container' || pids.has(setting.container)) continue;
      const state = await this.#context.runc.stateIfExists(setting.container);
      if (state && state.status === 'running' && state.pid) pids.set(setting.container, state.pid);
    }
    return pids;
  }

  #launch(command: Command, record: ContainerRecord, channel: HookChannel | undefined, io: ContainerIo, hooks: Hooks): Promise<StartedContainer> {
    const { runc, store } = this.#context;
    const paths = store.paths(command.id);
    const args = ['-c', shimScript, 'execdriver-shim', paths.exitCode, runc.options.command, ...runc.globalArgs(paths.runcLog), ...toRunArgs(command.id, { bundle: paths.dir, keep: true, pidFile: paths.pidFile })];
    let shimExit: Promise<number>;
    let shimPid: number | undefined;
    let child: ChildProcess | undefined;
    if (command.process.tty) {
      const terminal = openTerminal('/bin/sh', args, {
        cols: command.process.consoleSize?.width ?? 80,
        rows: command.process.consoleSize?.height ?? 24,
      });
      shimPid = terminal.pid;
      if (io.stdout) terminal.output.pipe(io.stdout, { end: false });
      else terminal.output.resume();
      io.stdin?.on('data', (chunk: Buffer) => terminal.write(chunk));
      io.onTerminal?.(terminal);
      shimExit = terminal.exited.then((exit) => exit.exitCode);
    } else if (io.logs) {
      const stdout = openSync(paths.stdoutLog, 'a', 0o600);
      const stderr = openSync(paths.stderrLog, 'a', 0o600);
      child = spawn('/bin/sh', args, { detached: true, stdio: ['ignore', stdout, stderr] });
      closeSync(stdout);
      closeSync(stderr);
      child.unref();
      shimPid = child.pid;
      shimExit = new Promise((resolve) => child!.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? normalizeSignal(signal).number : 0))));
    } else {
      child = spawn('/bin/sh', args, {
        detached: true,
        stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', io.stderr ? 'pipe' : 'ignore'],
      });
      shimPid = child.pid;
      const piped = pipeStdio(child, { ...(io.stdin ? { stdin: io.stdin } : {}), ...(io.stdout ? { stdout: io.stdout } : {}), ...(io.stderr ? { stderr: io.stderr } : {}) }).catch(() => undefined);
      shimExit = new Promise((resolve) =>
        child!.on('exit', (code, signal) => {
          void piped;
          resolve(code ?? 128 + (signal ? normalizeSignal(signal).number : 0));
        }),
      );
    }
    child?.on('error', () => undefined);

    return new Promise<StartedContainer>((resolveStart, rejectStart) => {
      let started = false;
      let hookFailure: unknown;
      let pid = 0;
      const processConfig = command.process;
      const oomFeed = new OomFeed(record.cgroupsPath, this.#context.cgroupRoot);
      const oomEvents = (): AsyncIterable<OomEvent> => oomFeed.subscribe();

      let startRecorded: Promise<void> | undefined;
      const markStarted = (startedPid: number): Promise<void> => {
        if (startRecorded) return startRecorded;
        started = true;
        pid = startedPid;
        const pidStartTime = processStartTime(pid, this.#context.procRoot);
        record = { ...record, pid, shimPid, startedAt: new Date().toISOString(), ...(pidStartTime === undefined ? {} : { pidStartTime }) };
        startRecorded = store.write(record).then(async () => {
          if (hooks.start) {
            try {
              await hooks.start(processConfig, pid, oomEvents());
            } catch {
              // As in the original, an error of Start is ignored: the process already runs.
            }
          }
          resolveStart({ id: command.id, pid, exited, warnings: record.warnings });
        });
        return startRecorded;
      };

      channel?.onEvent((event: HookEvent) => {
        pid = event.state.pid ?? 0;
        void runCallbacks('preStart', (hooks.preStart ?? []).map((hook) => () => hook(processConfig, pid, oomEvents())))
          .then(() => channel.answer(true))
          .catch((error: unknown) => {
            hookFailure = error;
            channel.answer(false);
          });
      });

      // runc writes the pid file (write + rename) once the user's process has been started.
      const readPidFile = (): number | undefined => {
        try {
          const value = Number(readFileSync(paths.pidFile, 'utf8').trim());
          return Number.isInteger(value) && value > 0 ? value : undefined;
        } catch {
          return undefined;
        }
      };
      const watcher = watch(paths.dir, (_event, file) => {
        if (file !== 'pid' || started) return;
        const startedPid = readPidFile();
        if (startedPid !== undefined) void markStarted(startedPid);
      });
      watcher.on('error', () => undefined);

      const exited: Promise<ExitStatus> = shimExit.then(async (shimCode) => {
        channel?.close();
        watcher.close();
        if (!started) {
          // The exit can be seen before the watcher reported the pid file.
          const startedPid = readPidFile();
          if (startedPid !== undefined) await markStarted(startedPid);
        }
        if (started) await startRecorded;
        if (!started) {
          const log = await readFile(paths.runcLog, 'utf8').catch(() => '');
          await this.#destroy(command.id);
          const error =
            hookFailure instanceof DriverError
              ? hookFailure
              : new DriverError('RUNC_FAILED', `container ${command.id} did not start: ${lastRuncLogMessage(log) ?? `runc exited with ${shimCode}`}`, {
                  runc: { args, exitCode: shimCode, stderr: '', runcMessage: lastRuncLogMessage(log) },
                });
          rejectStart(error);
          throw error;
        }
        const status = await this.#lock.run(command.id, () => this.#recordExit(command.id, shimCode, (kills) => oomFeed.finish(kills)));
        oomFeed.finish(0);
        // runc delete releases the cgroups; it runs under the id's lock so clean() waits for it.
        const released = this.#lock.run(command.id, () => this.#release(command.id));
        const postStop = hooks.postStop ?? [];
        if (postStop.length === 0) {
          released.catch(() => undefined);
          return status;
        }
        await released;
        await runCallbacks('postStop', postStop.map((hook) => () => hook(processConfig, pid, status)));
        return status;
      });
      exited.catch(() => undefined);
      this.#watched.set(command.id, exited);
      void exited.finally(() => this.#watched.delete(command.id)).catch(() => undefined);
    });
  }

  /** OOM events of the container's cgroup, watched only while someone iterates. */
  #oomEvents(cgroupsPath: string): AsyncIterable<OomEvent> {
    const cgroupRoot = this.#context.cgroupRoot;
    return {
      [Symbol.asyncIterator]: () => watchOom(openCgroup(cgroupsPath, { cgroupRoot }))[Symbol.asyncIterator](),
    };
  }

  /**
   * Records the exit of a container whose process has ended: reads the OOM counters from the
   * cgroup runc kept, then lets runc delete the container (releasing cgroups and mounts). Our
   * state directory stays until clean(), so the exit status can still be inspected.
   */
  async #finalize(id: string, shimCode?: number): Promise<ExitStatus> {
    const status = await this.#recordExit(id, shimCode);
    await this.#release(id);
    return status;
  }

  /** Lets runc delete a stopped container it kept (--keep): its cgroups and mounts go. */
  async #release(id: string): Promise<void> {
    if (this.#runcKnows(id)) await this.#context.runc.delete(id, { force: true }).catch(() => undefined);
  }

  /** Reads the exit code the shim recorded and the OOM counters of the cgroup runc kept. */
  async #recordExit(id: string, shimCode?: number, onOomKills?: (count: number) => void): Promise<ExitStatus> {
    const { store, cgroupRoot } = this.#context;
    const record = await store.read(id);
    // Cleaned while it ran: nothing to record, the status is what the shim saw.
    if (!record) return { exitCode: Math.min(Math.max(shimCode ?? 255, 0), 255), oomKilled: false };
    if (record.exitCode !== undefined) return { exitCode: record.exitCode, oomKilled: record.oomKilled ?? false };
    const exitCode = (await store.readExitCode(id)) ?? shimCode ?? 255;
    let oomKilled = false;
    try {
      const stats = await openCgroup(record.cgroupsPath, { cgroupRoot }).stats();
      oomKilled = (stats.memory?.oomKillEvents ?? 0) > 0;
      onOomKills?.(stats.memory?.oomKillEvents ?? 0);
    } catch {
      oomKilled = false;
    }
    const status: ExitStatus = { exitCode: Math.min(Math.max(exitCode, 0), 255), oomKilled };
    await store.write({ ...record, exitCode: status.exitCode, oomKilled, finishedAt: new Date().toISOString() });
    return status;
  }

  /** Removes runc's container and our state directory; cgroup directories left behind are removed too. */
  async #destroy(id: string): Promise<void> {
    const { store, runc } = this.#context;
    const record = await store.read(id).catch(() => undefined);
    // `delete --force` kills a running (or paused) container first; skip runc when it has no state.
    if (this.#runcKnows(id)) await runc.delete(id, { force: true }).catch(() => undefined);
    if (record?.cgroupsPath) await this.#removeCgroup(record.cgroupsPath);
    await store.remove(id);
  }

  async #removeCgroup(cgroupsPath: string): Promise<void> {
    if (!cgroupsPath.startsWith('/')) return;
    const { cgroupRoot, cgroupMode } = this.#context;
    const roots = cgroupMode === 'unified' ? [cgroupRoot] : await this.#hierarchies();
    await Promise.all(roots.map((root) => rmdir(join(root, cgroupsPath)).catch(() => undefined)));
  }

  async #hierarchies(): Promise<string[]> {
    const root = this.#context.cgroupRoot;
    return (await readdir(root, { withFileTypes: true }).catch(() => [])).filter((entry) => entry.isDirectory()).map((entry) => join(root, entry.name));
  }

  async #record(id: string): Promise<ContainerRecord> {
    const record = await this.#context.store.read(id);
    if (!record) throw new DriverError('CONTAINER_NOT_FOUND', `container ${id} does not exist`);
    return record;
  }

  /** The container's status, recording an exit that happened while no one watched. */
  async #status(id: string): Promise<{ record: ContainerRecord; status: ContainerStatus }> {
    let record = await this.#record(id);
    if (record.exitCode !== undefined) return { record, status: 'stopped' };
    const exitCode = await this.#context.store.readExitCode(id);
    if (exitCode !== undefined) {
      if (!this.#watched.has(id)) await this.#finalize(id);
      else await this.#watched.get(id)!.catch(() => undefined);
      record = await this.#record(id);
      return { record, status: 'stopped' };
    }
    const { procRoot, cgroupRoot, cgroupMode } = this.#context;
    if (record.pid !== undefined && record.pidStartTime !== undefined) {
      // Fast path, no runc call: the recorded process is alive (same pid, same start time).
      if (processStartTime(record.pid, procRoot) === record.pidStartTime) {
        return { record, status: isFrozen(record.cgroupsPath, { cgroupRoot, unified: cgroupMode === 'unified' }) ? 'paused' : 'running' };
      }
    }
    const state = await this.#context.runc.stateIfExists(id);
    if (!state) return { record, status: record.startedAt ? 'stopped' : 'creating' };
    return { record, status: state.status === 'creating' ? 'creating' : state.status };
  }

  #summary(record: ContainerRecord, status: ContainerStatus): ContainerSummary {
    return {
      id: record.id,
      status,
      pid: status === 'running' || status === 'paused' ? record.pid : undefined,
      createdAt: record.createdAt,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
      exitCode: record.exitCode,
      oomKilled: record.oomKilled,
      bundle: record.bundle,
      rootfs: record.rootfs,
      cgroupsPath: record.cgroupsPath,
      logs: record.logs,
      tty: record.tty,
      command: record.command as Command,
      labels: record.labels,
      warnings: record.warnings,
    };
  }

  async inspect(id: string): Promise<ContainerSummary> {
    assertId(id);
    const { record, status } = await this.#status(id);
    return this.#summary(record, status);
  }

  async list(): Promise<ContainerSummary[]> {
    const summaries: ContainerSummary[] = [];
    for (const id of await this.#context.store.ids()) {
      try {
        summaries.push(await this.inspect(id));
      } catch (error) {
        if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') continue;
        throw error;
      }
    }
    return summaries;
  }

  info(id: string): ContainerInfo {
    assertId(id);
    return {
      id,
      isRunning: async () => {
        try {
          const { status } = await this.#status(id);
          return status === 'running' || status === 'paused';
        } catch (error) {
          if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') return false;
          throw error;
        }
      },
    };
  }

  async #requireRunning(id: string, options: { allowPaused: boolean }): Promise<ContainerRecord> {
    const { record, status } = await this.#status(id);
    if (status === 'paused' && !options.allowPaused) throw new DriverError('CONTAINER_PAUSED', `container ${id} is paused: unpause it first`);
    if (status !== 'running' && status !== 'paused') throw new DriverError('CONTAINER_NOT_RUNNING', `container ${id} is not running (${status})`);
    return record;
  }

  async kill(id: string, signal: string | number): Promise<void> {
    assertId(id);
    const { name } = normalizeSignal(signal);
    await this.#lock.run(id, async () => {
      await this.#requireRunning(id, { allowPaused: true });
      await this.#context.runc.kill(id, name, { log: this.#context.store.paths(id).runcLog });
    });
  }

  async pause(id: string): Promise<void> {
    assertId(id);
    await this.#lock.run(id, async () => {
      await this.#requireRunning(id, { allowPaused: false });
      await this.#context.runc.pause(id, this.#context.store.paths(id).runcLog);
    });
  }

  async unpause(id: string): Promise<void> {
    assertId(id);
    await this.#lock.run(id, async () => {
      const { status } = await this.#status(id);
      if (status !== 'paused') throw new DriverError('CONTAINER_NOT_RUNNING', `container ${id} is not paused (${status})`);
      await this.#context.runc.resume(id, this.#context.store.paths(id).runcLog);
    });
  }

  async terminate(id: string): Promise<void> {
    assertId(id);
    await this.#lock.run(id, async () => {
      const { status } = await this.#status(id);
      if (status === 'stopped') return;
      // runc checks the init process's start time, so a reused pid is never signalled.
      await this.#context.runc.kill(id, 'SIGKILL', { all: true }).catch(() => undefined);
      if (status === 'paused') await this.#context.runc.resume(id).catch(() => undefined);
    });
    await this.wait(id);
  }

  async wait(id: string): Promise<ExitStatus> {
    assertId(id);
    const watched = this.#watched.get(id);
    if (watched) return watched;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const { record, status } = await this.#status(id);
      if (status === 'stopped') {
        if (record.exitCode === undefined) {
          const shimAlive = record.shimPid !== undefined && processStartTime(record.shimPid, this.#context.procRoot) !== undefined;
          if (!shimAlive) {
            // The shim is gone without recording an exit (it was killed): record 255, as runc would.
            return this.#lock.run(id, () => this.#finalize(id, 255));
          }
          await sleep(delay);
          continue;
        }
        return { exitCode: record.exitCode, oomKilled: record.oomKilled ?? false };
      }
      await sleep(delay);
    }
  }

  /** Whether runc has state for the container (its directory under runc's root), without running runc. */
  #runcKnows(id: string): boolean {
    const root = this.#context.runc.options.root;
    return root === undefined || existsSync(join(root, id));
  }

  async clean(id: string): Promise<void> {
    assertId(id);
    await this.#lock.run(id, () => this.#destroy(id));
    const watched = this.#watched.get(id);
    if (watched) await watched.catch(() => undefined);
  }

  async getPids(id: string): Promise<number[]> {
    assertId(id);
    const record = await this.#requireRunning(id, { allowPaused: true });
    return openCgroup(record.cgroupsPath, { cgroupRoot: this.#context.cgroupRoot }).pids();
  }

  async stats(id: string): Promise<ContainerStats> {
    assertId(id);
    const record = await this.#requireRunning(id, { allowPaused: true });
    const cgroup = openCgroup(record.cgroupsPath, { cgroupRoot: this.#context.cgroupRoot });
    const sample = await takeSample(cgroup, { ...(record.pid ? { pid: record.pid } : {}), procRoot: this.#context.procRoot });
    const limit = sample.stats.memory?.limitBytes;
    const hostMemory = totalmem();
    return {
      id,
      read: new Date().toISOString(),
      cgroup: sample.stats,
      networks: sample.networks ?? {},
      memoryLimitBytes: typeof limit === 'number' && limit < hostMemory ? limit : hostMemory,
      systemCpuUsageNanoseconds: sample.systemCpuUsageNanoseconds ?? 0,
      onlineCpus: sample.onlineCpus ?? 1,
    };
  }

  async exec(id: string, input: ProcessConfigInput, io: ContainerIo = {}, hooks: Pick<Hooks, 'start'> = {}): Promise<number> {
    assertId(id);
    let processConfig: ProcessConfig;
    try {
      processConfig = parseProcessConfig(input);
    } catch (error) {
      if (error instanceof SpecError) throw new DriverError('INVALID_COMMAND', `exec in ${id}: ${error.message}`, { cause: error });
      throw error;
    }
    const record = await this.#requireRunning(id, { allowPaused: false });
    const paths = this.#context.store.paths(id);
    const config = JSON.parse(await readFile(paths.config, 'utf8')) as { process: Record<string, unknown> & { env?: string[]; cwd?: string; capabilities?: unknown } };
    const command = record.command as Command;
    let user: Awaited<ReturnType<typeof resolveUser>>;
    try {
      user = await resolveUser({ ...command, process: processConfig, groupAdd: command.groupAdd }, { rootfs: record.rootfs });
    } catch (error) {
      if (error instanceof Error && 'code' in error) throw new DriverError('INVALID_COMMAND', `exec in ${id}: ${error.message}`, { cause: error });
      throw error;
    }
    const env = new Map<string, string>();
    const setEnv = (entry: string) => env.set(entry.slice(0, entry.indexOf('=')), entry);
    for (const entry of config.process.env ?? []) setEnv(entry);
    // As runc and Docker: the exec user's home, and TERM for a terminal, unless the caller sets them.
    if (input.user !== undefined) setEnv(`HOME=${user.home ?? '/'}`);
    if (processConfig.tty) setEnv('TERM=xterm');
    for (const entry of processConfig.env) setEnv(entry);
    // Privileged means every capability the runtime itself holds (its bounding set), as Docker.
    const all = this.#context.availableCapabilities;
    const ociProcess = {
      ...config.process,
      args: processConfig.args,
      env: [...env.values()],
      cwd: input.workingDir === undefined ? (config.process.cwd ?? '/') : processConfig.workingDir,
      terminal: processConfig.tty,
      ...(processConfig.tty ? { consoleSize: { height: processConfig.consoleSize?.height ?? 24, width: processConfig.consoleSize?.width ?? 80 } } : {}),
      ...(input.user === undefined ? {} : { user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}) } }),
      ...(processConfig.privileged ? { capabilities: { bounding: all, effective: all, permitted: all } } : {}),
    };
    const name = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const processFile = paths.processFile(name);
    const pidFile = join(paths.dir, `exec-${name}.pid`);
    const logFile = join(paths.dir, `exec-${name}.log`);
    await writeFile(processFile, serializeRuntimeSpec(ociProcess));
    const args = [...this.#context.runc.globalArgs(logFile), ...toExecArgs(id, { processFile, tty: processConfig.tty, pidFile })];
    try {
      let exit: Promise<number>;
      if (processConfig.tty) {
        const terminal = openTerminal(this.#context.runc.options.command, args, { cols: processConfig.consoleSize?.width ?? 80, rows: processConfig.consoleSize?.height ?? 24 });
        if (io.stdout) terminal.output.pipe(io.stdout, { end: false });
        else terminal.output.resume();
        io.stdin?.on('data', (chunk: Buffer) => terminal.write(chunk));
        io.onTerminal?.(terminal);
        exit = terminal.exited.then((result) => result.exitCode);
      } else {
        const child = spawn(this.#context.runc.options.command, args, { stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', io.stderr ? 'pipe' : 'ignore'] });
        const piped = pipeStdio(child, { ...(io.stdin ? { stdin: io.stdin } : {}), ...(io.stdout ? { stdout: io.stdout } : {}), ...(io.stderr ? { stderr: io.stderr } : {}) }).catch(() => undefined);
        exit = new Promise((resolve, reject) => {
          child.on('error', reject);
          child.on('close', (code, signal) => {
            void piped;
            resolve(code ?? 128 + (signal ? normalizeSignal(signal).number : 0));
          });
        });
      }
      if (hooks.start) void this.#onPidFile(pidFile, exit).then((pid) => (pid ? hooks.start?.(processConfig, pid, this.#oomEvents(record.cgroupsPath)) : undefined)).catch(() => undefined);
      const code = await exit;
      // runc writes the pid file once the process runs: without it, runc itself failed (a program
      // that is not there, a bad user, ...) and its exit code is not the process's.
      if (code !== 0 && !existsSync(pidFile)) {
        const runcMessage = lastRuncLogMessage(await readFile(logFile, 'utf8').catch(() => ''));
        if (runcMessage !== undefined) {
          throw new DriverError('RUNC_FAILED', `exec in ${id} failed: ${runcMessage}`, { runc: { args, exitCode: code, stderr: '', runcMessage } });
        }
      }
      return code;
    } finally {
      await Promise.all([processFile, pidFile, logFile].map((file) => rm(file, { force: true })));
    }
  }

  async #onPidFile(pidFile: string, done: Promise<unknown>): Promise<number | undefined> {
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      if (text.trim() !== '') return Number(text.trim());
      await sleep(5);
    }
    return undefined;
  }
}

