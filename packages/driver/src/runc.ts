import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseContainerState, parseFeatures, type ContainerState, type Features } from '@execdriver/spec';
import { heldTerminalArgs, openTerminal, type Terminal } from '@execdriver/terminal';
import { DriverError } from './errors.js';
import {
  toDeleteArgs,
  toExecArgs,
  toGlobalArgs,
  toKillArgs,
  toPauseArgs,
  toResumeArgs,
  toUpdateArgs,
  toRunArgs,
  toStateArgs,
  type ExecOptions,
  type GlobalOptions,
  type RunOptions,
} from './runc-args.js';
import { parseRuntimeVersion, type RuntimeVersion } from './runtime-choice.js';
import { normalizeSignal } from './signals.js';

export interface RuncOptions extends GlobalOptions {
  /** The runtime's binary (runc, crun, youki: runc's command line): a path or a name looked up on PATH. */
  command: string;
  /** The runtime's name (runc, crun, youki) for messages; default the binary's base name. */
  name?: string;
}

/** Where a long-lived runc process (`run`, `exec`) sends its standard streams. */
export type RuncIo =
  /** Pipes on the child for the streams asked for (the others are /dev/null). */
  | { kind: 'pipes'; stdin: boolean; stdout: boolean; stderr: boolean }
  /** stdout and stderr appended to files, stdin /dev/null: nothing ties the process to us. */
  | { kind: 'files'; stdout: string; stderr: string }
  /**
   * stdout and stderr on FIFOs the spawned process holds open read-write (it never sees EPIPE or
   * SIGPIPE when the reader goes away; a write blocks once the pipe is full), stdin /dev/null.
   */
  | { kind: 'fifos'; stdout: string; stderr: string; /** A FIFO whose writer the caller holds open: the process's stdin (else /dev/null). */ stdin?: string }
  /** A pseudo-terminal of this size (@execdriver/terminal). */
  | { kind: 'terminal'; cols: number; rows: number }
  /**
   * A terminal that needs no process of ours: runc runs under script(1), which holds the host side
   * of the terminal (runc's own pty with the container's is inside it) with the `stdin` FIFO as its
   * keyboard and the `stdout` FIFO as its screen, all held open read-write by the shim (as `fifos`).
   */
  | { kind: 'terminal-fifos'; stdin: string; stdout: string; stderr: string; cols: number; rows: number };

/** A long-lived runc process started by the client. */
export interface RuncProcess {
  /** The pid of what was spawned (the shim for `run` with an exit file, runc otherwise). */
  pid: number | undefined;
  /** Its exit status; a signal gives 128 + n. Never rejects. */
  exited: Promise<number>;
  /** With `pipes`, `files` and `fifos`. */
  child?: ChildProcess;
  /** With `terminal`. */
  terminal?: Terminal;
  /** The argv run (runc's, after the shim's own arguments). */
  args: string[];
}

/**
 * The shim: a few lines of sh that wait for `runc run --keep` (the parent of the container's
 * process, which returns its exit status) and record that status in a file. It runs in its own
 * session, so it outlives the Node process that started it; `--keep` keeps the stopped container
 * and its cgroup until the driver has read the OOM counters.
 */
export const shimScript = 'exit_file=$1; shift; "$@"; code=$?; printf "%s\\n" "$code" > "$exit_file"; exit $code';

/** The last `"level":"error"` (or last) message of runc's JSON log. */
export function lastRuncLogMessage(log: string): string | undefined {
  let last: string | undefined;
  let lastError: string | undefined;
  for (const line of log.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if (typeof entry.msg !== 'string') continue;
      last = entry.msg;
      if (entry.level === 'error' || entry.level === 'fatal') lastError = entry.msg;
    } catch {
      last = line;
    }
  }
  return lastError ?? last;
}

/**
 * runc's environment: ours without NOTIFY_SOCKET. runc passes NOTIFY_SOCKET on to the container
 * as a systemd readiness socket (and fails if it is not there); a driver started by systemd must
 * not hand its own to every container.
 */
