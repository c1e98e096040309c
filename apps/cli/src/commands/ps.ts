import type { CommandSpec } from '../command-spec.js';
import { dockerState } from '../container-lookup.js';
import { toPsRow } from '../docker-inspect.js';
import { flagBoolean, flagString } from '../flags.js';
import { formatEach } from '../go-template.js';
import { formatTable } from '../table.js';

/** Docker's column titles for `ps --format 'table ...'`, by field. */
const psHeaders = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  State: 'STATE',
  Names: 'NAMES',
  Pid: 'PID',
  ExitCode: 'EXIT CODE',
} satisfies Record<keyof ReturnType<typeof toPsRow>, string>;

export const psCommandSpec: CommandSpec = {
  name: 'ps',
  usage: 'ps [OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display container IDs' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'format', kind: 'string', description: "Format output: table (default), json, a template like '{{.ID}} {{.Status}}', or 'table {{.ID}}\\t{{.Status}}'" },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    if (format !== undefined && format !== 'table') formatEach(format, [], { headers: psHeaders });
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
    if (format !== undefined && format !== 'table') {
      context.stdout.write(formatEach(format, rows, { headers: psHeaders }));
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
