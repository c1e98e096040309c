import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NetworkError } from './errors.js';

/** `execFile` as a promise, made on first use (the CLI's bundle loads `node:child_process` only then). */
function run(file: string, args: readonly string[], options: { timeout?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
}

/** What a bridge network's host rules depend on. */
export interface BridgeRuleInput {
  bridge: string;
  subnet: string;
  internal: boolean;
}

/** One iptables rule: its table, chain, where it goes (`-I` first, `-A` last) and its match and target. */
export interface BridgeRule {
  table: 'filter' | 'nat';
  chain: string;
  position: 'first' | 'last';
  spec: string[];
}

/** The comment that marks every rule of a bridge (so they can be found and removed with it). */
export function bridgeRuleComment(bridge: string): string {
  return `execdriver:${bridge}`;
}

/**
 * The host rules of a bridge network, per network as Docker's (not per container as the CNI
 * plugins' `ipMasq` and `firewall`, which cost a dozen iptables calls on every start and stop):
 * forwarding from the bridge and the replies to it, allowed even under a DROP policy (an internal
 * network only within itself); and masquerading of what leaves the subnet by another interface
 * (`-s subnet ! -o bridge -j MASQUERADE`, Docker's rule), except on an internal network.
 */
export function bridgeRules(input: BridgeRuleInput): BridgeRule[] {
  const tag = ['-m', 'comment', '--comment', bridgeRuleComment(input.bridge)];
  const rules: BridgeRule[] = [
    { table: 'filter', chain: 'FORWARD', position: 'first', spec: ['-i', input.bridge, ...(input.internal ? ['-o', input.bridge] : []), ...tag, '-j', 'ACCEPT'] },
    { table: 'filter', chain: 'FORWARD', position: 'first', spec: ['-o', input.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...tag, '-j', 'ACCEPT'] },
  ];
  if (!input.internal) rules.push({ table: 'nat', chain: 'POSTROUTING', position: 'last', spec: ['-s', input.subnet, '!', '-o', input.bridge, ...tag, '-j', 'MASQUERADE'] });
  return rules;
}

/**
 * Makes sure the bridge's rules are in place: each one checked (`-C`) and added when missing.
 * With `lockFile`, the checks and additions run as one `sh` under `flock(1)` on it, so that
 * processes starting the first containers of a network at once do not each add the rules (a check
 * and its addition are two iptables calls); the kernel releases the lock if its holder dies.
 * @throws NetworkError RULES_FAILED naming the iptables call that failed
 */
export async function ensureBridgeRules(input: BridgeRuleInput, iptables = 'iptables', lockFile?: string): Promise<void> {
  if (lockFile !== undefined) {
    const script = bridgeRules(input)
      .map((rule) => {
        const check = [iptables, '-w', '-t', rule.table, '-C', rule.chain, ...rule.spec].map(shellQuote).join(' ');
        const add = addArgs(rule).map(shellQuote);
        const said = shellQuote(`${iptables} ${addArgs(rule).join(' ')}`);
        return `${check} 2>/dev/null || ${shellQuote(iptables)} ${add.join(' ')} || { echo ${said} >&2; exit 1; }`;
      })
      .join('\n');
    try {
      await run('flock', ['-w', '15', lockFile, 'sh', '-c', script], { timeout: 30_000 });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n').reverse().join(': ');
        throw new NetworkError('RULES_FAILED', `cannot add the rules of bridge ${input.bridge}: ${detail}`, { network: input.bridge }, { cause: error });
      }
      // No flock(1) (util-linux) on this host: unlocked, as below.
    }
  }
  for (const rule of bridgeRules(input)) {
    const present = await run(iptables, ['-w', '-t', rule.table, '-C', rule.chain, ...rule.spec], { timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    if (present) continue;
    const args = addArgs(rule);
    try {
      await run(iptables, args, { timeout: 10_000 });
    } catch (error) {
      const detail = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
      throw new NetworkError('RULES_FAILED', `cannot add the rules of bridge ${input.bridge}: ${iptables} ${args.join(' ')}: ${detail}`, { network: input.bridge }, { cause: error });
    }
  }
}

/** The iptables arguments that add a rule (`-I chain 1` first, `-A chain` last). */
function addArgs(rule: BridgeRule): string[] {
  return ['-w', '-t', rule.table, ...(rule.position === 'first' ? ['-I', rule.chain, '1'] : ['-A', rule.chain]), ...rule.spec];
}

/** One word for sh, single-quoted. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Removes every rule marked with the bridge's comment (duplicates too); none is fine. */
export async function removeBridgeRules(bridge: string, iptables = 'iptables'): Promise<void> {
  const comment = bridgeRuleComment(bridge);
  for (const [table, chain] of [['filter', 'FORWARD'], ['nat', 'POSTROUTING']] as const) {
    const listed = await run(iptables, ['-w', '-t', table, '-S', chain], { timeout: 10_000 }).then(
      ({ stdout }) => stdout,
      () => '',
    );
    for (const line of listed.split('\n')) {
      // iptables quotes every comment; nothing else of our rules is quoted or has spaces.
      const words = line.trim().split(/\s+/).map((word) => word.replace(/^"(.*)"$/, '$1'));
      if (words[0] !== '-A' || !words.includes(comment)) continue;
      await run(iptables, ['-w', '-t', table, '-D', ...words.slice(1)], { timeout: 10_000 }).catch(() => undefined);
    }
  }
}
