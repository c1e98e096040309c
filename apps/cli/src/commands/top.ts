import { processTable } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { findContainer } from '../find-container.js';
import { formatTable } from '../table.js';

export const topCommandSpec: CommandSpec = {
  name: 'top',
  usage: 'top CONTAINER',
  description: 'Display the running processes of a container',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const driver = await context.driver();
    const table = await processTable(await driver.getPids(summary.id), '/proc');
    context.stdout.write(formatTable(table.Titles, table.Processes));
    return 0;
  },
};
