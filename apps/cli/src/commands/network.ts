import { connectContainer, disconnectContainer, toDockerNetwork, type Engine } from '@execdriver/engine';
import type { NetworkRecord } from '@execdriver/network';
import type { CommandSpec } from '../command-spec.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagList, flagString, formatHelp, parseArguments, type FlagDefinition, type ParsedArguments } from '../flags.js';
import { executeTemplate, parseTemplate } from '../go-template.js';
import { formatTable } from '../table.js';

interface Subcommand {
  usage: string;
  description: string;
  flags: FlagDefinition[];
  minArgs: number;
  maxArgs?: number;
  run(context: Context, engine: Engine, parsed: ParsedArguments): Promise<number>;
}

function parseLabels(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(values.map((value) => {
    const equals = value.indexOf('=');
    return equals === -1 ? [value, ''] : [value.slice(0, equals), value.slice(equals + 1)];
  }));
}

const subcommands: Record<string, Subcommand> = {
  create: {
    usage: 'network create [OPTIONS] NETWORK',
    description: 'Create a network',
    flags: [
      { name: 'driver', short: 'd', kind: 'string', description: 'Driver to manage the Network (bridge)' },
      { name: 'subnet', kind: 'list', description: 'Subnet in CIDR format that represents a network segment' },
      { name: 'gateway', kind: 'list', description: 'IPv4 Gateway for the master subnet' },
      { name: 'internal', kind: 'boolean', description: 'Restrict external access to the network' },
      { name: 'label', kind: 'list', description: 'Set metadata on a network' },
    ],
    minArgs: 1,
    maxArgs: 1,
    async run(context, engine, parsed) {
      const driver = flagString(parsed, 'driver') ?? 'bridge';
      if (driver !== 'bridge') throw usageError(`plugin "${driver}" not found: only the bridge driver is available`);
      const [subnet, extraSubnet] = flagList(parsed, 'subnet');
      const [gateway] = flagList(parsed, 'gateway');
      if (extraSubnet !== undefined) throw usageError('only one --subnet is supported');
      if (gateway !== undefined && subnet === undefined) throw usageError('every ip-range or gateway must have a corresponding subnet');
      const network = await engine.networks.create({
        name: parsed.positionals[0]!,
        ...(subnet !== undefined ? { subnet } : {}),
        ...(gateway !== undefined ? { gateway } : {}),
        internal: flagBoolean(parsed, 'internal'),
        labels: parseLabels(flagList(parsed, 'label')),
      });
      context.stdout.write(`${network.id}\n`);
      return 0;
    },
  },
  ls: {
    usage: 'network ls [OPTIONS]',
    description: 'List networks',
    flags: [
      { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only display network IDs' },
      { name: 'no-trunc', kind: 'boolean', description: 'Do not truncate the output' },
      { name: 'format', kind: 'string', description: "Format output using a template like '{{.Name}}'" },
    ],
    minArgs: 0,
    maxArgs: 0,
    async run(context, engine, parsed) {
      const networks = await engine.networks.list();
      const id = (network: NetworkRecord) => (flagBoolean(parsed, 'no-trunc') ? network.id : network.id.slice(0, 12));
      if (flagBoolean(parsed, 'quiet')) {
        context.stdout.write(networks.map((network) => `${id(network)}\n`).join(''));
        return 0;
      }
      const rows = networks.map((network) => ({ ID: id(network), Name: network.name, Driver: network.driver, Scope: 'local', Internal: String(network.internal), CreatedAt: network.created, Labels: Object.entries(network.labels).map(([key, value]) => `${key}=${value}`).join(',') }));
      const format = flagString(parsed, 'format');
      if (format !== undefined) {
        const template = parseTemplate(format);
        context.stdout.write(rows.map((row) => `${executeTemplate(template, row)}\n`).join(''));
        return 0;
      }
      context.stdout.write(formatTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], rows.map((row) => [row.ID, row.Name, row.Driver, row.Scope])));
      return 0;
    },
  },
  inspect: {
    usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
    description: 'Display detailed information on one or more networks',
    flags: [{ name: 'format', short: 'f', kind: 'string', description: "Format output using a template like '{{.IPAM.Config}}'" }],
    minArgs: 1,
    async run(context, engine, parsed) {
      const format = flagString(parsed, 'format');
      const template = format === undefined || format === 'json' ? undefined : parseTemplate(format);
      const documents = [];
      let failed = false;
      for (const reference of parsed.positionals) {
        try {
          documents.push(await toDockerNetwork(engine, await engine.networks.find(reference)));
        } catch (error) {
          failed = true;
          context.stderr.write(`execdriver: ${(error as Error).message}\n`);
        }
      }
      if (template === undefined) context.stdout.write(`${JSON.stringify(documents, null, 4)}\n`);
      else context.stdout.write(documents.map((document) => `${executeTemplate(template, document)}\n`).join(''));
      return failed ? 1 : 0;
    },
  },
  rm: {
    usage: 'network rm NETWORK [NETWORK...]',
    description: 'Remove one or more networks',
    flags: [],
    minArgs: 1,
    async run(context, engine, parsed) {
      await sweep(engine);
      let failed = false;
      for (const reference of parsed.positionals) {
        try {
          await engine.networks.remove(reference);
          context.stdout.write(`${reference}\n`);
        } catch (error) {
          failed = true;
          context.stderr.write(`execdriver: ${(error as Error).message}\n`);
        }
      }
      return failed ? 1 : 0;
    },
  },
  prune: {
    usage: 'network prune [OPTIONS]',
    description: 'Remove all unused networks',
    flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Do not prompt for confirmation (never prompted here)' }],
    minArgs: 0,
    maxArgs: 0,
    async run(context, engine) {
      await sweep(engine);
      const removed: string[] = [];
      for (const network of await engine.networks.list()) {
        if (network.predefined || (await engine.networks.endpointsOf(network.id)).length > 0) continue;
        await engine.networks.remove(network.id);
        removed.push(network.name);
      }
      if (removed.length > 0) context.stdout.write(`Deleted Networks:\n${removed.map((name) => `${name}\n`).join('')}`);
      return 0;
    },
  },
  connect: {
    usage: 'network connect [OPTIONS] NETWORK CONTAINER',
    description: 'Connect a container to a network',
    flags: [{ name: 'alias', kind: 'list', description: 'Add network-scoped alias for the container' }],
    minArgs: 2,
    maxArgs: 2,
    async run(_context, engine, parsed) {
      const [network, container] = parsed.positionals as [string, string];
      await connectContainer(engine, container, network, flagList(parsed, 'alias'));
      return 0;
    },
  },
  disconnect: {
    usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
    description: 'Disconnect a container from a network',
    flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Force the container to disconnect from a network' }],
    minArgs: 2,
    maxArgs: 2,
    async run(_context, engine, parsed) {
      const [network, container] = parsed.positionals as [string, string];
      await disconnectContainer(engine, container, network);
      return 0;
    },
  },
};

