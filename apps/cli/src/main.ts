import type { CommandSpec } from './command-spec.js';
import type { Context } from './context.js';
import { usageError } from './errors.js';
import { formatHelp, parseArguments } from './flags.js';
import { resolveGroup } from './command-groups.js';

interface CommandEntry {
  name: string;
  description: string;
  hidden?: boolean;
  /** Loaded on use, so `execdriver version` does not load the driver. */
  load: () => Promise<CommandSpec>;
}

/** Every command, in the order `--help` lists them. */
export const commandEntries: readonly CommandEntry[] = [
  { name: 'run', description: 'Run a command in a new container', load: async () => (await import('./commands/run.js')).runCommandSpec },
  { name: 'create', description: 'Create a new container', load: async () => (await import('./commands/create.js')).createCommandSpec },
  { name: 'start', description: 'Start one or more stopped containers', load: async () => (await import('./commands/start.js')).startCommandSpec },
  { name: 'restart', description: 'Restart one or more containers', load: async () => (await import('./commands/start.js')).restartCommandSpec },
  { name: 'wait', description: 'Block until one or more containers stop, then print their exit codes', load: async () => (await import('./commands/wait.js')).waitCommandSpec },
  { name: 'rename', description: 'Rename a container', load: async () => (await import('./commands/rename.js')).renameCommandSpec },
  { name: 'exec', description: 'Execute a command in a running container', load: async () => (await import('./commands/exec.js')).execCommandSpec },
  { name: 'attach', description: 'Attach to a running container (its terminal, or its output)', load: async () => (await import('./commands/attach.js')).attachCommandSpec },
  { name: 'ps', description: 'List containers', load: async () => (await import('./commands/ps.js')).psCommandSpec },
  { name: 'inspect', description: 'Return low-level information on containers', load: async () => (await import('./commands/inspect.js')).inspectCommandSpec },
  { name: 'logs', description: 'Fetch the logs of a container', load: async () => (await import('./commands/logs.js')).logsCommandSpec },
  { name: 'events', description: 'Get real time events from the server', load: async () => (await import('./commands/events.js')).eventsCommandSpec },
  { name: 'stats', description: 'Display a live stream of container resource usage statistics', load: async () => (await import('./commands/stats.js')).statsCommandSpec },
  { name: 'top', description: 'Display the running processes of a container', load: async () => (await import('./commands/top.js')).topCommandSpec },
  { name: 'kill', description: 'Kill one or more running containers', load: async () => (await import('./commands/kill.js')).killCommandSpec },
  { name: 'stop', description: 'Stop one or more running containers', load: async () => (await import('./commands/kill.js')).stopCommandSpec },
  { name: 'pause', description: 'Pause all processes within one or more containers', load: async () => (await import('./commands/pause.js')).pauseCommandSpec },
  { name: 'unpause', description: 'Unpause all processes within one or more containers', load: async () => (await import('./commands/pause.js')).unpauseCommandSpec },
  { name: 'rm', description: 'Remove one or more containers', load: async () => (await import('./commands/rm.js')).rmCommandSpec },
  { name: 'spec', description: 'Print the OCI config a run with the same flags would use', load: async () => (await import('./commands/spec.js')).specCommandSpec },
  { name: 'port', description: 'List port mappings or a specific mapping for the container', load: async () => (await import('./commands/port.js')).portCommandSpec },
  { name: 'network', description: 'Manage networks', load: async () => (await import('./commands/network.js')).networkCommandSpec },
  { name: 'images', description: 'List local root filesystems', load: async () => (await import('./commands/images.js')).imagesCommandSpec },
  { name: 'import', description: 'Import a root filesystem tarball as a local image', load: async () => (await import('./commands/images.js')).importCommandSpec },
  { name: 'tag', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', load: async () => (await import('./commands/images.js')).tagCommandSpec },
  { name: 'rmi', description: 'Remove one or more local images', load: async () => (await import('./commands/images.js')).rmiCommandSpec },
  { name: 'cp', description: 'Copy files/folders between a container and the local filesystem', load: async () => (await import('./commands/files.js')).cpCommandSpec },
  { name: 'export', description: "Export a container's filesystem as a tar archive", load: async () => (await import('./commands/files.js')).exportCommandSpec },
  { name: 'diff', description: "Inspect changes to files or directories on a container's filesystem", load: async () => (await import('./commands/files.js')).diffCommandSpec },
  { name: 'commit', description: "Create a new image from a container's changes", load: async () => (await import('./commands/files.js')).commitCommandSpec },
  { name: 'volume', description: 'Manage volumes (create, ls, inspect, rm, prune)', load: async () => (await import('./commands/volume.js')).volumeCommandSpec },
  { name: 'volume create', description: 'internal', hidden: true, load: async () => (await import('./commands/volume.js')).volumeCreateCommandSpec },
  { name: 'volume ls', description: 'internal', hidden: true, load: async () => (await import('./commands/volume.js')).volumeLsCommandSpec },
  { name: 'volume inspect', description: 'internal', hidden: true, load: async () => (await import('./commands/volume.js')).volumeInspectCommandSpec },
  { name: 'volume rm', description: 'internal', hidden: true, load: async () => (await import('./commands/volume.js')).volumeRmCommandSpec },
  { name: 'volume prune', description: 'internal', hidden: true, load: async () => (await import('./commands/volume.js')).volumePruneCommandSpec },
  { name: 'container prune', description: 'internal', hidden: true, load: async () => (await import('./commands/prune.js')).containerPruneCommandSpec },
  { name: 'image prune', description: 'internal', hidden: true, load: async () => (await import('./commands/prune.js')).imagePruneCommandSpec },
  { name: 'system prune', description: 'internal', hidden: true, load: async () => (await import('./commands/prune.js')).systemPruneCommandSpec },
  { name: 'system df', description: 'internal', hidden: true, load: async () => (await import('./commands/prune.js')).systemDfCommandSpec },
  { name: 'container', description: 'Manage containers (ls, rm, inspect, cp, ...: each runs the top-level command)', load: async () => (await import('./commands/volume.js')).volumeCommandSpec },
  { name: 'image', description: 'Manage images (ls, rm, inspect, import, tag, prune)', load: async () => (await import('./commands/volume.js')).volumeCommandSpec },
  { name: 'system', description: 'Manage execdriver (info, df, prune)', load: async () => (await import('./commands/volume.js')).volumeCommandSpec },
  { name: 'info', description: 'Display system-wide information', load: async () => (await import('./commands/info.js')).infoCommandSpec },
  { name: 'version', description: 'Show the execdriver version information', load: async () => (await import('./commands/version.js')).versionCommandSpec },
  { name: '__console', description: 'internal', hidden: true, load: async () => (await import('./commands/internal.js')).consoleCommandSpec },
  { name: '__monitor', description: 'internal', hidden: true, load: async () => (await import('./commands/internal.js')).monitorCommandSpec },
  { name: '__logs', description: 'internal', hidden: true, load: async () => (await import('./commands/internal.js')).logHolderCommandSpec },
  { name: '__reap', description: 'internal', hidden: true, load: async () => (await import('./commands/internal.js')).reapCommandSpec },
];

export function mainHelp(): string {
  const visible = commandEntries.filter((entry) => !entry.hidden);
  const width = Math.max(...visible.map((entry) => entry.name.length)) + 3;
  return [
    'Usage:  execdriver [OPTIONS] COMMAND',
    '',
    'A docker-like command line for running containers with runc, no daemon',
    '',
    'Commands:',
    ...visible.map((entry) => `  ${entry.name.padEnd(width)}${entry.description}`),
    '',
    'Options:',
    '  -v, --version   Print version information and quit',
    '      --help      Print usage',
    '',
    'Environment:',
    '  EXECDRIVER_STATE_ROOT      State of containers and runc (default /run/execdriver)',
    '  EXECDRIVER_DATA_ROOT       Images and containers\' root filesystems (default /var/lib/execdriver)',
    '  EXECDRIVER_CGROUP_PREFIX   Parent cgroup of containers without --cgroup-parent (default execdriver)',
    '  EXECDRIVER_RUNC            The default OCI runtime: runc, crun, youki or a path (default crun on pure cgroup v2 where installed, else runc)',
    '  EXECDRIVER_BRIDGE          Host interface of the default bridge network (default execdriver0)',
    '  EXECDRIVER_CNI_PATH        CNI plugin directories (default /usr/lib/cni:/opt/cni/bin)',
    '',
    "Run 'execdriver COMMAND --help' for more information on a command.",
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code. Errors propagate to the caller (cli.ts) with the command's name. */
export async function main(argv: readonly string[], context: Context): Promise<{ exitCode: number } | { error: unknown; commandName: string | undefined }> {
  const [first, ...rest] = argv;
  let commandName: string | undefined;
  try {
    if (first === undefined || first === '--help' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      if (topic === undefined) {
        context.stdout.write(mainHelp());
        return { exitCode: 0 };
      }
      return await main([topic, '--help'], context);
    }
    if (first === '-v' || first === '--version') return await main(['version'], context);
    if (first.startsWith('-')) throw usageError(`unknown flag: ${first} (global flags: --help, --version; settings come from EXECDRIVER_STATE_ROOT, EXECDRIVER_DATA_ROOT, EXECDRIVER_CGROUP_PREFIX and EXECDRIVER_RUNC)`);
    const grouped = resolveGroup(first, rest);
    if (grouped && 'help' in grouped) {
      context.stdout.write(`${grouped.help}\n`);
      return { exitCode: rest.length === 0 || rest[0] === '--help' ? 0 : 125 };
    }
    if (grouped) return await main([grouped.name, ...grouped.rest], context);
    const entry = commandEntries.find((candidate) => candidate.name === first);
    if (!entry) throw usageError(`'${first}' is not an execdriver command: see 'execdriver --help'`);
    commandName = entry.name;
    const spec = await entry.load();
    const parsed = spec.rawArguments
      ? { flags: new Map(), positionals: [...rest], help: false }
      : parseArguments(rest, spec.flags, { stopAtFirstPositional: spec.stopAtFirstPositional ?? false });
    if (parsed.help) {
      context.stdout.write(formatHelp(`execdriver ${spec.usage}`, spec.description, spec.flags));
      return { exitCode: 0 };
    }
    const count = parsed.positionals.length;
    if (spec.minArgs !== undefined && count < spec.minArgs) {
      throw usageError(`"execdriver ${spec.name}" requires at least ${spec.minArgs} argument${spec.minArgs === 1 ? '' : 's'}: execdriver ${spec.usage}`);
    }
    if (spec.maxArgs !== undefined && count > spec.maxArgs) {
      throw usageError(`"execdriver ${spec.name}" accepts ${spec.maxArgs === 0 ? 'no arguments' : `at most ${spec.maxArgs} argument${spec.maxArgs === 1 ? '' : 's'}`}, got ${JSON.stringify(parsed.positionals[spec.maxArgs])}`);
    }
    return { exitCode: await spec.run(context, parsed, rest) };
  } catch (error) {
    return { error, commandName };
  }
}

