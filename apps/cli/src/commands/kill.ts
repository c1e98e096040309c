import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeSignal } from '@execdriver/driver';
import type { CommandSpec } from '../command-spec.js';
import { dockerState, findContainer } from '../container-lookup.js';
import type { Context } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { flagString, type ParsedArguments } from '../flags.js';
import { parseDuration } from '../units.js';

/** Runs `action` for each container argument as Docker does: prints each id done, reports each failure, exit 1 if any failed. */
export async function forEachContainer(context: Context, parsed: ParsedArguments, action: (id: string) => Promise<void>): Promise<number> {
  let failed = false;
  for (const reference of parsed.positionals) {
    try {
      const summary = await findContainer(context, reference);
      await action(summary.id);
      context.stdout.write(`${reference}\n`);
    } catch (error) {
      failed = true;
      context.stderr.write(`execdriver: ${(error as Error).message.replace(/\s*\n\s*/g, '; ')}\n`);
    }
  }
  return failed ? 1 : 0;
}

export const killCommandSpec: CommandSpec = {
  name: 'kill',
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', kind: 'string', description: 'Signal to send to the container (default KILL)' }],
  minArgs: 1,
  async run(context, parsed) {
    const signal = flagString(parsed, 'signal') ?? 'KILL';
    try {
      normalizeSignal(/^\d+$/.test(signal) ? Number(signal) : signal);
    } catch {
      throw usageError(`invalid value ${JSON.stringify(signal)} for flag --signal: unknown signal`);
    }
    const driver = await context.driver();
    return forEachContainer(context, parsed, async (id) => {
      const summary = await driver.inspect(id);
      if (!['running', 'paused'].includes(dockerState(summary))) throw new CliError('CONTAINER_NOT_RUNNING', `cannot kill container ${id}: it is not running`);
      await driver.kill(id, /^\d+$/.test(signal) ? Number(signal) : signal);
    });
  },
};

export const stopCommandSpec: CommandSpec = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers (SIGTERM, then SIGKILL after the timeout)',
  flags: [
    { name: 'time', short: 't', kind: 'string', valueName: 'seconds', description: 'Seconds to wait before killing the container (default 10; also 10s, 1m)' },
    { name: 'signal', short: 's', kind: 'string', description: 'Signal to send to the container (default TERM)' },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const timeText = flagString(parsed, 'time');
    const timeoutMs = timeText === undefined ? 10_000 : parseDuration('--time', timeText);
    const signal = flagString(parsed, 'signal') ?? 'TERM';
    const driver = await context.driver();
    return forEachContainer(context, parsed, async (id) => {
      const summary = await driver.inspect(id);
      if (!['running', 'paused'].includes(dockerState(summary))) return;
      if (summary.status === 'paused') await driver.unpause(id);
      await driver.kill(id, signal).catch(() => undefined);
      const stopped = await Promise.race([driver.wait(id).then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!stopped) await driver.terminate(id);
    });
  },
};