/** Releases the networks of containers that are done before a command that counts users. */
async function sweep(engine: Engine): Promise<void> {
  await engine.list();
}

function networkHelp(): string {
  const names = Object.keys(subcommands);
  const width = Math.max(...names.map((name) => name.length)) + 3;
  return ['Usage:  execdriver network COMMAND', '', 'Manage networks', '', 'Commands:', ...names.map((name) => `  ${name.padEnd(width)}${subcommands[name]!.description}`), '', "Run 'execdriver network COMMAND --help' for more information on a command.", ''].join('\n');
}

export const networkCommandSpec: CommandSpec = {
  name: 'network',
  usage: 'network COMMAND',
  description: 'Manage networks',
  flags: [],
  rawArguments: true,
  async run(context, _parsed, argv) {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === 'help') {
      context.stdout.write(networkHelp());
      return name === undefined ? 1 : 0;
    }
    const subcommand = subcommands[name === 'list' ? 'ls' : name === 'remove' ? 'rm' : name] ;
    if (!subcommand) throw usageError(`unknown command "${name}" for "execdriver network": see 'execdriver network --help'`);
    const parsed = parseArguments(rest, subcommand.flags);
    if (parsed.help) {
      context.stdout.write(formatHelp(`execdriver ${subcommand.usage}`, subcommand.description, subcommand.flags));
      return 0;
    }
    if (parsed.positionals.length < subcommand.minArgs) throw usageError(`"execdriver network ${name}" requires at least ${subcommand.minArgs} argument${subcommand.minArgs === 1 ? '' : 's'}: execdriver ${subcommand.usage}`);
    if (subcommand.maxArgs !== undefined && parsed.positionals.length > subcommand.maxArgs) throw usageError(`"execdriver network ${name}" accepts at most ${subcommand.maxArgs} argument${subcommand.maxArgs === 1 ? '' : 's'}: execdriver ${subcommand.usage}`);
    return subcommand.run(context, await context.engine(), parsed);
  },
};
