import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { containerStateSchema, parseFeatures, type ContainerState, type Features } from '@execdriver/spec';
import { z } from 'zod';
import { DriverError } from './errors.js';
import {
  toDeleteArgs,
  toGlobalArgs,
  toKillArgs,
  toListArgs,
  toPauseArgs,
  toPsArgs,
  toResumeArgs,
  toStateArgs,
  type GlobalOptions,
} from './runc-args.js';

export interface RuncOptions extends GlobalOptions {
  /** The runc binary: a path or a name looked up on PATH. */
  command: string;
}

const listSchema = z.array(z.looseObject({ id: z.string(), pid: z.number(), status: z.string(), bundle: z.string() })).nullable();
const psSchema = z.array(z.number().int()).nullable();

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

/** A runc client: one private spawn path with argv arrays, JSON outputs decoded with zod. */
export class Runc {
  readonly options: RuncOptions;

  constructor(options: RuncOptions) {
    this.options = options;
  }

  /** Global arguments, with a per-call log file when given. */
  globalArgs(log?: string): string[] {
    return toGlobalArgs({ ...this.options, ...(log === undefined ? {} : { log }) });
  }

  /**
   * The one spawn path: argv arrays, never a shell. (node:child_process rather than execa: a CLI
   * creates a driver per invocation, and execa's import alone cost about 150 ms of start-up here.)
   */
  private async exec(args: string[], log?: string): Promise<string> {
    const full = [...this.globalArgs(log), ...args];
    const result = await new Promise<{ exitCode: number | undefined; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>((resolve) => {
      const child = execFile(this.options.command, full, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : undefined) : 0;
        resolve({ exitCode: code, stdout, stderr, ...(error ? { error: error as NodeJS.ErrnoException } : {}) });
      });
      child.stdin?.end();
    });
    if (result.error || result.exitCode !== 0) {
      const logText = log === undefined ? '' : await readFile(log, 'utf8').catch(() => '');
      const runcMessage = lastRuncLogMessage(logText) ?? lastRuncLogMessage(result.stderr);
      if (result.error?.code === 'ENOENT') {
        throw new DriverError('RUNC_MISSING', `runc not found (${this.options.command}): install it with "apt-get install -y runc"`, { cause: result.error });
      }
      throw new DriverError('RUNC_FAILED', `runc ${args.join(' ')} failed${runcMessage ? `: ${runcMessage}` : ` with exit code ${result.exitCode}`}`, {
        runc: { args: full, exitCode: result.exitCode, stderr: result.stderr, runcMessage },
      });
    }
    return result.stdout;
  }

  async version(): Promise<{ runc: string; spec: string | undefined; commit: string | undefined }> {
    const out = await this.exec(['--version']);
    return {
      runc: /runc version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0] ?? 'unknown',
      spec: /spec: (\S+)/.exec(out)?.[1],
      commit: /commit: (\S+)/.exec(out)?.[1],
    };
  }

  /** `runc features` (runc 1.1 and later), or undefined when this runc has no such command. */
  async features(): Promise<Features | undefined> {
    try {
      return parseFeatures(JSON.parse(await this.exec(['features'])));
    } catch {
      return undefined;
    }
  }

  async state(id: string, log?: string): Promise<ContainerState> {
    return containerStateSchema.parse(JSON.parse(await this.exec(toStateArgs(id), log)));
  }

  /** The container's state, or undefined when runc does not know it. */
  async stateIfExists(id: string): Promise<ContainerState | undefined> {
    try {
      return await this.state(id);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'RUNC_FAILED' && /does not exist|not exist/.test(error.message)) return undefined;
      throw error;
    }
  }

  async list(): Promise<{ id: string; pid: number; status: string; bundle: string }[]> {
    return listSchema.parse(JSON.parse(await this.exec(toListArgs()) || 'null')) ?? [];
  }

  async ps(id: string, log?: string): Promise<number[]> {
    return psSchema.parse(JSON.parse(await this.exec(toPsArgs(id), log))) ?? [];
  }

  async kill(id: string, signal: string, options: { all?: boolean; log?: string } = {}): Promise<void> {
    await this.exec(toKillArgs(id, signal, options), options.log);
  }

  async pause(id: string, log?: string): Promise<void> {
    await this.exec(toPauseArgs(id), log);
  }

  async resume(id: string, log?: string): Promise<void> {
    await this.exec(toResumeArgs(id), log);
  }

  async delete(id: string, options: { force?: boolean; log?: string } = {}): Promise<void> {
    await this.exec(toDeleteArgs(id, options), options.log);
  }
}
