import type { CommandSpec } from '../command-spec.js';
import { dockerState } from '../container-lookup.js';
import { toPsRow } from '../docker-inspect.js';
import { flagBoolean, flagString } from '../flags.js';
import { formatEach } from '../go-template.js';
import { formatTable } from '../table.js';

export const psCommandSpec: CommandSpec = {
  name: 'ps',
  usage: 'ps [OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display container IDs' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'format', kind: 'string', description: "Format output: json, or a template like '{{.ID}} {{.Status}}'" },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const driver = await context.driver();
    const now = Date.now();
    const summaries = (await driver.list())
      .filter((summary) => flagBoolean(parsed, 'all') || ['running', 'paused'].includes(dockerState(summary)))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (flagBoolean(parsed, 'quiet')) {
      context.stdout.write(summaries.map((summary) => `${summary.id}\n`).join(''));
      return 0;
    }
    const rows = summaries.map((summary) => toPsRow(summary, now, { truncate: !flagBoolean(parsed, 'no-trunc') }));
    const format = flagString(parsed, 'format');
    if (format !== undefined && format !== 'table') {
      context.stdout.write(formatEach(format, rows));
      return 0;
    }
    context.stdout.write(
      formatTable(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'],
        rows.map((row) => [row.ID.slice(0, flagBoolean(parsed, 'no-trunc') ? undefined : 12), row.Image, row.Command, row.RunningFor, row.Status, row.Names]),
      ),
    );
    return 0;
  },
};
