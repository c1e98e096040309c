import type { CommandSpec } from '../command-spec.js';
import { findContainer } from '../container-lookup.js';
import { toDockerInspect } from '../docker-inspect.js';
import { flagString } from '../flags.js';
import { formatEach } from '../go-template.js';

export const inspectCommandSpec: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Return low-level information on containers (Docker-shaped JSON)',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: "Format output: json (default), or a template like '{{.State.ExitCode}}'" }],
  minArgs: 1,
  async run(context, parsed) {
    const driver = await context.driver();
    const documents = [];
    let failed = false;
    for (const reference of parsed.positionals) {
      try {
        const summary = await findContainer(context, reference);
        documents.push(toDockerInspect(summary, { dataRoot: context.dataRoot, driverName: driver.name() }));
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message}\n`);
      }
    }
    const format = flagString(parsed, 'format');
    if (format === undefined || format === 'json') context.stdout.write(`${JSON.stringify(documents, null, 4)}\n`);
    else context.stdout.write(formatEach(format, documents));
    return failed ? 1 : 0;
  },
};