export function runcEnvironment(environment: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { NOTIFY_SOCKET: _notifySocket, ...rest } = environment;
  return rest;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? normalizeSignal(signal).number : 0);
}

/**
 * A client of an OCI runtime with runc's command line (runc, crun, youki): the one owner of every
 * runtime process, with argv arrays and JSON outputs decoded with zod.
 */
export class Runc {
  readonly options: RuncOptions;

  constructor(options: RuncOptions) {
    this.options = options;
  }

  /** The runtime's name (runc, crun, youki), as given or the binary's base name. */
  get name(): string {
    return this.options.name ?? basename(this.options.command);
  }

  /** Whether runc has state for the container (its directory under runc's root), without running runc. */
  knows(id: string): boolean {
    return this.options.root === undefined || existsSync(join(this.options.root, id));
  }

  /** Global arguments, with a per-call log file when given. */
  globalArgs(log?: string): string[] {
    return toGlobalArgs({ ...this.options, ...(log === undefined ? {} : { log }) });
  }

  /**
   * The spawn path of short commands: argv arrays, never a shell. (node:child_process rather than
   * execa: a CLI creates a driver per invocation, and execa's import alone cost about 150 ms of
   * start-up here.) A failure is RUNC_FAILED with the args, exit code, stderr and runc's last log message.
   */
  private async execute(args: string[], log?: string): Promise<string> {
    const full = [...this.globalArgs(log), ...args];
    const result = await new Promise<{ exitCode: number | undefined; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>((resolve) => {
      const child = execFile(this.options.command, full, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', env: runcEnvironment() }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
        resolve({ exitCode: code, stdout, stderr, ...(error ? { error: error as NodeJS.ErrnoException } : {}) });
      });
      child.stdin?.end();
    });
    if (result.error || result.exitCode !== 0) {
      if (result.error?.code === 'ENOENT' || result.error?.code === 'EACCES') {
        throw new DriverError('RUNC_MISSING', `${this.name} not found (${this.options.command}): install it with "apt-get install -y ${this.name === 'crun' || this.name === 'youki' ? this.name : 'runc'}"`, { cause: result.error });
      }
      const logText = log === undefined ? '' : await readFile(log, 'utf8').catch(() => '');
      const runcMessage = lastRuncLogMessage(logText) ?? lastRuncLogMessage(result.stderr);
      throw new DriverError('RUNC_FAILED', `${this.name} ${args.join(' ')} failed${runcMessage ? `: ${runcMessage}` : ` with exit code ${result.exitCode}`}`, {
        runc: { args: full, exitCode: result.exitCode, stderr: result.stderr, runcMessage },
      });
    }
    return result.stdout;
  }

  /** `--version`: which runtime this is (runc, crun, youki) and its version. */
  async version(): Promise<RuntimeVersion> {
    return parseRuntimeVersion(await this.execute(['--version']), basename(this.options.command));
  }

  /** `runc features` (runc 1.1 and later), or undefined when this runtime has no such command (crun 1.8). */
  async features(): Promise<Features | undefined> {
    try {
      return parseFeatures(JSON.parse(await this.execute(['features'])));
    } catch {
      return undefined;
    }
  }

