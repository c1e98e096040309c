import type { CommandSpec } from '../command-spec.js';
import { runConsoleHolder, runLogHolder, runMonitor } from '@execdriver/engine';
import { exitCodeOf } from '../errors.js';
import { toStartFailure } from '../start-failure.js';

/** `__console <id>`: the console holder of a `run -t` container (see console-holder.ts). */
export const consoleCommandSpec: CommandSpec = {
  name: '__console',
  usage: '__console [--wait-for-client] ID',
  description: 'Internal: hold the terminal of a container',
  flags: [
    { name: 'wait-for-client', kind: 'boolean', description: 'Start the container once the first client connected' },
    { name: 'keep-on-failure', kind: 'boolean', description: 'Keep the container when it fails to start (start, restart policies)' },
  ],
  minArgs: 1,
  maxArgs: 1,
  hidden: true,
  run: async (context, parsed) =>
    runConsoleHolder(await context.engine(), parsed.positionals[0]!, {
      waitForClient: parsed.flags.get('wait-for-client') === true,
      removeOnFailure: parsed.flags.get('keep-on-failure') !== true,
      // The CLI's holder of a container runs its health probes (the daemon runs its own).
      health: true,
      describeFailure: (caught) => {
        const error = toStartFailure(caught);
        return { message: error instanceof Error ? error.message : String(error), exitCode: exitCodeOf(error, 'run') };
      },
    }),
};

/** `__logs <id>`: the log holder of a detached non-tty container (see log-holder.ts). */
export const logHolderCommandSpec: CommandSpec = {
  name: '__logs',
  usage: '__logs ID',
  description: 'Internal: start a container and write its output to its log',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  hidden: true,
  run: async (context, parsed) =>
    runLogHolder(await context.engine(), parsed.positionals[0]!, {
      health: true,
      describeFailure: (caught) => {
        const error = toStartFailure(caught);
        return { message: error instanceof Error ? error.message : String(error), exitCode: exitCodeOf(error, 'run') };
      },
    }),
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
    const engine = await context.engine();
    await engine.wait(id);
    await engine.remove(id, { force: true, volumes: true });
    return 0;
  },
};

/** `__monitor <id>`: the restart monitor of a container with a restart policy (see restart-monitor.ts). */
export const monitorCommandSpec: CommandSpec = {
  name: '__monitor',
  usage: '__monitor ID',
  description: 'Internal: restart a container as its restart policy says',
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  hidden: true,
  async run(context, parsed) {
    const end = await runMonitor(await context.engine(), parsed.positionals[0]!, {
      health: true,
      onError: (error) => context.stderr.write(`${new Date().toISOString()} restart failed: ${(error as Error).message}\n`),
    });
    context.stderr.write(`${new Date().toISOString()} monitor ended: ${end}\n`);
    return 0;
  },
};
