import { renameContainer } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';

export const renameCommandSpec: CommandSpec = {
  name: 'rename',
  usage: 'rename CONTAINER NEW_NAME',
  description: 'Rename a container',
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run(context, parsed) {
    await renameContainer(await context.engine(), parsed.positionals[0]!, parsed.positionals[1]!);
    return 0;
  },
};
