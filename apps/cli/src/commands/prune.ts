import { diskUsage, parseContainerFilters, pruneContainers, pruneImages, pruneVolumes, shortId, summarizeDiskUsage, type ContainersPruneReport, type Engine, type ImagesPruneReport, type VolumesPruneReport } from '@execdriver/engine';
import { parseImageReference } from '@execdriver/images';
import type { CommandSpec } from '../command-spec.js';
import { confirm } from '../confirm.js';
import type { Context } from '../context.js';
import { toPsRow } from '../docker-inspect.js';
import { flagBoolean, flagList, type ParsedArguments } from '../flags.js';
import { alignTabs } from '../table.js';
import { humanDuration, humanSize } from '../units.js';

const forceFlag = { name: 'force', short: 'f', kind: 'boolean', description: 'Do not prompt for confirmation' } as const;
const filterFlag = { name: 'filter', kind: 'list', description: 'Provide filter values (e.g. "until=<timestamp>", "label=<key>=<value>")' } as const;

function filters(parsed: ParsedArguments): Record<string, string[]> {
  return parseContainerFilters(flagList(parsed, 'filter'));
}

/** The docker CLI's prune output of one kind: `Deleted Containers:` and the ids, then a blank line (nothing when nothing went). */
function containersOutput(report: ContainersPruneReport): string {
  return report.containersDeleted.length === 0 ? '' : `Deleted Containers:\n${report.containersDeleted.map((id) => `${id}\n`).join('')}\n`;
}

function imagesOutput(report: ImagesPruneReport): string {
  if (report.imagesDeleted.length === 0) return '';
  return `Deleted Images:\n${report.imagesDeleted.map((entry) => ('untagged' in entry ? `untagged: ${entry.untagged}\n` : `deleted: ${entry.deleted}\n`)).join('')}\n`;
}

function volumesOutput(report: VolumesPruneReport): string {
  return report.volumesDeleted.length === 0 ? '' : `Deleted Volumes:\n${report.volumesDeleted.map((name) => `${name}\n`).join('')}\n`;
}

function total(bytes: number): string {
  return `Total reclaimed space: ${humanSize(bytes)}\n`;
}

/** Asks unless `--force`; false: the user declined (Docker then exits 0 having removed nothing). */
async function confirmed(context: Context, parsed: ParsedArguments, warning: string): Promise<boolean> {
  return flagBoolean(parsed, 'force') || confirm(context, warning);
}

