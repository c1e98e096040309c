// `run`'s network flags in Docker's names: --network, --network-alias, -p, -P, --expose,
// --add-host, --dns, --dns-search, --dns-option.
import type { ContainerNetworkConfig } from '@execdriver/engine';
import { NetworkError, parseExposed, parseExtraHost, parsePublish } from '@execdriver/network';
import type { NetworkSetting } from '@execdriver/spec';
import { usageError } from './errors.js';
import { flagBoolean, flagList, flagString, type FlagDefinition, type ParsedArguments } from './flags.js';

export const networkFlagDefinitions: readonly FlagDefinition[] = [
  { name: 'network', kind: 'string', description: 'Connect a container to a network: bridge (default), NAME, none, host, container:<name>' },
  { name: 'network-alias', kind: 'list', description: 'Add network-scoped alias for the container' },
  { name: 'publish', short: 'p', kind: 'list', description: "Publish a container's port(s) to the host ([ip:][hostPort:]containerPort[/proto])" },
  { name: 'publish-all', short: 'P', kind: 'boolean', description: 'Publish all exposed ports to random ports' },
  { name: 'expose', kind: 'list', description: 'Expose a port or a range of ports' },
  { name: 'add-host', kind: 'list', description: 'Add a custom host-to-IP mapping (host:ip)' },
  { name: 'dns', kind: 'list', description: 'Set custom DNS servers' },
  { name: 'dns-search', kind: 'list', description: 'Set custom DNS search domains' },
  { name: 'dns-option', kind: 'list', description: 'Set DNS options' },
];

function flagValue<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof NetworkError) throw usageError(`invalid argument for flag ${flag}: ${error.message}`);
    throw error;
  }
}

/**
 * The network namespace setting and, for bridge networks (the default, as Docker's), what the
 * engine prepares at start. `none`, `host` and `container:<name>` have no bridge config.
 */
export function parseNetworkFlags(parsed: ParsedArguments): { setting: NetworkSetting; config: ContainerNetworkConfig | undefined } {
  const text = flagString(parsed, 'network') || 'bridge';
  const aliases = flagList(parsed, 'network-alias');
  const ports = flagList(parsed, 'publish').flatMap((spec) => flagValue('--publish', () => parsePublish(spec)));
  const publishAll = flagBoolean(parsed, 'publish-all');
  const exposed = flagList(parsed, 'expose');
  for (const spec of exposed) flagValue('--expose', () => parseExposed(spec));
  const extraHosts = flagList(parsed, 'add-host');
  for (const entry of extraHosts) flagValue('--add-host', () => parseExtraHost(entry));
  const dns = { servers: flagList(parsed, 'dns'), search: flagList(parsed, 'dns-search'), options: flagList(parsed, 'dns-option') };
  const special: NetworkSetting | undefined =
    text === 'none' ? { mode: 'none' } : text === 'host' ? { mode: 'host' } : text.startsWith('container:') ? { mode: 'container', container: text.slice('container:'.length) } : undefined;
  if (special) {
    if (special.mode === 'container' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(special.container)) throw usageError(`invalid value ${JSON.stringify(text)} for flag --network: bad container name`);
    if (special.mode !== 'host' && (ports.length > 0 || publishAll)) throw usageError(`conflicting options: port publishing and the container type network mode (--network ${text})`);
    if (aliases.length > 0) throw usageError('network-scoped alias is supported only for containers in user defined networks');
    return { setting: special, config: undefined };
  }
  const network = text === 'default' ? 'bridge' : text;
  if (aliases.length > 0 && network === 'bridge') throw usageError('network-scoped alias is supported only for containers in user defined networks');
  return { setting: { mode: 'new' }, config: { networks: [{ network, aliases }], ports, publishAll, exposed, extraHosts, dns } };
}
