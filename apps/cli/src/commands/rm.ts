import { EngineError, matchContainers } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { flagBoolean } from '../flags.js';

export const rmCommandSpec: CommandSpec = {
  name: 'rm',
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers (unmounting their root filesystem)',
  flags: [
    { name: 'force', short: 'f', kind: 'boolean', description: 'Force the removal of a running container (uses SIGKILL)' },
    { name: 'volumes', short: 'v', kind: 'boolean', description: 'Remove anonymous volumes associated with the container' },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    const force = flagBoolean(parsed, 'force');
    let failed = false;
    for (const reference of parsed.positionals) {
      try {
        try {
          await engine.remove(reference, { force, volumes: flagBoolean(parsed, 'volumes') });
        } catch (error) {
          if (!(error instanceof EngineError) || error.code !== 'NO_SUCH_CONTAINER') throw error;
          // A container whose record is broken is still removable by its id (or a unique prefix).
          const { broken } = await engine.list();
          const matches = matchContainers(reference, broken.map((entry) => ({ ...entry, name: '' })));
          if (matches.length !== 1) throw error;
          await engine.destroy(matches[0]!.id);
        }
        context.stdout.write(`${reference}\n`);
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message.replace(/\s*\n\s*/g, '; ')}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
