import { writeFile, rm } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Writable } from 'node:stream';
import { resizeTerminalOf } from '@execdriver/terminal';
import { CgroupError, detectCgroupMode, openCgroup, readOnlineCpuCount, readSystemCpuUsage, takeSample, type Cgroup } from '@execdriver/cgroups';
import { OciError, toLinuxResources } from '@execdriver/oci';
import { isValidContainerId, parseCommand, type Command, type CommandInput, type ExitStatus, type ProcessConfigInput, type Resources, type RuntimeSpec } from '@execdriver/spec';
import { buildSpec, prepareBundle } from './bundle.js';
import { removeContainer } from './container-cleanup.js';
import { readStatus, requireStatus, toSummary } from './container-status.js';
import type { DriverContext } from './driver-context.js';
import type {
  BrokenContainer,
  ContainerInfo,
  ContainerIo,
  ContainerStats,
  ContainerSummary,
  Driver,
  Hooks,
  ListOptions,
  StartedContainer,
  StartOptions,
  DriverRuntimes,
  RuntimeDescription,
} from './driver-types.js';
import { DriverError } from './errors.js';
import { execProcess, toProcessConfig } from './exec-process.js';
import { finalizeExit } from './exit-record.js';
import { findExecutable, readHostFacts, runtimeInfo } from './host-facts.js';
import { installHookScript } from './hook-bridge.js';
import { IdLock } from './id-lock.js';
import { launchInit } from './init-process.js';
import { closeReaders, fifoStream, openFifoReader, openInputFifo, type ContainerOutput } from './output-fifo.js';
import { parentProcess, processName, processStartTime } from './process-identity.js';
import { chooseDefaultRuntime, knownRuntimeNames, runtimeHostProblem } from './runtime-choice.js';
import { RuntimeSet } from './runtime-set.js';
import { normalizeSignal } from './signals.js';
import { StateStore, unknownExitCode, type ContainerRecord } from './state-store.js';
import { fromRuncFailure, fromStartFailure, toDriverError } from './to-driver-error.js';

export interface DriverOptions {
  /**
   * The default OCI runtime of new containers: runc, crun, youki (a name on PATH) or the path of a
   * binary with runc's command line. Default: crun where it is installed and the host has pure
   * cgroup v2, runc otherwise (podman's choice). A container may ask for another (StartOptions.runtime).
   */
  runtime?: string;
  /** The former name of `runtime`. */
  runc?: string;
  /** Where the driver keeps its state (default `/run/execdriver`, mode 0700). */
  stateRoot?: string;
  /** runc's own `--root` (default `<stateRoot>/runc`; other runtimes use `<stateRoot>/<name>`). */
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

export async function createDriver(options: DriverOptions = {}): Promise<Driver> {
  const stateRoot = options.stateRoot ?? '/run/execdriver';
  const store = new StateStore(stateRoot);
  await store.init();
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const procRoot = options.procRoot ?? '/proc';
  const cgroupMode = detectCgroupMode(cgroupRoot);
  const requested = options.runtime ?? options.runc ?? chooseDefaultRuntime({ cgroupMode, find: findExecutable });
  const runtimes = new RuntimeSet({ stateRoot, ...(options.runcRoot === undefined ? {} : { runcRoot: options.runcRoot }), cgroupMode, default: await runtimeInfo(requested, stateRoot) });
  const host = await readHostFacts(runtimes.default, cgroupMode, { stateRoot, cgroupRoot, procRoot, sysRoot: options.sysRoot ?? '/sys' });
  return new RuncDriver({
    runc: runtimes.defaultClient,
    runtimes,
    store,
    host,
    hookScriptPath: await installHookScript(stateRoot),
    cgroupRoot,
    procRoot,
    etcRoot: options.etcRoot ?? '/etc',
    devRoot: options.devRoot ?? '/dev',
    cgroupsPathPrefix: options.cgroupsPathPrefix ?? 'execdriver',
    lock: new IdLock(),
    watched: new Map(),
  });
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
    throw toDriverError(error, `container ${typeof input?.id === 'string' ? input.id : '(no id)'}`);
  }
}

