import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function entries(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

/** Network namespaces, attachments and leased addresses left in an engine's state root. */
export function networkLeftovers(stateRoot: string): string[] {
  const network = join(stateRoot, 'network');
  return [
    ...entries(join(network, 'netns')).map((id) => `netns: ${id}`),
    ...entries(join(network, 'attachments')).map((file) => `attachment: ${file}`),
    ...entries(join(network, 'ipam')).flatMap((name) => entries(join(network, 'ipam', name)).filter((file) => /^\d+\.\d+\.\d+\.\d+$/.test(file)).map((file) => `ipam: ${name}/${file}`)),
  ];
}

/** iptables rules tagged for a bridge (`execdriver:<bridge>`, @execdriver/network's per-network rules), as iptables-save prints them. */
export function bridgeRuleLines(bridge: string): string[] {
  const saved = spawnSync('iptables-save', { encoding: 'utf8' }).stdout ?? '';
  return saved.split('\n').filter((line) => line.includes(`"execdriver:${bridge}"`) || line.includes(` execdriver:${bridge} `));
}

/**
 * Deletes a test's own default bridge: the host interface and the rules the network package made
 * for it (the engine never removes the default bridge, as dockerd keeps docker0). Returns what
 * could not be removed.
 */
export function removeTestBridge(bridge: string): string[] {
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  for (const [table, chain] of [['filter', 'FORWARD'], ['nat', 'POSTROUTING']] as const) {
    const listed = spawnSync('iptables', ['-w', '-t', table, '-S', chain], { encoding: 'utf8' }).stdout ?? '';
    for (const line of listed.split('\n')) {
      const words = line.trim().split(/\s+/).map((word) => word.replace(/^"(.*)"$/, '$1'));
      if (words[0] === '-A' && words.includes(`execdriver:${bridge}`)) spawnSync('iptables', ['-w', '-t', table, '-D', ...words.slice(1)], { stdio: 'ignore' });
    }
  }
  const left = bridgeRuleLines(bridge).map((line) => `iptables: ${line}`);
  if (spawnSync('ip', ['link', 'show', bridge], { stdio: 'ignore' }).status === 0) left.push(`link: ${bridge}`);
  return left;
}
