import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isActive, startDetached } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { flagBoolean } from '../flags.js';
import { heldForwarder } from '../held-output.js';
import { toStartFailure } from '../start-failure.js';
import { stopFlags, stopOptions } from '../stop-options.js';
import { forEachContainer } from './kill.js';

/** `start -a`: the container's output here, its exit code as ours (Docker). */
async function startAttached(context: Context, reference: string, interactive: boolean): Promise<number> {
  const engine = await context.engine();
  const container = await engine.find(reference);
  if (container.record.command.process.tty) throw usageError(`start -a of a tty container (${reference}) is not supported yet: use execdriver start ${reference} and execdriver attach ${reference}`);
  if (isActive(container)) throw new CliError('CONTAINER_RUNNING', `container ${reference} is already running: use execdriver attach ${reference}`);
  const stdout = heldForwarder(process.stdout);
  const stderr = heldForwarder(process.stderr);
  let started;
  try {
    started = await engine.start(container.record, { stdout: stdout.stream, stderr: stderr.stream, ...(interactive ? { stdin: process.stdin } : {}) });
  } catch (error) {
    stdout.release(false);
    stderr.release(false);
    throw toStartFailure(error);
  }
  stdout.release(true);
  stderr.release(true);
  const status = await started.exited;
  await Promise.race([Promise.all([finished(stdout.stream), finished(stderr.stream)]).catch(() => undefined), sleep(2000)]);
  return status.exitCode;
}

export const startCommandSpec: CommandSpec = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers (same config and writable layer)',
  flags: [
    { name: 'attach', short: 'a', kind: 'boolean', description: "Attach STDOUT/STDERR and forward signals; exit with the container's code" },
    { name: 'interactive', short: 'i', kind: 'boolean', description: "Attach container's STDIN" },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const attach = flagBoolean(parsed, 'attach');
    const interactive = flagBoolean(parsed, 'interactive');
    if ((attach || interactive) && parsed.positionals.length > 1) throw usageError('you cannot start and attach multiple containers at once');
    if (attach || interactive) return startAttached(context, parsed.positionals[0]!, interactive);
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      const container = await engine.find(id);
      if (isActive(container) && container.state !== 'restarting') return; // Docker: starting a running container does nothing
      try {
        await startDetached(engine, container.record);
      } catch (error) {
        throw toStartFailure(error);
      }
    });
  },
};

export const restartCommandSpec: CommandSpec = {
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers (stop, then start with the same config and writable layer)',
  flags: stopFlags,
  minArgs: 1,
  async run(context, parsed) {
    const options = stopOptions(parsed);
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      await engine.stop(id, options);
      try {
        await startDetached(engine, (await engine.find(id)).record);
      } catch (error) {
        throw toStartFailure(error);
      }
    });
  },
};
