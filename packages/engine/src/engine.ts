import type { Writable } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDriver, DriverError, type ContainerIo, type ContainerOutput, type ContainerSummary, type Driver, type DriverOptions, type Hooks, type StartedContainer } from '@execdriver/driver';
import { ImageStore, containerLayerPaths, defaultProcessArgs, mountContainerLayer, remappedImageRootfs, removeContainerLayer, unmountUnder, type Image, type ImageUser } from '@execdriver/images';
import { toHostId } from '@execdriver/namespaces';
import { NetworkManager } from '@execdriver/network';
import { parseCommand, type Command, type CommandInput, type ExitStatus } from '@execdriver/spec';
import { consolePaths } from './console-protocol.js';
import { containerEvent, journalExit, signalAttribute } from './container-events.js';
import { EventJournal } from './events.js';
import { jsonLogPath, type LogConfig } from './log-config.js';
import { attachContainerNetwork, checkNetworkConfig, type ContainerNetworkConfig } from './container-network.js';
import { isActive, toContainer, type Container } from './container.js';
import { EngineError } from './errors.js';
import { containerIdPattern, newContainerId, shortId } from './ids.js';
import { findOne } from './lookup.js';
import { NameRegistry, generateName, normalizeName } from './names.js';
import { RecordStore, type BrokenContainer, type ContainerRecord } from './record.js';
import { stopMonitor, monitorPaths } from './monitor-pid-file.js';
import { endRestartPolicy, ensureMonitor, hasRestartPolicy, resetRestartState } from './restart-monitor.js';
import { recoverRestartPolicies } from './restart-recovery.js';
import type { RestartPolicy } from './restart-policy.js';
import { applyInit, defaultInitPath, endsRestartPolicy } from './lifecycle-settings.js';
import { planVolumeMounts, prepareVolumes, type VolumeRequest } from './volume-mounts.js';
import { VolumeStore } from './volume-store.js';
import { checkHealthConfig, imageHealthConfig, mergeHealthConfig, probeSettings, type HealthConfig } from './health-config.js';
import { HealthStore } from './health-state.js';
import { compareText } from './compare-text.js';

/** How the engine starts a helper process of the app (console holder, reaper): the app's own entry with these arguments. */
export type HelperLauncher = (args: readonly string[], options: { logPath?: string; ipc?: boolean }) => ChildProcess;

export interface EngineOptions {
  /** Runtime state: the driver's records, runc's state, consoles (default /run/execdriver). */
  stateRoot: string;
  /** Persistent data: images, container records and layers, names (default /var/lib/execdriver). */
  dataRoot: string;
  /** Parent cgroup of containers without a cgroup parent of their own. */
  cgroupsPathPrefix?: string;
  /** The default OCI runtime of new containers: runc, crun, youki or a path (default: the driver's choice, crun on pure cgroup v2 where installed, else runc). */
  runtime?: string;
  /** The former name of `runtime`. */
  runc?: string;
  /** The host's static busybox, for the built-in image. */
  busybox?: string;
  /** Starts the app's helper processes; needed for tty containers and detached `--rm`. */
  helper?: HelperLauncher;
  /** A driver to use instead of one made from the options above (tests). */
  driver?: Driver;
  /** The static init binary of `--init` (default /usr/bin/tini-static, Debian's tini). */
  initPath?: string;
  /** Restart containers whose restart policy says so on the first `list()` (default true; needs `helper`). */
  recoverRestartPolicies?: boolean;
  /**
   * Whether a start by the user launches a restart monitor helper (`__monitor`) for a container
   * with a restart policy (default true: the CLI). False: the app runs restart policies itself
   * (a long-lived daemon), and the engine starts none.
   */
  restartMonitors?: boolean;
  /** Where the CNI plugins are (default /usr/lib/cni, /opt/cni/bin). */
  cniPluginDirs?: string[];
  /** The default bridge network's host interface (default execdriver0). */
  defaultBridge?: string;
}

