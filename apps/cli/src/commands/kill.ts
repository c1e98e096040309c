import { normalizeSignal } from '@execdriver/driver';
import type { CommandSpec } from '../command-spec.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { findContainer } from '../find-container.js';
import { flagString, type ParsedArguments } from '../flags.js';
import { stopFlags, stopOptions } from '../stop-options.js';

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
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      await engine.kill(id, /^\d+$/.test(signal) ? Number(signal) : signal);
    });
  },
};

export const stopCommandSpec: CommandSpec = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers (SIGTERM, then SIGKILL after the timeout)',
  flags: stopFlags,
  minArgs: 1,
  async run(context, parsed) {
    const options = stopOptions(parsed);
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => {
      await engine.stop(id, options);
    });
  },
};