  /** `runc state`, decoded; output that is not a container state is RUNC_FAILED saying so. */
  async state(id: string, log?: string): Promise<ContainerState> {
    const args = toStateArgs(id);
    const out = await this.execute(args, log);
    try {
      return parseContainerState(JSON.parse(out));
    } catch (error) {
      throw new DriverError('RUNC_FAILED', `${this.name} state ${id} printed no valid container state: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
        runc: { args: [...this.globalArgs(log), ...args], exitCode: 0, stderr: '', runcMessage: undefined },
      });
    }
  }

  async kill(id: string, signal: string, options: { all?: boolean; log?: string } = {}): Promise<void> {
    await this.execute(toKillArgs(id, signal, options), options.log);
  }

  async pause(id: string, log?: string): Promise<void> {
    await this.execute(toPauseArgs(id), log);
  }

  async resume(id: string, log?: string): Promise<void> {
    await this.execute(toResumeArgs(id), log);
  }

  /** `runc update`: new cgroup limits for a running container, read from `resourcesFile` (OCI linux.resources JSON). */
  async update(id: string, resourcesFile: string, log?: string): Promise<void> {
    await this.execute(toUpdateArgs(id, resourcesFile), log);
  }

  async delete(id: string, options: { force?: boolean; log?: string } = {}): Promise<void> {
    await this.execute(toDeleteArgs(id, options), options.log);
  }

  /**
   * Starts `runc run` in the foreground, in its own session, under the shim that records its
   * exit status in `exitFile` (see `shimScript`), so the status outlives this process.
   */
  async run(id: string, options: RunOptions & { log: string; exitFile: string }, io: RuncIo): Promise<RuncProcess> {
    const runcArgs = [this.options.command, ...this.globalArgs(options.log), ...toRunArgs(id, options)];
    const held = io.kind === 'terminal-fifos' ? heldTerminalArgs(runcArgs, { cols: io.cols, rows: io.rows }) : runcArgs;
    const shimArgs = ['-c', shimScript, 'execdriver-shim', options.exitFile, ...held];
    return this.#spawn('/bin/sh', shimArgs, io, { detached: true, args: runcArgs, exitEvent: 'exit' });
  }

  /** Starts `runc exec` (a process in a running container), attached to this process. */
  async exec(id: string, options: ExecOptions & { log: string }, io: RuncIo): Promise<RuncProcess> {
    const args = [...this.globalArgs(options.log), ...toExecArgs(id, options)];
    return this.#spawn(this.options.command, args, io, { detached: false, args: [this.options.command, ...args], exitEvent: 'close' });
  }

  async #spawn(file: string, args: string[], io: RuncIo, options: { detached: boolean; args: string[]; exitEvent: 'exit' | 'close' }): Promise<RuncProcess> {
    const env = runcEnvironment();
    if (io.kind === 'terminal') {
      const terminal = await openTerminal(file, args, { cols: io.cols, rows: io.rows, env });
      return { pid: terminal.pid, exited: terminal.exited.then((exit) => exit.exitCode), terminal, args: options.args };
    }
    let child: ChildProcess;
    if (io.kind === 'files' || io.kind === 'fifos' || io.kind === 'terminal-fifos') {
      // A FIFO opened read-write does not wait for a reader.
      const flags = io.kind === 'files' ? 'a' : 'r+';
      // A terminal's keyboard is held read-write (it never ends); a plain stdin FIFO is opened to read
      // (blocking, at once: the caller holds its writer), so the process sees EOF once that writer goes.
      const stdin = io.kind === 'terminal-fifos' ? openSync(io.stdin, 'r+') : io.kind === 'fifos' && io.stdin !== undefined ? openSync(io.stdin, 'r') : 'ignore';
      const stdout = openSync(io.stdout, flags, 0o600);
      const stderr = openSync(io.stderr, flags, 0o600);
      try {
        // script(1) runs its command with $SHELL.
        child = spawn(file, args, { detached: options.detached, stdio: [stdin, stdout, stderr], env: io.kind === 'terminal-fifos' ? { ...env, SHELL: '/bin/sh' } : env });
      } finally {
        for (const fd of [stdin, stdout, stderr]) if (typeof fd === 'number') closeSync(fd);
      }
      child.unref();
    } else {
      child = spawn(file, args, { detached: options.detached, stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', io.stderr ? 'pipe' : 'ignore'], env });
    }
    const exited = new Promise<number>((resolve) => {
      child.on('error', () => resolve(127));
      child.on(options.exitEvent, (code: number | null, signal: NodeJS.Signals | null) => resolve(exitCodeOf(code, signal)));
    });
    return { pid: child.pid, exited, child, args: options.args };
  }
}