/** The Driver: validates ids, takes the per-id lock where an operation changes state, and delegates. */
class RuncDriver implements Driver {
  readonly #context: DriverContext;
  /**
   * Opened cgroups by path, for stats(): opening one lists every hierarchy (a dozen system calls
   * on v1), and `stats` of 100 containers at 1 Hz would do it 100 times a second.
   */
  readonly #cgroups = new Map<string, Cgroup>();
  /**
   * Records of containers stats() found running, by id: while the recorded process is alive (same
   * pid, same start time) the container has not exited, so the next stats() of it reads one /proc
   * file instead of the record, the exit-code file and the freezer (a quarter of the file
   * operations of a sample).
   */
  readonly #runningRecords = new Map<string, ContainerRecord>();
  /** The host's memory (os.totalmem() reads /proc/meminfo on each call), as Docker reads it once. */
  #hostMemory: number | undefined;
  /** The host's CPU counters, read at most every 100 ms: stats of many containers in one tick share them (dockerd's collector reads them once a tick). */
  #hostCounters: { at: number; systemCpuUsageNanoseconds: number; onlineCpus: number } | undefined;

  constructor(context: DriverContext) {
    this.#context = context;
  }

  name(): string {
    const { runtime } = this.#context.host;
    return `${runtime.name}-${runtime.version}`;
  }

  async resolveRuntime(runtime?: string): Promise<RuntimeDescription> {
    const info = await this.#context.runtimes.resolve(runtime);
    return { name: info.name, path: info.path, version: info.version };
  }

