import type { CommandSpec } from '../command-spec.js';
import { filterContainers, listedByDefault, parseContainerFilters, portsColumn, shortId, writableLayerSize, EngineError } from '@execdriver/engine';
import { usageError } from '../errors.js';
import { flagList } from '../flags.js';
import { parseInteger } from '../units.js';
import { formatBytes } from '../ps-size.js';
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
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
} satisfies Record<Exclude<keyof ReturnType<typeof toPsRow>, 'Label'>, string>;

export const psCommandSpec: CommandSpec = {
  name: 'ps',
  usage: 'ps [OPTIONS]',
  description: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display container IDs' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided (id, name, label, status, exited, ancestor, before, since, volume, health)' },
    { name: 'last', short: 'n', kind: 'string', valueName: 'int', description: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', kind: 'boolean', description: 'Show the latest created container (includes all states)' },
    { name: 'size', short: 's', kind: 'boolean', description: 'Display total file sizes (of the writable layer)' },
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
    let filters;
    try {
      filters = parseContainerFilters(flagList(parsed, 'filter'));
    } catch (error) {
      if (error instanceof EngineError) throw usageError(error.message);
      throw error;
    }
    const lastText = flagString(parsed, 'last');
    let last = lastText === undefined ? -1 : parseInteger('--last', lastText, { min: -1 });
    if (flagBoolean(parsed, 'latest')) last = 1;
    const all = flagBoolean(parsed, 'all') || last > 0;
    let summaries = filterContainers(containers, filters).filter((container) => all || listedByDefault(container, filters));
    if (last > 0) summaries = summaries.slice(0, last);
    if (flagBoolean(parsed, 'quiet')) {
      const ids = summaries.map((container) => (flagBoolean(parsed, 'no-trunc') ? container.id : shortId(container.id)));
      if (flagBoolean(parsed, 'all')) ids.push(...broken.map((entry) => (flagBoolean(parsed, 'no-trunc') ? entry.id : shortId(entry.id))));
      context.stdout.write(ids.map((id) => `${id}\n`).join(''));
      return 0;
    }
    const sizes = flagBoolean(parsed, 'size') ? await Promise.all(summaries.map((summary) => writableLayerSize(engine, summary.id))) : undefined;
    const attachments = new Map((await engine.networks.attachments.list()).map((attachment) => [attachment.containerId, attachment]));
    const rows = summaries.map((summary, index) =>
      toPsRow(summary, now, { truncate: !flagBoolean(parsed, 'no-trunc'), ports: portsColumn(summary.record.network, attachments.get(summary.id)), ...(sizes ? { sizeBytes: sizes[index]! } : {}) }),
    );
    if (format !== undefined && format !== 'table') {
      context.stdout.write(formatEach(format, rows, { headers: psHeaders }));
      return 0;
    }
    context.stdout.write(
      formatTable(
        ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(sizes ? ['SIZE'] : [])],
        [
          ...rows.map((row, index) => [row.ID, row.Image, row.Command, row.RunningFor, row.Status, row.Ports, row.Names, ...(sizes ? [formatBytes(sizes[index]!)] : [])]),
          ...(flagBoolean(parsed, 'all') ? broken.map((entry) => [flagBoolean(parsed, 'no-trunc') ? entry.id : shortId(entry.id), '', '', '', 'Broken', '', '']) : []),
        ],
      ),
    );
    return 0;
  },
};
