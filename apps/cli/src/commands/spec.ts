import { serializeRuntimeSpec } from '@execdriver/oci';
import type { CommandSpec } from '../command-spec.js';
import { formatHelp } from '../flags.js';
import { parseRunFlags, runFlagDefinitions } from '../run-flags.js';
import { planRun } from './run.js';

const usage = 'spec [OPTIONS] IMAGE [COMMAND] [ARG...]';
const description = 'Print the OCI runtime config (config.json) that run would use with the same flags, without running anything';

export const specCommandSpec: CommandSpec = {
  name: 'spec',
  usage,
  description,
  flags: runFlagDefinitions,
  rawArguments: true,
  async run(context, _parsed, argv) {
    const parsed = parseRunFlags(argv, { hostEnv: context.env, commandName: 'spec' });
    if (parsed.help) {
      context.stdout.write(formatHelp(`execdriver ${usage}`, description, runFlagDefinitions));
      return 0;
    }
    const engine = await context.engine();
    const { record, image } = await engine.plan(await planRun(context, parsed));
    const command = record.command;
    // With an overlay, the user and devices are looked up in the image (the overlay's lower layer).
    const lookupRoot = image?.rootfs ?? command.rootfs;
    // The driver's own path: the config `run` would write (its /etc files, host devices, LSM and
    // CPU checks), without creating anything.
    const driver = await engine.driver();
    const { spec, warnings } = await driver.spec(command, { userRoot: lookupRoot });
    for (const warning of warnings) context.stderr.write(`WARNING: ${warning}\n`);
    context.stdout.write(`${serializeRuntimeSpec(spec, 2)}\n`);
    return 0;
  },
};
