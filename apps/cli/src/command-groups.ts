/**
 * Docker's management commands: `container ls`, `image rm`, `volume create`, `system df`...
 * Each maps to the command that does it (`container ls` runs `ps`), as Docker's aliases do.
 */
export const commandGroups: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  container: {
    ls: 'ps', ps: 'ps', list: 'ps', rm: 'rm', inspect: 'inspect', start: 'start', stop: 'stop', kill: 'kill', run: 'run', create: 'create', exec: 'exec', attach: 'attach',
    logs: 'logs', stats: 'stats', top: 'top', pause: 'pause', unpause: 'unpause', cp: 'cp', export: 'export', diff: 'diff', commit: 'commit', wait: 'wait', restart: 'restart', rename: 'rename',
  },
  image: { ls: 'images', list: 'images', rm: 'rmi', inspect: 'inspect', import: 'import', tag: 'tag' },
  volume: { create: 'volume create', ls: 'volume ls', list: 'volume ls', inspect: 'volume inspect', rm: 'volume rm', remove: 'volume rm', prune: 'volume prune' },
  system: { info: 'info' },
};

/** The command a group and its first argument name, or undefined when `first` is no group. */
export function resolveGroup(first: string, rest: readonly string[]): { name: string; rest: string[] } | { help: string } | undefined {
  const group = commandGroups[first];
  if (!group) return undefined;
  const [sub, ...after] = rest;
  const target = sub === undefined ? undefined : group[sub];
  if (target === undefined) {
    const width = Math.max(...Object.keys(group).map((name) => name.length)) + 3;
    return { help: [`Usage:  execdriver ${first} COMMAND`, '', 'Commands:', ...Object.entries(group).map(([name, command]) => `  ${name.padEnd(width)}runs "execdriver ${command}"`), ''].join('\n') };
  }
  return { name: target, rest: after };
}