  async runtimes(): Promise<DriverRuntimes> {
    const { runtimes, host } = this.#context;
    const describe = (info: { name: string; path: string; version: string }): RuntimeDescription => {
      const problem = runtimeHostProblem(info.name, host.cgroupMode);
      return { name: info.name, path: info.path, version: info.version, ...(problem === undefined ? {} : { problem }) };
    };
    const available = [describe(runtimes.default)];
    for (const name of knownRuntimeNames) {
      if (available.some((entry) => entry.name === name) || findExecutable(name) === undefined) continue;
      const info = await runtimeInfo(name, this.#context.store.root).catch(() => undefined);
      if (info && !available.some((entry) => entry.name === info.name)) available.push(describe(info));
    }
    return { default: available[0]!, available };
  }

  supportsHooks(): boolean {
    return true;
  }

  logPaths(id: string): { stdout: string; stderr: string } {
    assertId(id);
    const paths = this.#context.store.paths(id);
    return { stdout: paths.stdoutLog, stderr: paths.stderrLog };
  }

  openOutput(id: string): ContainerOutput | undefined {
    assertId(id);
    const paths = this.#context.store.paths(id);
    const stdout = openFifoReader(paths.stdoutFifo);
    const stderr = stdout === undefined ? undefined : openFifoReader(paths.stderrFifo);
    if (stdout === undefined || stderr === undefined) {
      if (stdout !== undefined) closeReaders({ stdout, stderr: stdout });
      return undefined;
    }
    return { stdout: fifoStream(stdout), stderr: fifoStream(stderr) };
  }

  openInput(id: string): Writable | undefined {
    assertId(id);
    return openInputFifo(this.#context.store.paths(id).stdinFifo);
  }

  async resizeTerminal(id: string, cols: number, rows: number): Promise<void> {
    assertId(id);
    const record = await requireStatus(this.#context, id, 'resize');
    if (!record.tty || record.pid === undefined) throw new DriverError('TERMINAL_FAILED', `container ${id} has no terminal`);
    const size = { cols, rows };
    const { procRoot } = this.#context;
    // With fifos, the runtime (the container's parent) copies its own terminal's size (script's) to the
    // container's at start and on SIGWINCH: that one is sized first, so the runtime never sets an old size back.
    // Only while it is that runtime, under script(1): a container reparented (its runtime gone) is not its parent's to size.
    const parent = record.fifos ? parentProcess(record.pid, procRoot) : undefined;
    const grandparent = parent === undefined ? undefined : parentProcess(parent, procRoot);
    const runtime = grandparent !== undefined && processName(grandparent, procRoot) === 'script' ? parent : undefined;
    if (runtime !== undefined) await resizeTerminalOf(runtime, size, procRoot).catch(() => undefined);
    await resizeTerminalOf(record.pid, size, procRoot).catch((error: unknown) => {
      throw toDriverError(error, `container ${id}`);
    });
  }

  async run(command: CommandInput, io: ContainerIo = {}, hooks: Hooks = {}, options: StartOptions = {}): Promise<ExitStatus> {
    const started = await this.start(command, io, hooks, options);
    return started.exited;
  }

  async start(input: CommandInput, io: ContainerIo = {}, hooks: Hooks = {}, options: StartOptions = {}): Promise<StartedContainer> {
    const command = toCommand(input);
    // The runtime is checked before anything is created: one that is missing or cannot run here leaves nothing.
    const runtime = await this.#context.runtimes.resolve(options.runtime);
    return this.#context.lock.run(command.id, async () => {
      const { record, channel } = await prepareBundle(this.#context, command, io, hooks, options, runtime);
      try {
        return await launchInit(this.#context, command, record, channel, io, hooks);
      } catch (error) {
        throw fromStartFailure(error);
      }
    });
  }

  async spec(input: CommandInput, options: { userRoot?: string } = {}): Promise<{ spec: RuntimeSpec; warnings: string[] }> {
    const command = toCommand(input);
    try {
      const { spec, warnings } = await buildSpec(this.#context, command, this.#context.store.paths(command.id).dir, {
        writeEtcFiles: false,
        ...(options.userRoot === undefined ? {} : { userRoot: options.userRoot }),
      });
      return { spec, warnings: warnings.map((warning) => warning.message) };
    } catch (error) {
      throw toDriverError(error, `container ${command.id}`);
    }
  }

  async inspect(id: string): Promise<ContainerSummary> {
    assertId(id);
    const { record, status } = await readStatus(this.#context, id);
    return toSummary(record, status);
  }

  list(): Promise<ContainerSummary[]>;
  list(options: ListOptions & { includeBroken: true }): Promise<(ContainerSummary | BrokenContainer)[]>;
  list(options?: ListOptions): Promise<(ContainerSummary | BrokenContainer)[]>;
  async list(options: ListOptions = {}): Promise<(ContainerSummary | BrokenContainer)[]> {
    const entries: (ContainerSummary | BrokenContainer)[] = [];
    for (const id of await this.#context.store.ids()) {
      try {
        entries.push(await this.inspect(id));
      } catch (error) {
        // Removed meanwhile: not a container any more.
        if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') continue;
        // One container's trouble is that container's alone.
        if (options.includeBroken) entries.push({ id, status: 'broken', error: error instanceof Error ? error.message : String(error), path: error instanceof DriverError ? error.path : undefined });
      }
    }
    return entries;
  }

  info(id: string): ContainerInfo {
    assertId(id);
    return {
      id,
      isRunning: async () => {
        try {
          const { status } = await readStatus(this.#context, id);
          return status === 'running' || status === 'paused';
        } catch (error) {
          if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') return false;
          throw error;
        }
      },
    };
  }

  async kill(id: string, signal: string | number): Promise<void> {
    assertId(id);
    const { name } = normalizeSignal(signal);
    await this.#context.lock.run(id, async () => {
      const record = await requireStatus(this.#context, id, 'kill');
      await this.#context.runtimes.forRecord(record).kill(id, name, { log: this.#context.store.paths(id).runcLog }).catch((error: unknown) => {
        throw fromRuncFailure(error, id);
      });
    });
  }

  async pause(id: string): Promise<void> {
    assertId(id);
    await this.#context.lock.run(id, async () => {
      const record = await requireStatus(this.#context, id, 'pause');
      await this.#context.runtimes.forRecord(record).pause(id, this.#context.store.paths(id).runcLog).catch((error: unknown) => {
        throw fromRuncFailure(error, id);
      });
    });
  }

  async unpause(id: string): Promise<void> {
    assertId(id);
    await this.#context.lock.run(id, async () => {
      const record = await requireStatus(this.#context, id, 'unpause');
      await this.#context.runtimes.forRecord(record).resume(id, this.#context.store.paths(id).runcLog).catch((error: unknown) => {
        throw fromRuncFailure(error, id);
      });
    });
  }

  async terminate(id: string): Promise<void> {
    assertId(id);
    await this.#context.lock.run(id, async () => {
      const { record, status } = await readStatus(this.#context, id);
      if (status === 'stopped') return;
      const runtime = this.#context.runtimes.forRecord(record);
      // runc checks the init process's start time, so a reused pid is never signalled.
      await runtime.kill(id, 'SIGKILL', { all: true }).catch(() => undefined);
      if (status === 'paused') await runtime.resume(id).catch(() => undefined);
    });
    await this.wait(id);
  }

  async wait(id: string): Promise<ExitStatus> {
    assertId(id);
    const watched = this.#context.watched.get(id);
    if (watched) return watched;
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      const { record, status } = await readStatus(this.#context, id);
      if (status === 'stopped') {
        if (record.exitCode === undefined) {
          const shimAlive = record.shimPid !== undefined && processStartTime(record.shimPid, this.#context.procRoot) !== undefined;
          if (!shimAlive) {
            // The shim is gone without recording an exit (it was killed): an unknown exit, 255, as runc would.
            return finalizeExit(this.#context, id, unknownExitCode);
          }
          await sleep(delay);
          continue;
        }
        return { exitCode: record.exitCode, oomKilled: record.oomKilled ?? false };
      }
      await sleep(delay);
    }
  }

  async clean(id: string): Promise<void> {
    assertId(id);
    await this.#context.lock.run(id, () => removeContainer(this.#context, id));
    const watched = this.#context.watched.get(id);
    if (watched) await watched.catch(() => undefined);
  }

  async update(id: string, resources: Resources): Promise<{ warnings: string[] }> {
    assertId(id);
    return this.#context.lock.run(id, async () => {
      const record = await requireStatus(this.#context, id, 'update');
      const { host } = this.#context;
      let converted: ReturnType<typeof toLinuxResources>;
      try {
        converted = toLinuxResources(resources, { cgroupMode: host.cgroupMode, blkioWeightSupported: host.blkioWeightSupported, onlineCpus: host.onlineCpus });
      } catch (error) {
        if (error instanceof OciError) throw new DriverError('INVALID_COMMAND', `container ${id}: ${error.message}`, { cause: error });
        throw error;
      }
      const paths = this.#context.store.paths(id);
      const file = join(paths.dir, `update-${process.pid}-${Date.now()}.json`);
      await writeFile(file, JSON.stringify(converted.resources), { mode: 0o600 });
      try {
        await this.#context.runtimes.forRecord(record).update(id, file, paths.runcLog);
      } catch (error) {
        throw fromRuncFailure(error, id);
      } finally {
        await rm(file, { force: true });
      }
      return { warnings: converted.warnings.map((warning) => warning.message) };
    });
  }

  async getPids(id: string): Promise<number[]> {
    assertId(id);
    const record = await requireStatus(this.#context, id, 'processes');
    try {
      return await openCgroup(record.cgroupsPath, { cgroupRoot: this.#context.cgroupRoot }).pids();
    } catch (error) {
      throw toDriverError(error, `container ${id}`);
    }
  }

  /** The record of a container that has processes (running or paused), for stats(); see #runningRecords. */
  async #runningRecord(id: string): Promise<ContainerRecord> {
    const known = this.#runningRecords.get(id);
    if (known?.pid !== undefined && known.pidStartTime !== undefined && processStartTime(known.pid, this.#context.procRoot) === known.pidStartTime) return known;
    this.#runningRecords.delete(id);
    const record = await requireStatus(this.#context, id, 'processes');
    if (record.pid !== undefined && record.pidStartTime !== undefined) {
      if (this.#runningRecords.size >= 1024) this.#runningRecords.clear();
      this.#runningRecords.set(id, record);
    }
    return record;
  }

  async stats(id: string, options: { brief?: boolean } = {}): Promise<ContainerStats> {
    assertId(id);
    const record = await this.#runningRecord(id);
    const now = Date.now();
    if (!this.#hostCounters || now - this.#hostCounters.at > 100 || now < this.#hostCounters.at) {
      try {
        this.#hostCounters = { at: now, systemCpuUsageNanoseconds: readSystemCpuUsage({ procRoot: this.#context.procRoot }), onlineCpus: readOnlineCpuCount() };
      } catch (error) {
        throw toDriverError(error, `container ${id}`);
      }
    }
    const sampleOptions = { ...(record.pid ? { pid: record.pid } : {}), procRoot: this.#context.procRoot, host: this.#hostCounters, brief: options.brief === true };
    let sample: Awaited<ReturnType<typeof takeSample>> | undefined;
    try {
      const cached = this.#cgroups.get(record.cgroupsPath);
      if (cached) {
        // Gone since it was opened (a restart makes it again): open it afresh below.
        sample = await takeSample(cached, sampleOptions).catch((error: unknown) => {
          if (error instanceof CgroupError && error.code === 'CGROUP_NOT_FOUND') return undefined;
          throw error;
        });
      }
      if (!sample) {
        this.#cgroups.delete(record.cgroupsPath);
        const cgroup = openCgroup(record.cgroupsPath, { cgroupRoot: this.#context.cgroupRoot });
        sample = await takeSample(cgroup, sampleOptions);
        if (this.#cgroups.size >= 1024) this.#cgroups.clear();
        this.#cgroups.set(record.cgroupsPath, cgroup);
      }
    } catch (error) {
      throw toDriverError(error, `container ${id}`);
    }
    const limit = sample.stats.memory?.limitBytes;
    const hostMemory = (this.#hostMemory ??= totalmem());
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
    const processConfig = toProcessConfig(id, input);
    const record = await requireStatus(this.#context, id, 'exec');
    try {
      return await execProcess(this.#context, id, record, input, processConfig, io, hooks);
    } catch (error) {
      throw fromStartFailure(error);
    }
  }
}
