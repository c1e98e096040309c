import { EngineError, toDockerVolume, type Engine } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagList } from '../flags.js';
import { formatTable } from '../table.js';

/** `volume` alone: Docker prints the group's usage (reached only without a known subcommand). */
export const volumeCommandSpec: CommandSpec = {
  name: 'volume',
  usage: 'volume COMMAND',
  description: 'Manage volumes',
  flags: [],
  async run(context) {
    context.stdout.write('Usage:  execdriver volume COMMAND\n\nCommands:\n  create   Create a volume\n  inspect  Display detailed information on one or more volumes\n  ls       List volumes\n  prune    Remove unused local volumes\n  rm       Remove one or more volumes\n');
    return 0;
  },
};

function parseLabels(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((value) => {
    const equals = value.indexOf('=');
    return equals === -1 ? [value, ''] : [value.slice(0, equals), value.slice(equals + 1)];
  }));
}

/** Which containers (ids) mount each volume, from their records. */
async function volumeUsers(engine: Engine): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  const { containers } = await engine.list();
  for (const container of containers) for (const volume of container.record.volumes ?? []) users.set(volume.name, [...(users.get(volume.name) ?? []), container.id]);
  return users;
}

export const volumeCreateCommandSpec: CommandSpec = {
  name: 'volume create',
  usage: 'volume create [OPTIONS] [VOLUME]',
  description: 'Create a volume',
  flags: [
    { name: 'label', kind: 'list', description: 'Set metadata for a volume' },
    { name: 'driver', short: 'd', kind: 'string', description: 'Specify volume driver name (local only)' },
    { name: 'name', kind: 'string', description: 'Specify volume name' },
  ],
  maxArgs: 1,
  async run(context, parsed) {
    const driver = parsed.flags.get('driver');
    if (typeof driver === 'string' && driver !== 'local') throw usageError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const name = parsed.positionals[0] ?? (typeof parsed.flags.get('name') === 'string' ? (parsed.flags.get('name') as string) : undefined);
    const engine = await context.engine();
    const { volume } = await engine.volumes.create(name, { labels: parseLabels(flagList(parsed, 'label')), anonymous: false });
    context.stdout.write(`${volume.name}\n`);
    return 0;
  },
};

export const volumeLsCommandSpec: CommandSpec = {
  name: 'volume ls',
  usage: 'volume ls [OPTIONS]',
  description: 'List volumes',
  flags: [
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display volume names' },
    { name: 'filter', short: 'f', kind: 'list', description: 'Provide filter values (dangling=true|false, name=..., label=key[=value])' },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const engine = await context.engine();
    const users = await volumeUsers(engine);
    let volumes = await engine.volumes.list();
    for (const filter of flagList(parsed, 'filter')) {
      const equals = filter.indexOf('=');
      const key = equals === -1 ? filter : filter.slice(0, equals);
      const value = equals === -1 ? '' : filter.slice(equals + 1);
      if (key === 'dangling') {
        if (!/^(true|false|1|0)$/.test(value)) throw usageError(`invalid filter 'dangling=${value}'`);
        const dangling = value === 'true' || value === '1';
        volumes = volumes.filter((volume) => !users.has(volume.name) === dangling);
      } else if (key === 'name') volumes = volumes.filter((volume) => volume.name.includes(value));
      else if (key === 'label') {
        const [labelKey, labelValue] = value.includes('=') ? [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)] : [value, undefined];
        volumes = volumes.filter((volume) => labelKey in volume.labels && (labelValue === undefined || volume.labels[labelKey] === labelValue));
      } else if (key === 'driver') volumes = volumes.filter(() => value === 'local');
      else throw usageError(`invalid filter '${key}'`);
    }
    if (flagBoolean(parsed, 'quiet')) context.stdout.write(volumes.map((volume) => `${volume.name}\n`).join(''));
    else context.stdout.write(formatTable(['DRIVER', 'VOLUME NAME'], volumes.map((volume) => [volume.driver, volume.name])));
    return 0;
  },
};

export const volumeInspectCommandSpec: CommandSpec = {
  name: 'volume inspect',
  usage: 'volume inspect VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  flags: [],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    const found: Record<string, unknown>[] = [];
    let failed = false;
    for (const name of parsed.positionals) {
      const volume = await engine.volumes.get(name);
      if (volume) found.push(toDockerVolume(volume));
      else {
        failed = true;
        context.stderr.write(`execdriver: get ${name}: no such volume\n`);
      }
    }
    context.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
    return failed ? 1 : 0;
  },
};

export const volumeRmCommandSpec: CommandSpec = {
  name: 'volume rm',
  usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Force the removal of one or more volumes' }],
  minArgs: 1,
  async run(context, parsed) {
    const engine = await context.engine();
    const users = await volumeUsers(engine);
    let failed = false;
    for (const name of parsed.positionals) {
      try {
        await engine.volumes.remove(name, users.get(name) ?? [], { force: flagBoolean(parsed, 'force') });
        context.stdout.write(`${name}\n`);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        failed = true;
        context.stderr.write(`execdriver: ${error.message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};

export const volumePruneCommandSpec: CommandSpec = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  description: 'Remove unused local volumes (anonymous ones; all unused with --all)',
  flags: [
    { name: 'force', short: 'f', kind: 'boolean', description: 'Do not prompt for confirmation' },
    { name: 'all', short: 'a', kind: 'boolean', description: 'Remove all unused volumes, not just anonymous ones' },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    if (!flagBoolean(parsed, 'force') && !process.stdin.isTTY) throw usageError('volume prune removes volumes: confirm with --force (-f)');
    const engine = await context.engine();
    const users = await volumeUsers(engine);
    const removed: string[] = [];
    for (const volume of await engine.volumes.list()) {
      if (users.has(volume.name) || (!volume.anonymous && !flagBoolean(parsed, 'all'))) continue;
      await engine.volumes.remove(volume.name, []);
      removed.push(volume.name);
    }
    context.stdout.write(`${removed.length > 0 ? `Deleted Volumes:\n${removed.map((name) => `${name}\n`).join('')}\n` : ''}Total reclaimed space: 0B\n`);
    return 0;
  },
};
