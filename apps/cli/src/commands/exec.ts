import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { containerEvent } from '@execdriver/engine';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessConfigInput } from '@execdriver/spec';
import { attachLocalTerminal, type AttachResult } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import { findContainer } from '../find-container.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagList, flagString } from '../flags.js';
import { heldForwarder } from '../held-output.js';
import { spawnHelper } from '../helpers.js';
import { parseEnvFile } from '../run-flags.js';
import { toStartFailure } from '../start-failure.js';

/** The environment a detached exec's helper gets its variables from (JSON array of KEY=VALUE). */
const detachedExecEnv = 'EXECDRIVER_EXEC_ENV';

export const execCommandSpec: CommandSpec = {
  name: 'exec',
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  flags: [
    { name: 'detach', short: 'd', kind: 'boolean', description: 'Detached mode: run command in the background' },
    { name: 'interactive', short: 'i', kind: 'boolean', description: 'Keep STDIN open' },
    { name: 'tty', short: 't', kind: 'boolean', description: 'Allocate a pseudo-TTY' },
    { name: 'env', short: 'e', kind: 'list', description: 'Set environment variables' },
    { name: 'env-file', kind: 'list', description: 'Read in a file of environment variables' },
    { name: 'user', short: 'u', kind: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
    { name: 'workdir', short: 'w', kind: 'string', description: 'Working directory inside the container' },
    { name: 'privileged', kind: 'boolean', description: 'Give extended privileges to the command' },
  ],
  stopAtFirstPositional: true,
  minArgs: 2,
  async run(context, parsed) {
    const [reference, ...args] = parsed.positionals as [string, ...string[]];
    const summary = await findContainer(context, reference);
    const env: string[] = [];
    for (const path of flagList(parsed, 'env-file')) {
      const text = await readFile(path, 'utf8').catch(() => {
        throw usageError(`invalid value ${JSON.stringify(path)} for flag --env-file: cannot read it`);
      });
      env.push(...parseEnvFile(path, text, context.env));
    }
    for (const entry of flagList(parsed, 'env')) {
      if (entry.includes('=')) env.push(entry);
      else if (context.env[entry] !== undefined) env.push(`${entry}=${context.env[entry]}`);
    }
    const inherited = context.env[detachedExecEnv];
    if (inherited !== undefined) env.push(...(JSON.parse(inherited) as string[]));
    if (flagBoolean(parsed, 'detach')) {
      // The same exec, in a helper of its own that outlives this CLI (stdio to nowhere). The
      // environment goes through the helper's own environment (readable by root only), never its
      // command line, which every user sees in ps.
      const flags = [...parsed.flags].filter(([name]) => !['detach', 'tty', 'interactive', 'env', 'env-file'].includes(name));
      const forwarded = flags.flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => `--${name}=${item}`) : value === true ? [`--${name}`] : value === false ? [] : [`--${name}=${value}`]));
      spawnHelper(context, ['exec', ...forwarded, '--', summary.id, ...args], { env: { [detachedExecEnv]: JSON.stringify(env) } });
      return 0;
    }
    const tty = flagBoolean(parsed, 'tty');
    if (tty && flagBoolean(parsed, 'interactive') && !process.stdin.isTTY) throw usageError('the input device is not a TTY: run exec -it from a terminal, or drop -t');
    const processConfig: ProcessConfigInput = { args, env, tty, privileged: flagBoolean(parsed, 'privileged') };
    const user = flagString(parsed, 'user');
    if (user !== undefined) processConfig.user = user;
    const workdir = flagString(parsed, 'workdir');
    if (workdir !== undefined) processConfig.workingDir = workdir;
    const driver = await context.driver();
    // Docker's exec events: `exec_create: <command>`, `exec_start: <command>`, then `exec_die` with the exit code.
    const engine = await context.engine();
    const execId = randomBytes(32).toString('hex');
    const journal = (action: string, extra: Record<string, string> = {}) => {
      try {
        engine.events.append(containerEvent(summary.record, action, { execID: execId, ...extra }));
      } catch {
        // The journal cannot be written: the exec still runs.
      }
    };
    journal(`exec_create: ${args.join(' ')}`);
    journal(`exec_start: ${args.join(' ')}`);
    if (tty) {
      if (process.stdout.isTTY) {
        const [width, height] = process.stdout.getWindowSize();
        // A terminal that reports 0x0 (`script`, some CI ptys) gets the runtime's default size.
        if (width > 0 && height > 0) processConfig.consoleSize = { width, height };
      }
      let attached: Promise<AttachResult> | undefined;
      const exitCode = await driver
        .exec(summary.id, processConfig, {
          onTerminal: (terminal) => {
            attached = attachLocalTerminal(terminal, { detachKeys: false, ...(flagBoolean(parsed, 'interactive') ? {} : { stdin: new PassThrough() }) });
          },
        })
        .catch((error: unknown) => {
          // Docker's 127 / 126 for a command not found / not executable; other failures stay 125.
          throw toStartFailure(error);
        });
      await attached?.catch(() => undefined);
      journal('exec_die', { exitCode: String(exitCode) });
      return exitCode;
    }
    // Held until the process runs: when runc cannot start it, runc's own line on stderr is dropped
    // and the CLI's one line (`execdriver: exec in ...`) says it instead.
    const stdout = heldForwarder(process.stdout);
    const stderr = heldForwarder(process.stderr);
    const release = (pass: boolean) => {
      stdout.release(pass);
      stderr.release(pass);
    };
    const exitCode = await driver
      .exec(summary.id, processConfig, { stdout: stdout.stream, stderr: stderr.stream, ...(flagBoolean(parsed, 'interactive') ? { stdin: process.stdin } : {}) }, { start: () => release(true) })
      .catch((error: unknown) => {
        release(false);
        // The driver reports a process that never started (runc's own failure) as RUNC_FAILED:
        // Docker's 127 / 126 for a command not found / not executable; other failures stay 125.
        throw toStartFailure(error);
      });
    release(true);
    journal('exec_die', { exitCode: String(exitCode) });
    await Promise.race([Promise.all([finished(stdout.stream), finished(stderr.stream)]).catch(() => undefined), sleep(2000)]);
    return exitCode;
  },
};