export const containerPruneCommandSpec: CommandSpec = {
  name: 'container prune',
  usage: 'container prune [OPTIONS]',
  description: 'Remove all stopped containers',
  flags: [forceFlag, filterFlag],
  maxArgs: 0,
  async run(context, parsed) {
    const filter = filters(parsed);
    if (!(await confirmed(context, parsed, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
    const report = await pruneContainers(await context.engine(), filter);
    context.stdout.write(`${containersOutput(report)}${total(report.spaceReclaimedBytes)}`);
    return 0;
  },
};

export const imagePruneCommandSpec: CommandSpec = {
  name: 'image prune',
  usage: 'image prune [OPTIONS]',
  description: 'Remove unused images',
  flags: [{ name: 'all', short: 'a', kind: 'boolean', description: 'Remove all unused images, not just dangling ones' }, forceFlag, filterFlag],
  maxArgs: 0,
  async run(context, parsed) {
    const all = flagBoolean(parsed, 'all');
    const filter = filters(parsed);
    const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
    if (!(await confirmed(context, parsed, `${warning}\nAre you sure you want to continue?`))) return 0;
    const report = await pruneImages(await context.engine(), { all, filters: filter });
    context.stdout.write(`${imagesOutput(report)}${total(report.spaceReclaimedBytes)}`);
    return 0;
  },
};

export const volumePruneCommandSpec: CommandSpec = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  description: 'Remove unused local volumes (anonymous ones; all unused with --all)',
  flags: [forceFlag, { name: 'all', short: 'a', kind: 'boolean', description: 'Remove all unused volumes, not just anonymous ones' }, filterFlag],
  maxArgs: 0,
  async run(context, parsed) {
    const all = flagBoolean(parsed, 'all');
    const filter = filters(parsed);
    const warning = all ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
    if (!(await confirmed(context, parsed, `${warning}\nAre you sure you want to continue?`))) return 0;
    const report = await pruneVolumes(await context.engine(), { all, filters: filter });
    context.stdout.write(`${volumesOutput(report)}${total(report.spaceReclaimedBytes)}`);
    return 0;
  },
};

export const systemPruneCommandSpec: CommandSpec = {
  name: 'system prune',
  usage: 'system prune [OPTIONS]',
  description: 'Remove unused data (stopped containers, dangling or unused images, anonymous volumes)',
  flags: [
    { name: 'all', short: 'a', kind: 'boolean', description: 'Remove all unused images not just dangling ones' },
    forceFlag,
    { name: 'volumes', kind: 'boolean', description: 'Prune anonymous volumes' },
    filterFlag,
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const all = flagBoolean(parsed, 'all');
    const volumes = flagBoolean(parsed, 'volumes');
    const filter = filters(parsed);
    // Docker lists networks too; execdriver has no network objects to prune (yet), so it does not promise it.
    const warnings = [
      'all stopped containers',
      ...(volumes ? ['all anonymous volumes not used by at least one container'] : []),
      all ? 'all images without at least one container associated to them' : 'all dangling images',
      all ? 'all build cache' : 'unused build cache',
    ];
    if (!(await confirmed(context, parsed, `WARNING! This will remove:\n${warnings.map((line) => `  - ${line}\n`).join('')}\nAre you sure you want to continue?`))) return 0;
    const engine = await context.engine();
    const containers = await pruneContainers(engine, filter);
    let output = containersOutput(containers);
    let reclaimed = containers.spaceReclaimedBytes;
    if (volumes) {
      const report = await pruneVolumes(engine, { filters: Object.fromEntries(Object.entries(filter).filter(([key]) => key.startsWith('label'))) });
      output += volumesOutput(report);
      reclaimed += report.spaceReclaimedBytes;
    }
    const images = await pruneImages(engine, { all, filters: filter });
    output += imagesOutput(images);
    reclaimed += images.spaceReclaimedBytes;
    context.stdout.write(`${output}${total(reclaimed)}`);
    return 0;
  },
};

function reclaimable(size: number, reclaimableBytes: number, withPercent: boolean): string {
  return withPercent && size > 0 ? `${humanSize(reclaimableBytes)} (${Math.floor((reclaimableBytes * 100) / size)}%)` : humanSize(reclaimableBytes);
}

async function verboseDiskUsage(engine: Engine): Promise<string> {
  const usage = await diskUsage(engine);
  const now = Date.now();
  const ago = (iso: string) => `${humanDuration(now - Date.parse(iso))} ago`;
  const imageRows = usage.images.flatMap((row) => {
    const id = shortId(row.image.id);
    const cells = (repository: string, tag: string) => [repository, tag, id, ago(row.image.created), humanSize(row.sizeBytes), humanSize(0), humanSize(row.sizeBytes), String(row.containers)];
    if (row.image.references.length === 0) return [cells('<none>', '<none>')];
    return row.image.references.map((canonical) => {
      const reference = parseImageReference(canonical);
      return cells(reference.familiarName, reference.tag ?? '<none>');
    });
  });
  const containerRows = usage.containers.map((row) => {
    const ps = toPsRow(row.container, now, { truncate: true }) as unknown as Record<string, string>;
    return [ps.ID!, ps.Image!, ps.Command!, String(row.container.record.volumes?.length ?? 0), humanSize(row.sizeRwBytes), ps.RunningFor!, ps.Status!, ps.Names!];
  });
  const volumeRows = usage.volumes.map((row) => [row.volume.name, String(row.refCount), humanSize(row.sizeBytes)]);
  const table = (header: string[], rows: string[][]) => `${alignTabs([header, ...rows].map((cells) => cells.join('\t')).join('\n'))}\n`;
  return [
    'Images space usage:\n\n',
    table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE', 'SHARED SIZE', 'UNIQUE SIZE', 'CONTAINERS'], imageRows),
    '\nContainers space usage:\n\n',
    table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'LOCAL VOLUMES', 'SIZE', 'CREATED', 'STATUS', 'NAMES'], containerRows),
    '\nLocal Volumes space usage:\n\n',
    table(['VOLUME NAME', 'LINKS', 'SIZE'], volumeRows),
    '\nBuild cache usage: 0B\n\n',
    table(['CACHE ID', 'CACHE TYPE', 'SIZE', 'CREATED', 'LAST USED', 'USAGE', 'SHARED'], []),
  ].join('');
}

export const systemDfCommandSpec: CommandSpec = {
  name: 'system df',
  usage: 'system df [OPTIONS]',
  description: 'Show execdriver disk usage',
  flags: [{ name: 'verbose', short: 'v', kind: 'boolean', description: 'Show detailed information on space usage' }],
  maxArgs: 0,
  async run(context, parsed) {
    const engine = await context.engine();
    if (flagBoolean(parsed, 'verbose')) {
      context.stdout.write(await verboseDiskUsage(engine));
      return 0;
    }
    const rows = summarizeDiskUsage(await diskUsage(engine)).map((row) => [row.type, String(row.total), String(row.active), humanSize(row.sizeBytes), reclaimable(row.sizeBytes, row.reclaimableBytes, row.type !== 'Build Cache')]);
    context.stdout.write(`${alignTabs([['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], ...rows].map((cells) => cells.join('\t')).join('\n'))}\n`);
    return 0;
  },
};