/** What the flags of `run`/`create` (or an API body) say of a new container. */
export interface CreateRequest {
  /** Docker's `--name`; one is generated when absent. */
  name?: string;
  /** An image reference; or `rootfs` (a directory used as it is). */
  image?: string;
  rootfs?: string;
  /** The command as far as the request says; empty `process.args` takes the image's default. */
  command: Omit<CommandInput, 'id' | 'rootfs'>;
  /** `--entrypoint` (replaces the image's, and then its CMD). */
  entrypoint?: string[];
  labels?: Record<string, string>;
  /** Named and anonymous volumes (`-v name:/path`, `-v /path`, `--mount type=volume`): bind mounts of the volume store's directories. */
  volumes?: VolumeRequest[];
  autoRemove?: boolean;
  interactive?: boolean;
  /** Docker's StdinOnce (`docker run -i` attaching stdin): the process's stdin ends with the first attached client's. */
  stdinOnce?: boolean;
  /** `--restart`. */
  restartPolicy?: RestartPolicy;
  /** `--stop-signal` and `--stop-timeout` (seconds; -1: no timeout). */
  stopSignal?: string;
  stopTimeout?: number;
  /** `--init`: run the command under tini (`initPath`), bind-mounted read-only at /sbin/docker-init. */
  init?: boolean;
  /** Docker's HostConfig.LogConfig (`--log-driver`, `--log-opt`, checked by parseLogConfig); default json-file. */
  logConfig?: LogConfig;
  /** Docker's HostConfig.Runtime (`--runtime`): runc, crun, youki or a path; default the engine's default runtime. */
  runtime?: string;
  /** Bridge networking: the networks joined, published ports, extra hosts, DNS (the command's network mode is then `new`). */
  network?: ContainerNetworkConfig;
  /** Docker's Config.Healthcheck (`--health-cmd`...), checked by checkHealthConfig; merged over the image's. */
  healthcheck?: HealthConfig;
  /** Checks the completed command; default: the spec's schema. The CLI passes one whose messages name its flags. */
  validate?: (input: CommandInput) => Command;
}

/** Keys of the driver labels the engine sets (visible to anyone listing the driver). */
export const driverLabels = { name: 'execdriver.name' } as const;

function mergeEnv(image: readonly string[] | undefined, request: readonly string[]): string[] {
  const result = [...(image ?? [])];
  for (const entry of request) {
    const key = entry.split('=')[0];
    const index = result.findIndex((existing) => existing.split('=')[0] === key);
    if (index >= 0) result[index] = entry;
    else result.push(entry);
  }
  return result;
}

/**
 * Named containers over the driver, shared by the CLI and the daemon: records, names, images,
 * writable layers, logs and consoles. Every process that opens an engine on the same roots sees
 * the same containers; all coordination goes through the filesystem (atomic renames and symlinks).
 */
