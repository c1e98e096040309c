import type { CommandSpec } from '../command-spec.js';
import { isActive, shortId } from '@execdriver/engine';
import { toPsRow } from '@execdriver/engine';
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
    const engine = await context.engine();
    const now = Date.now();
    const { containers, broken } = await engine.list();
    for (const entry of broken) context.stderr.write(`WARNING: container ${shortId(entry.id)} is broken: ${entry.error.message}\n`);
    const summaries = containers.filter((container) => flagBoolean(parsed, 'all') || isActive(container));
    if (flagBoolean(parsed, 'quiet')) {
      const ids = summaries.map((container) => (flagBoolean(parsed, 'no-trunc') ? container.id : shortId(container.id)));
      if (flagBoolean(parsed, 'all')) ids.push(...broken.map((entry) => (flagBoolean(parsed, 'no-trunc') ? entry.id : shortId(entry.id))));
      context.stdout.write(ids.map((id) => `${id}\n`).join(''));
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
        [
          ...rows.map((row) => [row.ID, row.Image, row.Command, row.RunningFor, row.Status, row.Names]),
          ...(flagBoolean(parsed, 'all') ? broken.map((entry) => [flagBoolean(parsed, 'no-trunc') ? entry.id : shortId(entry.id), '', '', '', 'Broken', '']) : []),
        ],
      ),
    );
    return 0;
  },
};
