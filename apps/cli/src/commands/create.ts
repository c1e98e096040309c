import type { CommandSpec } from '../command-spec.js';
import { formatHelp } from '../flags.js';
import { checkCidfile, writeCidfile } from '../cidfile.js';
import { parseRunFlags, runFlagDefinitions } from '../run-flags.js';
import { planRun } from './run.js';

const createUsage = 'create [OPTIONS] IMAGE [COMMAND] [ARG...]';
const createDescription = 'Create a new container (the flags of run; start it with execdriver start)';

export const createCommandSpec: CommandSpec = {
  name: 'create',
  usage: createUsage,
  description: createDescription,
  flags: runFlagDefinitions,
  rawArguments: true,
  async run(context, _parsed, argv) {
    const parsed = parseRunFlags(argv, { hostEnv: context.env, commandName: 'create' });
    if (parsed.help) {
      context.stdout.write(formatHelp(`execdriver ${createUsage}`, createDescription, runFlagDefinitions));
      return 0;
    }
    await checkCidfile(parsed.cliOptions.lifecycle.cidfile);
    const request = await planRun(context, parsed);
    const engine = await context.engine();
    const record = await engine.create(request);
    try {
      await writeCidfile(parsed.cliOptions.lifecycle.cidfile, record.id);
    } catch (error) {
      await engine.remove(record.id, { force: true }).catch(() => undefined);
      throw error;
    }
    context.stdout.write(`${record.id}\n`);
    return 0;
  },
};