export class Engine {
  readonly stateRoot: string;
  readonly dataRoot: string;
  readonly images: ImageStore;
  readonly records: RecordStore;
  readonly names: NameRegistry;
  readonly volumes: VolumeStore;
  /** The events journal of this state root (`<stateRoot>/events`), shared by every engine process. */
  readonly events: EventJournal;
  readonly networks: NetworkManager;
  /** Health files of the containers' runs (`<stateRoot>/health`): Docker's State.Health. */
  readonly health: HealthStore;
  readonly #options: EngineOptions;
  #driver: Promise<Driver> | undefined;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.stateRoot = options.stateRoot;
    this.dataRoot = options.dataRoot;
    this.images = new ImageStore({ root: join(options.dataRoot, 'images'), ...(options.busybox ? { busybox: options.busybox } : {}) });
    this.records = new RecordStore(join(options.dataRoot, 'containers'));
    this.volumes = new VolumeStore(join(options.dataRoot, 'volumes'));
    this.names = new NameRegistry(join(options.dataRoot, 'names'), (id) => this.records.exists(id));
    this.events = new EventJournal(join(options.stateRoot, 'events'));
    this.health = new HealthStore(join(options.stateRoot, 'health'));
    this.networks = new NetworkManager({
      networksRoot: join(options.dataRoot, 'networks'),
      stateRoot: join(options.stateRoot, 'network'),
      ...(options.cniPluginDirs ? { pluginDirs: options.cniPluginDirs } : {}),
      ...(options.defaultBridge ? { defaultBridge: options.defaultBridge } : {}),
    });
    if (options.driver) this.#driver = Promise.resolve(options.driver);
  }

  /** The driver, made on first use. */
  driver(): Promise<Driver> {
    this.#driver ??= createDriver({
      stateRoot: this.stateRoot,
      ...(this.#options.runtime || this.#options.runc ? { runtime: (this.#options.runtime || this.#options.runc)! } : {}),
      ...(this.#options.cgroupsPathPrefix ? { cgroupsPathPrefix: this.#options.cgroupsPathPrefix } : {}),
    } satisfies DriverOptions);
    return this.#driver!;
  }

  /** Whether this engine starts restart monitor helpers (EngineOptions.restartMonitors). */
  get runsRestartMonitors(): boolean {
    return this.#options.restartMonitors !== false;
  }

  /** The helper launcher. @throws EngineError CONSOLE_FAILED when the app gave none */
  helper(): HelperLauncher {
    const helper = this.#options.helper;
    if (!helper) throw new EngineError('CONSOLE_FAILED', 'this engine has no helper launcher: tty containers and detached --rm need one (EngineOptions.helper)');
    return helper;
  }

  /** The container's directory in the data root: its record and its writable layer. */
  containerDir(id: string): string {
    return this.records.dir(id);
  }

  /**
   * Makes a container (Docker's create): resolves the image and its config (ENTRYPOINT + CMD,
   * Env, WorkingDir, User), gives it a 64-hex id and a name (reserved atomically across
   * processes: of two creates of one name exactly one wins), and writes its record. Nothing runs.
   * @throws EngineError NAME_IN_USE, INVALID_NAME, INVALID_REQUEST; ImageError NO_SUCH_IMAGE
   */
  async create(request: CreateRequest): Promise<ContainerRecord> {
    const { record, explicitName } = await this.plan(request);
    const id = record.id;
    await this.#secure();
    // The record first, then the name (an atomic symlink): a name whose record is gone is stale, so
    // a create killed between the two leaves a listed, removable container, never a blocked name.
    if (explicitName === undefined) record.name = generateName();
    await this.records.create(record);
    // The log exists from the start: a reader that opens it before the container runs (attach of a
    // `--rm` container) keeps it open and reads every line, even once the container is removed.
    if ((record.logConfig?.Type ?? 'json-file') === 'json-file') await writeFile(jsonLogPath(this.containerDir(record.id), record.id), '', { flag: 'a', mode: 0o600 }).catch(() => undefined);
    try {
      for (let retry = 1; ; retry += 1) {
        try {
          await this.names.reserve(record.name, id);
          break;
        } catch (error) {
          if (explicitName !== undefined || !(error instanceof EngineError) || error.code !== 'NAME_IN_USE' || retry > 20) throw error;
          record.name = generateName(retry);
          await this.records.write(record);
        }
      }
      await this.#prepareVolumes(record);
    } catch (error) {
      await this.records.remove(id).catch(() => undefined);
      await this.names.releaseAll(id).catch(() => undefined);
      throw error;
    }
    this.events.append(containerEvent(record, 'create'));
    return record;
  }

  /**
   * What `create` would make, without making anything (no id reserved, nothing written): the
   * record, with `image` the image it starts from (whose root filesystem `spec` reads users from).
   */
  async plan(request: CreateRequest): Promise<{ record: ContainerRecord; image: Image | undefined; explicitName: string | undefined }> {
    if ((request.image === undefined) === (request.rootfs === undefined)) throw new EngineError('INVALID_REQUEST', 'a container needs an image or a root filesystem directory (not both)');
    const explicitName = request.name === undefined ? undefined : normalizeName(request.name);
    let image: Image | undefined;
    if (request.image !== undefined) image = await this.images.require(request.image);
    else {
      const info = await stat(request.rootfs!).catch(() => undefined);
      if (!info?.isDirectory()) throw new EngineError('INVALID_REQUEST', `invalid root filesystem ${JSON.stringify(request.rootfs)}: not a directory`);
    }
    const id = newContainerId();
    const config = image?.config ?? {};
    const draft = request.command;
    const args = defaultProcessArgs(config, { entrypoint: request.entrypoint, args: draft.process.args });
    if (args.length === 0) {
      throw new EngineError('INVALID_REQUEST', `no command specified: the ${request.image !== undefined ? `image ${request.image}` : 'root filesystem'} has no default command, give one after it`);
    }
    const namespaces = await this.#resolveJoinedNamespaces(draft.namespaces);
    const networkMode = draft.namespaces?.network?.mode;
    const utsMode = draft.namespaces?.uts?.mode;
    const ownHostname = networkMode !== 'host' && networkMode !== 'container' && (utsMode === undefined || utsMode === 'new');
    const input: CommandInput = {
      ...draft,
      ...(namespaces ? { namespaces } : {}),
      id,
      rootfs: image ? containerLayerPaths(this.containerDir(id)).rootfs : request.rootfs!,
      ...(draft.hostname === undefined && ownHostname ? { hostname: shortId(id) } : {}),
      process: {
        ...draft.process,
        args,
        env: mergeEnv(config.Env, draft.process.env ?? []),
        ...(draft.process.workingDir === undefined && config.WorkingDir ? { workingDir: config.WorkingDir } : {}),
        ...(draft.process.user === undefined && config.User ? { user: config.User } : {}),
      },
    };
    if (request.init) await applyInit(input, this.#options.initPath ?? defaultInitPath);
    if (request.autoRemove && request.restartPolicy && request.restartPolicy.name !== 'no') throw new EngineError('INVALID_REQUEST', `Conflicting options: --restart ${request.restartPolicy.name} and --rm`);
    const volumePlan = planVolumeMounts(this.volumes, request.volumes ?? []);
    if (volumePlan.mounts.length > 0) input.mounts = [...(input.mounts ?? []), ...volumePlan.mounts];
    const command = (request.validate ?? parseCommand)(input);
    const healthcheck = mergeHealthConfig(request.healthcheck === undefined ? undefined : checkHealthConfig(request.healthcheck), imageHealthConfig(image ? (config as Record<string, unknown>) : undefined));
    // The runtime is checked here: one that is missing or cannot run on this host fails the create.
    const runtime = await (await this.driver()).resolveRuntime(request.runtime);
    const record: ContainerRecord = {
      id,
      name: explicitName ?? '',
      created: new Date().toISOString(),
      image: request.image ?? request.rootfs!,
      imageId: image?.id,
      rootfsMode: image ? 'overlay' : 'directory',
      command,
      labels: { ...(config.Labels ?? {}), ...(request.labels ?? {}) },
      autoRemove: request.autoRemove ?? false,
      interactive: request.interactive ?? false,
      ...(request.stdinOnce ? { stdinOnce: true } : {}),
      imageConfig: image ? (config as Record<string, unknown>) : undefined,
      restartCount: 0,
      lastExit: undefined,
      ...(request.restartPolicy && request.restartPolicy.name !== 'no' ? { restartPolicy: request.restartPolicy } : {}),
      ...(request.stopSignal !== undefined ? { stopSignal: request.stopSignal } : {}),
      ...(request.stopTimeout !== undefined ? { stopTimeout: request.stopTimeout } : {}),
      ...(request.init ? { init: true } : {}),
      ...(volumePlan.volumes.length > 0 ? { volumes: volumePlan.volumes } : {}),
      ...(request.logConfig ? { logConfig: request.logConfig } : {}),
      ...(healthcheck ? { healthcheck } : {}),
      // As Docker: the runtime asked for, else the default of the moment, kept for every start.
      runtime: request.runtime?.includes('/') ? runtime.path : runtime.name,
      ...(request.network ? { network: await checkNetworkConfig(this.networks, request.network, config.ExposedPorts as Record<string, unknown> | undefined) } : {}),
    };
    return { record, image, explicitName };
  }

  /**
   * `--network container:web` and the like: the other container by name, id or prefix, as its
   * full id (what the driver joins), running, as Docker requires.
   */
  async #resolveJoinedNamespaces(namespaces: CreateRequest['command']['namespaces']): Promise<CreateRequest['command']['namespaces']> {
    if (!namespaces) return undefined;
    const resolved: Record<string, unknown> = { ...namespaces };
    for (const [kind, setting] of Object.entries(namespaces)) {
      if (!setting || typeof setting !== 'object' || (setting as { mode?: string }).mode !== 'container') continue;
      const reference = (setting as { container?: string }).container ?? '';
      let other: Container;
      try {
        other = await this.find(reference);
      } catch (error) {
        if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') throw new EngineError('INVALID_REQUEST', `cannot join the ${kind} namespace of container ${JSON.stringify(reference)}: No such container`, { cause: error });
        throw error;
      }
      if (!isActive(other)) throw new EngineError('INVALID_REQUEST', `cannot join the ${kind} namespace of a non running container: ${reference}`);
      resolved[kind] = { ...setting, container: other.id };
    }
    return resolved as CreateRequest['command']['namespaces'];
  }

  /** Creates the container's volumes and copies the image's content into empty ones (Docker's copy-up). */
  async #prepareVolumes(record: ContainerRecord): Promise<void> {
    if (!record.volumes || record.volumes.length === 0) return;
    const image = record.imageId ? await this.images.get(record.imageId) : undefined;
    const remap = record.command.userNamespace;
    const imageRootfs = image ? (remap ? await remappedImageRootfs(image, remap) : image.rootfs) : record.command.rootfs;
    const owner = remap ? { uid: toHostId(remap.uidMappings, 0), gid: toHostId(remap.gidMappings, 0) } : undefined;
    await prepareVolumes(this.volumes, record.volumes, { imageRootfs, busybox: this.busybox, ...(owner ? { owner } : {}) });
  }

  /** The host's static busybox (the built-in image, and the confined helper of cp and volumes). */
  get busybox(): string {
    return this.#options.busybox ?? '/bin/busybox';
  }

  /** Mounts the container's root filesystem on the host (`containerDir/rootfs`), for cp, export, diff and commit of a stopped container. */
  async mountRootfs(record: ContainerRecord): Promise<string> {
    await this.#prepareRootfs(record);
    return record.rootfsMode === 'overlay' ? containerLayerPaths(this.containerDir(record.id)).rootfs : record.command.rootfs;
  }

  /** Mounts the container's writable layer over its image (a restart keeps what it wrote). */
  async #prepareRootfs(record: ContainerRecord): Promise<void> {
    if (record.rootfsMode !== 'overlay') return;
    const image = record.imageId ? await this.images.get(record.imageId) : undefined;
    if (!image) throw new EngineError('INVALID_REQUEST', `the image of container ${record.name} (${record.image}) is gone`);
    let lower = image.rootfs;
    let owner: { uid: number; gid: number } | undefined;
    const remap = record.command.userNamespace;
    if (remap) {
      lower = await remappedImageRootfs(image, remap);
      owner = { uid: toHostId(remap.uidMappings, 0), gid: toHostId(remap.gidMappings, 0) };
    }
    await mountContainerLayer(this.containerDir(record.id), lower, owner);
  }

  /**
   * Starts a created (or exited) container's process with the same config and writable layer.
   * The driver's record of an earlier run is folded into the engine's record first.
   */
  async start(reference: string | ContainerRecord, io: ContainerIo = {}, options: { hooks?: Hooks; onWarning?: (message: string) => void; monitor?: boolean } = {}): Promise<StartedContainer> {
    const record = typeof reference === 'string' ? (await this.find(reference)).record : reference;
    const driver = await this.driver();
    const current = await this.#driverSummary(record.id);
    if (current) {
      const container = toContainer(record, current);
      if (isActive(container) && container.state !== 'restarting') throw new EngineError('CONTAINER_RUNNING', `container ${record.name} is already running`);
      if (current !== 'broken') await this.#foldExit(record, current);
      await driver.clean(record.id);
    }
    // A start by the user (not by the restart monitor, which marks the record `restarting` first).
    const byUser = options.monitor !== false && !record.restarting;
    if (byUser) await resetRestartState(this, record);
    await this.#prepareRootfs(record);
    // Bridge networking: the namespace is prepared (CNI ADD) first and released on every way out.
    const network = await attachContainerNetwork(this.networks, record);
    let started: StartedContainer;
    try {
      started = await driver.start(network?.command ?? record.command, io, options.hooks ?? {}, {
        labels: { [driverLabels.name]: record.name },
        ...(record.runtime ? { runtime: record.runtime } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        ...(network ? { etcContent: network.etcContent } : {}),
      });
    } catch (error) {
      if (network) await this.networks.release(record.id);
      throw error;
    }
    // Never driver.inspect here: for a container that exited already, it waits for the exit to be
    // recorded, which waits for its output to be read by whoever gets `started` (a deadlock until the 2 s bound).
    if (network) {
      await this.networks.started(record.id, join(started.bundle, 'hosts'));
      void started.exited.then(() => this.networks.release(record.id)).catch(() => undefined);
    }
    // Docker's initHealthMonitor: each run starts `starting`, without a failing streak (the log of earlier runs kept).
    if (probeSettings(record.healthcheck)) {
      this.health.reset(record.id, started.startedAt);
    }
    this.events.append(containerEvent(record, 'start'));
    if (byUser) await ensureMonitor(this, record);
    // Whoever watches the process journals its end (`die`) as soon as it is recorded.
    return { ...started, exited: started.exited.then(async (status) => (await this.find(record.id).catch(() => undefined), status)) };
  }

  /** Keeps the end of the driver's last run in the engine's record, before the driver's record goes. */
  async #foldExit(record: ContainerRecord, summary: ContainerSummary): Promise<void> {
    if (!summary.startedAt) return;
    record.lastExit = { startedAt: summary.startedAt, finishedAt: summary.finishedAt, exitCode: summary.exitCode, oomKilled: summary.oomKilled ?? false };
    // Written on the freshest record: another process (a monitor, a stop) may have changed it since it was read.
    const lastExit = record.lastExit;
    await this.records.update(record.id, (fresh) => {
      fresh.lastExit = lastExit;
    }).catch(async (error: unknown) => {
      if (error instanceof EngineError && error.code === 'CORRUPT_RECORD') await this.records.write(record);
      else throw error;
    });
  }

  async #driverSummary(id: string): Promise<ContainerSummary | 'broken' | undefined> {
    const driver = await this.driver();
    try {
      return await driver.inspect(id);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'CONTAINER_NOT_FOUND') return undefined;
      if (error instanceof DriverError && error.code === 'CONTAINER_BROKEN') return 'broken';
      throw error;
    }
  }

  /** Every container with its live state, and the records that could not be read (each alone). */
  async list(): Promise<{ containers: Container[]; broken: BrokenContainer[] }> {
    await this.#secure();
    const [{ records, broken }, summaries] = await Promise.all([this.records.list(), this.driver().then((driver) => driver.list({ includeBroken: true }))]);
    const byId = new Map(summaries.map((summary) => [summary.id, summary.status === 'broken' ? ('broken' as const) : summary]));
    const containers = records.map((record) => this.#withHealth(toContainer(record, byId.get(record.id))));
    await Promise.all(containers.map((container) => this.#journalExit(container)));
    // Network namespaces of containers that are done (exited, removed, or their starter died) go now.
    const active = new Set(containers.filter(isActive).map((container) => container.id));
    await this.networks.sweep(async (id) => active.has(id));
    // Code-point order (ISO times, hex ids): localeCompare goes through ICU's collator, ~0.3 ms a call.
    containers.sort((a, b) => compareText(b.record.created, a.record.created) || compareText(a.id, b.id));
    if (!this.#recovered && this.#options.recoverRestartPolicies !== false && this.#options.helper) {
      this.#recovered = true;
      if (await recoverRestartPolicies(this, containers)) return this.list();
    }
    return { containers, broken };
  }

  /** One container: by full id, name, or unique id prefix. @throws EngineError NO_SUCH_CONTAINER, AMBIGUOUS_REFERENCE, CORRUPT_RECORD */
  async find(reference: string): Promise<Container> {
    let id: string | undefined;
    if (containerIdPattern.test(reference) && (await this.records.exists(reference))) id = reference;
    id ??= await this.names.lookup(reference);
    if (id === undefined) {
      const { records } = await this.records.list();
      id = findOne(reference, records).id;
    }
    const record = await this.records.read(id);
    const container = this.#withHealth(toContainer(record, await this.#driverSummary(id)));
    await this.#journalExit(container);
    return container;
  }

  /** The container with its health file's state, when it has a health check. */
  #withHealth(container: Container): Container {
    if (!probeSettings(container.record.healthcheck)) return container;
    const health = this.health.read(container.id);
    return health ? { ...container, health } : container;
  }

  /**
   * The first process to see a run's end journals it (`oom`, `die`), once, and keeps it in the
   * record: the driver's record lives in the state root (/run), which a reboot empties.
   */
  async #journalExit(container: Container): Promise<void> {
    let first = false;
    try {
      first = journalExit(this.events, this.containerDir(container.id), container);
    } catch {
      // The journal cannot be written (a full disk): the container's state is still right.
    }
    const summary = container.driver;
    if (!first || !summary?.startedAt || container.record.lastExit?.startedAt === summary.startedAt) return;
    // A container under a live restart policy: its monitor rewrites the record and folds the exit itself (no lost update).
    if (hasRestartPolicy(container.record) && !container.record.manuallyStopped) return;
    // Read again just before the write: the restart monitor may have changed the record meanwhile.
    const fresh = await this.records.read(container.id).catch(() => undefined);
    if (fresh && fresh.lastExit?.startedAt !== summary.startedAt) await this.#foldExit(fresh, summary).catch(() => undefined);
  }

  /** The image users of every container, for `rmi`'s rules. */
  async imageUsers(): Promise<ImageUser[]> {
    const { containers } = await this.list();
    return containers.filter((container) => container.record.imageId !== undefined).map((container) => ({ id: container.id, imageId: container.record.imageId!, running: isActive(container) }));
  }

  async kill(reference: string, signal: string | number = 'KILL'): Promise<Container> {
    const container = await this.find(reference);
    if (!isActive(container)) throw new EngineError('CONTAINER_NOT_RUNNING', `cannot kill container ${reference}: container ${container.id} is not running`);
    if (container.state === 'restarting' || endsRestartPolicy(signal, container.record)) await endRestartPolicy(this, container.id);
    if (container.state === 'restarting') return container;
    // Journaled first: the `die` it causes may be journaled by another process at once.
    this.events.append(containerEvent(container.record, 'kill', { signal: signalAttribute(signal) }));
    await (await this.driver()).kill(container.id, signal);
    return container;
  }

  /**
   * Docker's stop: the signal (default the container's `--stop-signal`, else TERM), then SIGKILL
   * after `timeoutMs` (default its `--stop-timeout`, else 10 s; negative: no limit). Ends its restart
   * policy for good (the monitor goes, the record says manually stopped).
   */
  async stop(reference: string, options: { timeoutMs?: number; signal?: string | number } = {}): Promise<Container> {
    const found = await this.find(reference);
    if (!isActive(found)) return found;
    await endRestartPolicy(this, found.id);
    // With its monitor gone, the container is what it is now: a restart may have just started it.
    const container = await this.find(found.id);
    if (container.state !== 'running' && container.state !== 'paused') return container;
    const driver = await this.driver();
    if (container.state === 'paused') await driver.unpause(container.id);
    const signal = options.signal ?? container.record.stopSignal ?? 'TERM';
    this.events.append(containerEvent(container.record, 'kill', { signal: signalAttribute(signal) }));
    await driver.kill(container.id, signal).catch(() => undefined);
    const timeoutMs = options.timeoutMs ?? (container.record.stopTimeout ?? 10) * 1000;
    const stopped = await Promise.race([driver.wait(container.id).then(() => true), ...(timeoutMs < 0 ? [] : [sleep(timeoutMs).then(() => false)])]);
    if (!stopped) {
      this.events.append(containerEvent(container.record, 'kill', { signal: '9' }));
      await driver.terminate(container.id);
    }
    await driver.wait(container.id).catch(() => undefined);
    await this.networks.release(container.id);
    await this.find(container.id).catch(() => undefined);
    this.events.append(containerEvent(container.record, 'stop'));
    return container;
  }

  /** Freezes every process of the container (Docker's pause). @throws EngineError CONTAINER_NOT_RUNNING */
  async pause(reference: string): Promise<Container> {
    const container = await this.find(reference);
    if (!isActive(container)) throw new EngineError('CONTAINER_NOT_RUNNING', `container ${container.id} is not running`);
    await (await this.driver()).pause(container.id);
    if (container.health) this.health.markPaused(container.id);
    this.events.append(containerEvent(container.record, 'pause'));
    return container;
  }

  async unpause(reference: string): Promise<Container> {
    const container = await this.find(reference);
    await (await this.driver()).unpause(container.id);
    this.events.append(containerEvent(container.record, 'unpause'));
    return container;
  }

  /** Waits for the container's current process to exit (at once for one that already did). */
  async wait(reference: string): Promise<ExitStatus> {
    const container = await this.find(reference);
    if (!container.driver) return { exitCode: container.exitCode ?? 0, oomKilled: container.oomKilled };
    const status = await (await this.driver()).wait(container.id);
    await this.find(container.id).catch(() => undefined);
    return status;
  }

  /**
   * Removes every trace of a container: its process (with `force`), the driver's state, its
   * writable layer (unmounted first), its record, its console files and its name.
   * @throws EngineError CONTAINER_RUNNING without `force`
   */
  async remove(reference: string, options: { force?: boolean; volumes?: boolean } = {}): Promise<Container> {
    const container = await this.find(reference);
    if (isActive(container) && !options.force) {
      throw new EngineError('CONTAINER_RUNNING', `cannot remove container ${reference}: container is ${container.state}: stop the container before removing or force remove (rm -f)`);
    }
    // Docker's order: kill, die (journaled once, by whoever sees the exit first), then destroy.
    if (isActive(container)) {
      // The monitor first: nothing may restart the container while it goes.
      await endRestartPolicy(this, container.id).catch(() => undefined);
      if (container.state !== 'restarting') {
        this.events.append(containerEvent(container.record, 'kill', { signal: '9' }));
        await (await this.driver()).terminate(container.id).catch(() => undefined);
        await this.find(container.id).catch(() => undefined);
      }
    }
    await this.destroy(container.id, container.name);
    // `rm -v` / `--rm`: the container's anonymous volumes go with it (named ones stay, as in Docker).
    if (options.volumes) for (const volume of container.record.volumes ?? []) if (volume.anonymous) await this.volumes.remove(volume.name, [], { force: true }).catch(() => undefined);
    // An image untagged by a forced rmi while this container used it goes with its last user (Docker deleted it then).
    // Only an untagged image needs the list of every container's image (a read of every record).
    const imageId = container.record.imageId;
    if (imageId && (await this.images.get(imageId).catch(() => undefined))?.references.length === 0) {
      await this.images.removeIfUnused(imageId, await this.imageUsers()).catch(() => undefined);
    }
    return container;
  }

  /** Removes whatever is left of the container with this id (a broken record too). */
  async destroy(id: string, name?: string): Promise<void> {
    // The monitor first: nothing may restart the container while it goes.
    await stopMonitor(this.stateRoot, id);
    await rm(monitorPaths(this.stateRoot, id).log, { force: true });
    const record = await this.records.read(id).catch(() => undefined);
    const driver = await this.driver();
    await driver.clean(id);
    await this.networks.release(id);
    const dir = this.containerDir(id);
    await removeContainerLayer(dir);
    const paths = consolePaths(this.stateRoot, id);
    await Promise.all([paths.socket, paths.log].map((path) => rm(path, { force: true })));
    this.health.remove(id);
    if (name) await this.names.release(name, id);
    else await this.names.releaseAll(id);
    this.events.append(containerEvent(record ?? { id, name: name ?? '', image: '', labels: {} }, 'destroy'));
  }

  /** Unmounts the writable layer of a container that stopped (its files stay for the next start). */
  async releaseLayer(id: string): Promise<void> {
    await unmountUnder(containerLayerPaths(this.containerDir(id)).rootfs);
  }

  /** Files of the container's output, as the driver writes them for detached containers and consoles. */
  async logPaths(id: string): Promise<{ stdout: string; stderr: string }> {
    return (await this.driver()).logPaths(id);
  }

  /**
   * The output of a running container started with `{ fifos: true }` (by this process before, or
   * another): readers of its FIFOs, ending once it is gone; undefined when it has none.
   */
  async openOutput(id: string): Promise<ContainerOutput | undefined> {
    return (await this.driver()).openOutput(id);
  }

  /**
   * The keyboard of a running tty container started with `{ fifos: true }` (bytes written reach its
   * terminal, from any process); undefined when it has none (not running, or held by a console holder).
   */
  async openInput(id: string): Promise<Writable | undefined> {
    return (await this.driver()).openInput(id);
  }

  /**
   * Resizes the terminal of a running tty container started with `{ fifos: true }` (the kernel
   * tells its foreground processes with SIGWINCH).
   * @throws DriverError CONTAINER_NOT_RUNNING; TERMINAL_FAILED with no terminal or a bad size
   */
  async resizeTerminal(id: string, cols: number, rows: number): Promise<void> {
    await (await this.driver()).resizeTerminal(id, cols, rows);
  }

  #secured: Promise<void> | undefined;
  #recovered = false;

  /** Private modes for the data root's containers and images, also of installs made before (once per data root). */
  #secure(): Promise<void> {
    this.#secured ??= (async () => {
      if (process.getuid?.() !== 0) {
        throw new EngineError('PERMISSION_DENIED', `execdriver needs root to run containers (uid ${process.getuid?.()}): run it as root (sudo), with ${this.dataRoot} and ${this.stateRoot} writable`);
      }
      const marker = join(this.dataRoot, '.modes-v1');
      if (await stat(marker).then(() => true, () => false)) return;
      try {
        await mkdir(this.dataRoot, { recursive: true, mode: 0o711 });
        await chmod(this.dataRoot, 0o711);
        await this.records.secureExisting();
        await this.images.secure();
        await writeFile(marker, '', { mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
          throw new EngineError('PERMISSION_DENIED', `cannot prepare the data root ${this.dataRoot}: ${(error as Error).message}`, { cause: error });
        }
        throw error;
      }
    })();
    return this.#secured;
  }
}
