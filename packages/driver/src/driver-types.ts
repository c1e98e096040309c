import type { Readable, Writable } from 'node:stream';
import type { CgroupStats, NetworkInterfaceStats, OomEvent } from '@execdriver/cgroups';
import type { Command, CommandInput, ContainerStatus, ExitStatus, ProcessConfig, ProcessConfigInput, Resources, RuntimeSpec } from '@execdriver/spec';
import type { Terminal } from '@execdriver/terminal';
import type { ContainerOutput } from './output-fifo.js';

/** Where a container's standard streams go. */
export interface ContainerIo {
  /** Fed to the process's stdin; its end closes the process's stdin. */
  stdin?: Readable;
  stdout?: Writable;
  /** Ignored with a tty: the terminal merges stdout and stderr. */
  stderr?: Writable;
  /** With a tty: called with the terminal once it exists, to resize it or attach a person to it. */
  onTerminal?: (terminal: Terminal) => void;
  /**
   * Detached output: stdout and stderr go to stdout.log and stderr.log in the container's
   * state directory, stdin is /dev/null, and nothing ties the container to this process.
   */
  logs?: boolean;
  /**
   * Detached output on FIFOs: stdout and stderr go to stdout.fifo and stderr.fifo (0600) in the
   * container's state directory, held open read-write by the shim for the whole run (the
   * container never gets EPIPE; it blocks once a pipe is full and nobody reads), stdin is
   * /dev/null, and nothing ties the container to this process. The started container's `output`
   * reads them; `openOutput(id)` reopens them from another process (after a restart).
   * With a tty, the terminal is held by util-linux script(1) under the shim (no process of ours):
   * its screen is stdout.fifo, its keyboard stdin.fifo (`openInput(id)`), `resizeTerminal` sizes it.
   */
  fifos?: boolean;
  /**
   * With `fifos` and no tty: the process's stdin is stdin.fifo, whose one writer is the started
   * container's `input` (Docker's OpenStdin without a terminal: EOF once the caller ends it).
   */
  openStdin?: boolean;
}

/** The original's DriverCallback: (processConfig, pid, oomEvents). */
export type DriverCallback = (process: ProcessConfig, pid: number, oomEvents: AsyncIterable<OomEvent>) => void | Promise<void>;

export interface Hooks {
  /**
   * Called once the container's namespaces and cgroups exist, before the user's process runs
   * (OCI createRuntime). A throw aborts the start: run rejects with HOOK_FAILED and nothing is left.
   */
  preStart?: DriverCallback[];
  /** Called once the user's process runs. */
  start?: DriverCallback;
  /** Called after the process exited and runc released the container's resources. */
  postStop?: ((process: ProcessConfig, pid: number, status: ExitStatus) => void | Promise<void>)[];
}

/** A container's status: the OCI statuses plus runc's `paused` (defined in @execdriver/spec). */
export type { ContainerStatus };

/**
 * A container whose record cannot be read (an empty or garbage container.json, a FIFO in its
 * place): listed by `list({ includeBroken: true })` so it can be seen and removed with `clean(id)`;
 * `inspect(id)` of it throws CONTAINER_BROKEN.
 */
export interface BrokenContainer {
  id: string;
  status: 'broken';
  /** What is wrong, naming the file. */
  error: string;
  /** The unreadable file. */
  path: string | undefined;
}

export interface ListOptions {
  /** Also list containers whose record is broken, as BrokenContainer entries. */
  includeBroken?: boolean;
}

export interface ContainerSummary {
  id: string;
  status: ContainerStatus;
  pid: number | undefined;
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  exitCode: number | undefined;
  oomKilled: boolean | undefined;
  bundle: string;
  rootfs: string;
  cgroupsPath: string;
  logs: boolean;
  /** Started with `fifos`: its output (and a tty's keyboard) are FIFOs any process can open. */
  fifos: boolean;
  tty: boolean;
  command: Command;
  labels: Record<string, string>;
  /** Settings of the command that could not apply on this host. */
  warnings: string[];
  /** The OCI runtime that created it (name and binary); runc for containers from before runtimes were recorded. */
  runtime: { name: string; path: string };
}

export interface ContainerInfo {
  id: string;
  isRunning(): Promise<boolean>;
}

export interface ContainerStats {
  id: string;
  /** When the figures were read (ISO 8601). */
  read: string;
  cgroup: CgroupStats;
  networks: Record<string, NetworkInterfaceStats>;
  /** The memory limit, or the host's memory when the container has none. */
  memoryLimitBytes: number;
  systemCpuUsageNanoseconds: number;
  onlineCpus: number;
}

export interface StartOptions {
  /**
   * The OCI runtime of this container: runc, crun, youki (a name on PATH) or a path; default the
   * driver's. Kept in its record: every later operation on the container uses it.
   */
  runtime?: string;
  /** Labels kept with the container's record (the CLI keeps its name and flags). */
  labels?: Record<string, string>;
  /** Called with each setting that cannot apply on this host (kernel memory on cgroup v2, ...). */
  onWarning?: (message: string) => void;
  /**
   * The container's own /etc files where the caller knows better (its network's addresses and
   * peers): `hosts` replaces the content written, `resolvConf` maps the content that would be.
   */
  etcContent?: { hosts?: string; resolvConf?: (content: string) => string };
}

/** An OCI runtime the driver can use here. */
export interface RuntimeDescription {
  /** runc, crun, youki (from its `--version`), else the binary's base name. */
  name: string;
  /** The binary. */
  path: string;
  version: string;
  /** Why it cannot run containers on this host (crun on hybrid cgroups), when it cannot. */
  problem?: string;
}

