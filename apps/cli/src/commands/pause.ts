import type { CommandSpec } from '../command-spec.js';
import { forEachContainer } from './kill.js';

export const pauseCommandSpec: CommandSpec = {
  name: 'pause',
  usage: 'pause CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  flags: [],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => void (await engine.pause(id)));
  },
};

export const unpauseCommandSpec: CommandSpec = {
  name: 'unpause',
  usage: 'unpause CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  flags: [],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    return forEachContainer(context, parsed, async (id) => void (await engine.unpause(id)));
  },
};
