import type { CommandSpec } from '../command-spec.js';
import { runConsoleHolder } from '../console-holder.js';
import { removeContainer } from '../container-removal.js';

/** `__console <id>`: the console holder of a `run -t` container (see console-holder.ts). */
export const consoleCommandSpec: CommandSpec = {
  name: '__console',
  usage: '__console ID',
  description: 'Internal: hold the terminal of a container',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  hidden: true,
  run: (context, parsed) => runConsoleHolder(context, parsed.positionals[0]!),
};

/** `__reap <id>`: waits for a detached `--rm` container to exit, then removes it. */
export const reapCommandSpec: CommandSpec = {
  name: '__reap',
  usage: '__reap ID',
  description: 'Internal: remove a --rm container once it exited',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  hidden: true,
  async run(context, parsed) {
    const id = parsed.positionals[0]!;
    const driver = await context.driver();
    const summary = await driver.inspect(id);
    await driver.wait(id);
    await removeContainer(context, id, summary);
    return 0;
  },
};