/** The driver's runtimes: the default of new containers, and every known one on PATH. */
export interface DriverRuntimes {
  default: RuntimeDescription;
  available: RuntimeDescription[];
}

export interface StartedContainer {
  id: string;
  pid: number;
  /** The bundle directory (config.json, the container's /etc files). */
  bundle: string;
  /** When the process was seen started (RFC 3339), as `inspect` says. */
  startedAt: string;
  /** Settings of the command that could not apply on this host. */
  warnings: string[];
  /** Settles with the exit status, once the process has exited and runc released the container. */
  exited: Promise<ExitStatus>;
  /** With `fifos`: the output, ending once the shim is gone and all of it was read. */
  output?: ContainerOutput;
  /**
   * With `fifos` and `openStdin` (no tty): the only writer of the container's stdin. What is written
   * reaches its process; ending it is the process's end of input (EOF). It goes with this process.
   */
  input?: Writable;
}

/** The execution driver: the original's interface over runc, Promise-based. */
export interface Driver {
  /** Runs the container and resolves when its process exits. A signal gives 128 + n. */
  run(command: CommandInput, io?: ContainerIo, hooks?: Hooks, options?: StartOptions): Promise<ExitStatus>;
  /** Starts the container and resolves once its process runs; `exited` follows its end. */
  start(command: CommandInput, io?: ContainerIo, hooks?: Hooks, options?: StartOptions): Promise<StartedContainer>;
  /**
   * The OCI runtime config `start` would give this command on this host (its /etc files, devices,
   * capabilities, warnings), without creating anything. `userRoot`: where to look users up when
   * the root filesystem is not there yet (an overlay not mounted), e.g. the image's directory.
   */
  spec(command: CommandInput, options?: { userRoot?: string }): Promise<{ spec: RuntimeSpec; warnings: string[] }>;
  /** Runs another process in a running container and resolves to its exit code. */
  exec(id: string, process: ProcessConfigInput, io?: ContainerIo, hooks?: Pick<Hooks, 'start'>): Promise<number>;
  kill(id: string, signal: string | number): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** SIGKILL to every process of the container; resolves once they are gone. */
  terminate(id: string): Promise<void>;
  /**
   * Removes every trace of the container: its processes, runc state, cgroups, state directory;
   * also of a broken one. Idempotent. CLEAN_INCOMPLETE names what could not be removed.
   */
  clean(id: string): Promise<void>;
  /** Waits for a container (also one started by another process) to exit. */
  wait(id: string): Promise<ExitStatus>;
  info(id: string): ContainerInfo;
  inspect(id: string): Promise<ContainerSummary>;
  getPids(id: string): Promise<number[]>;
  /**
   * One sample of the container's cgroup, network and host CPU counters. `brief`: only the
   * figures of a `docker stats` line, from about a third of the kernel files (`StatsOptions` of
   * @execdriver/cgroups), for sampling many containers often.
   */
  stats(id: string, options?: { brief?: boolean }): Promise<ContainerStats>;
  /**
   * New cgroup limits for a running (or paused) container (`runc update`): the whole resources
   * of its command as they are to be now. Resolves to the warnings of settings left out on this host.
   * @throws DriverError CONTAINER_NOT_RUNNING, RUNC_FAILED, INVALID_COMMAND (resources that do not fit the host)
   */
  update(id: string, resources: Resources): Promise<{ warnings: string[] }>;
  /**
   * Every container of this state root. A container whose record is broken never breaks the
   * list: it is left out, or listed as a BrokenContainer with `includeBroken`.
   */
  list(): Promise<ContainerSummary[]>;
  list(options: ListOptions & { includeBroken: true }): Promise<(ContainerSummary | BrokenContainer)[]>;
  list(options?: ListOptions): Promise<(ContainerSummary | BrokenContainer)[]>;
  /** The default runtime and its version, e.g. `runc-1.1.5` or `crun-1.8.1`. */
  name(): string;
  /** The default runtime of new containers and every known runtime on PATH, each with why it cannot run here if it cannot. */
  runtimes(): Promise<DriverRuntimes>;
  /**
   * The runtime a container asking for `runtime` (a name on PATH or a path; default the driver's)
   * would get: RUNC_MISSING when it is not there or does not run, RUNTIME_UNSUPPORTED when it
   * cannot run containers on this host, both naming it. Nothing is created.
   */
  resolveRuntime(runtime?: string): Promise<RuntimeDescription>;
  supportsHooks(): boolean;
  /** Paths of a detached container's logs. */
  logPaths(id: string): { stdout: string; stderr: string };
  /**
   * The output FIFOs of a container started with `fifos` (another process's start, or one before
   * a restart): readers ending once its shim is gone; undefined when it has none. Output written
   * while nobody read is there, up to the pipe's capacity, as long as the shim still runs.
   */
  openOutput(id: string): ContainerOutput | undefined;
  /**
   * The keyboard of a tty container started with `fifos` (its stdin FIFO), from any process:
   * bytes written reach its terminal; undefined when it has none.
   */
  openInput(id: string): Writable | undefined;
  /**
   * Resizes the terminal of a running tty container (however it was started): the kernel sends
   * SIGWINCH to its foreground processes.
   * @throws DriverError NOT_RUNNING; TERMINAL_FAILED when it has no terminal or the size is invalid
   */
  resizeTerminal(id: string, cols: number, rows: number): Promise<void>;
}
