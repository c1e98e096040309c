import { copyLogs } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { findContainer } from '../find-container.js';
import { flagBoolean, flagString } from '../flags.js';

export const logsCommandSpec: CommandSpec = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a detached container',
  flags: [
    { name: 'follow', short: 'f', kind: 'boolean', description: 'Follow log output' },
    { name: 'tail', short: 'n', kind: 'string', description: 'Number of lines to show from the end of the logs (default "all")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const tailText = flagString(parsed, 'tail') ?? 'all';
    let tail: number | undefined;
    if (tailText !== 'all') {
      if (!/^\d+$/.test(tailText)) throw usageError(`invalid value ${JSON.stringify(tailText)} for flag --tail: expected a number or all`);
      tail = Number(tailText);
    }
    const targets = { stdout: context.stdout as { write(data: Buffer): unknown }, stderr: context.stderr as { write(data: Buffer): unknown } };
    await copyLogs(await context.engine(), summary.id, targets, { tail, follow: flagBoolean(parsed, 'follow') });
    return 0;
  },
};
