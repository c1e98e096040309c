import type { CommandSpec } from '../command-spec.js';

export const waitCommandSpec: CommandSpec = {
  name: 'wait',
  usage: 'wait CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  flags: [],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    let failed = false;
    for (const reference of parsed.positionals) {
      try {
        const status = await engine.wait(reference);
        context.stdout.write(`${status.exitCode}\n`);
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message.replace(/\s*\n\s*/g, '; ')}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
