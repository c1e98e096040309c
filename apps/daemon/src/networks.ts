import { connectContainer, disconnectContainer, parseTimestamp, toDockerNetwork } from '@execdriver/engine';
import { predefinedNetworks, type NetworkRecord } from '@execdriver/network';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { parseFilters, type Call, type Route } from './http.js';
import { labelFilter, objectField, stringMap } from './request-fields.js';

const listFilterKeys = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'];

/** Which networks containers are on now (live attachments), after the ones of exited containers are released. */
async function usedNetworkIds(context: DaemonContext): Promise<Set<string>> {
  await context.engine.list();
  const used = new Set<string>();
  for (const network of await context.engine.networks.list()) if ((await context.engine.networks.endpointsOf(network.id)).length > 0) used.add(network.id);
  return used;
}

function isBuiltin(network: NetworkRecord): boolean {
  return network.predefined || (predefinedNetworks as readonly string[]).includes(network.name);
}

/** `GET /networks`: filters driver, id (prefix), label, name (substring), scope, type (custom|builtin), dangling. */
async function list(context: DaemonContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  for (const key of filters.keys()) if (!listFilterKeys.includes(key)) throw new DaemonError('BAD_PARAMETER', `invalid filter '${key}'`);
  for (const value of filters.get('type') ?? []) if (value !== 'custom' && value !== 'builtin') throw new DaemonError('BAD_PARAMETER', `invalid filter: 'type'='${value}'`);
  for (const value of filters.get('dangling') ?? []) if (!/^(true|false|1|0)$/.test(value)) throw new DaemonError('BAD_PARAMETER', `invalid filter 'dangling=${value}'`);
  const any = (key: string, test: (value: string) => boolean) => {
    const values = filters.get(key) ?? [];
    return values.length === 0 || values.some(test);
  };
  const labels = labelFilter(filters.get('label') ?? []);
  const used = filters.has('dangling') ? await usedNetworkIds(context) : new Set<string>();
  const shown = (await context.engine.networks.list()).filter(
    (network) =>
      any('driver', (value) => value === network.driver) &&
      any('id', (value) => network.id.startsWith(value)) &&
      any('name', (value) => network.name.includes(value)) &&
      any('scope', (value) => value === 'local') &&
      any('type', (value) => (value === 'builtin') === isBuiltin(network)) &&
      any('dangling', (value) => (value === 'true' || value === '1') === (!used.has(network.id) && !isBuiltin(network))) &&
      labels(network.labels),
  );
  const documents = [];
  for (const network of shown) documents.push(await toDockerNetwork(context.engine, network, { withContainers: false }));
  call.send(200, documents);
}

async function inspect(context: DaemonContext, call: Call): Promise<void> {
  const network = await context.engine.networks.find(call.params.id!);
  call.send(200, await toDockerNetwork(context.engine, network));
}

/** `POST /networks/create`: a bridge network; `IPAM.Config` at most one `{Subnet, Gateway}`. Names are always checked (CheckDuplicate). */
async function create(context: DaemonContext, call: Call): Promise<void> {
  const body = objectField(await call.json(), 'body') ?? {};
  const name = body.Name;
  if (typeof name !== 'string' || name === '') throw new DaemonError('BAD_PARAMETER', `invalid network name ${JSON.stringify(name ?? '')}: a name is required`);
  const driver = body.Driver ?? 'bridge';
  if (driver !== 'bridge' && driver !== '') throw new DaemonError('NOT_FOUND', `plugin "${String(driver)}" not found: execdriverd has the bridge driver only`);
  if (body.EnableIPv6 === true) throw new DaemonError('UNSUPPORTED', 'EnableIPv6: IPv6 networks are not supported by execdriverd');
  const ipam = objectField(body.IPAM, 'IPAM') ?? {};
  if (ipam.Driver !== undefined && ipam.Driver !== '' && ipam.Driver !== 'default') throw new DaemonError('NOT_FOUND', `IPAM driver ${JSON.stringify(ipam.Driver)} not found: only default`);
  const configs = ipam.Config ?? [];
  if (!Array.isArray(configs)) throw new DaemonError('BAD_PARAMETER', `invalid IPAM.Config ${JSON.stringify(configs)}: expected a list`);
  if (configs.length > 1) throw new DaemonError('UNSUPPORTED', `IPAM.Config: only one subnet per network is supported (got ${configs.length})`);
  const config = objectField(configs[0], 'IPAM.Config[0]') ?? {};
  if (config.IPRange !== undefined && config.IPRange !== null && config.IPRange !== '') throw new DaemonError('UNSUPPORTED', `IPAM.Config[0].IPRange ${JSON.stringify(config.IPRange)} is not supported`);
  const aux = objectField(config.AuxiliaryAddresses, 'IPAM.Config[0].AuxiliaryAddresses') ?? {};
  if (Object.keys(aux).length > 0) throw new DaemonError('UNSUPPORTED', `IPAM.Config[0].AuxiliaryAddresses ${JSON.stringify(aux)} is not supported`);
  const subnet = typeof config.Subnet === 'string' && config.Subnet !== '' ? config.Subnet : undefined;
  const gateway = typeof config.Gateway === 'string' && config.Gateway !== '' ? config.Gateway : undefined;
  if (gateway !== undefined && subnet === undefined) throw new DaemonError('BAD_PARAMETER', 'every ip-range or gateway must have a corresponding subnet');
  const network = await context.engine.networks.create({
    name,
    ...(subnet !== undefined ? { subnet } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    internal: body.Internal === true,
    labels: stringMap(body.Labels, 'Labels'),
  });
  context.engine.events.append({ Type: 'network', Action: 'create', Actor: { ID: network.id, Attributes: { name: network.name, type: network.driver } } });
  call.send(201, { Id: network.id, Warning: '' });
}

async function remove(context: DaemonContext, call: Call): Promise<void> {
  await context.engine.list();
  const network = await context.engine.networks.remove(call.params.id!);
  context.engine.events.append({ Type: 'network', Action: 'destroy', Actor: { ID: network.id, Attributes: { name: network.name, type: network.driver } } });
  call.send(204);
}

function containerOf(body: Record<string, unknown>): string {
  const container = body.Container;
  if (typeof container !== 'string' || container === '') throw new DaemonError('BAD_PARAMETER', `invalid Container ${JSON.stringify(container ?? '')}: the container's name or id is required`);
  return container;
}

/** `POST /networks/{id}/connect`: `{Container, EndpointConfig: {Aliases}}`; at once for a running container. */
async function connect(context: DaemonContext, call: Call): Promise<void> {
  const body = objectField(await call.json(), 'body') ?? {};
  const reference = containerOf(body);
  const endpoint = objectField(body.EndpointConfig, 'EndpointConfig') ?? {};
  const aliases = endpoint.Aliases ?? [];
  if (!Array.isArray(aliases) || !aliases.every((alias) => typeof alias === 'string')) throw new DaemonError('BAD_PARAMETER', `invalid EndpointConfig.Aliases ${JSON.stringify(aliases)}: expected a list of names`);
  const ipamConfig = objectField(endpoint.IPAMConfig, 'EndpointConfig.IPAMConfig') ?? {};
  if (Object.values(ipamConfig).some((value) => value !== '' && value !== undefined && value !== null)) throw new DaemonError('UNSUPPORTED', `EndpointConfig.IPAMConfig ${JSON.stringify(ipamConfig)}: static addresses are not supported`);
  const container = await context.engine.find(reference);
  const network = await context.engine.networks.find(call.params.id!);
  await connectContainer(context.engine, container.id, network.id, aliases as string[]);
  context.engine.events.append({ Type: 'network', Action: 'connect', Actor: { ID: network.id, Attributes: { container: container.id, name: network.name, type: network.driver } } });
  call.send(200);
}

/** `POST /networks/{id}/disconnect`: `{Container, Force}` (a container is disconnected the same way either way). */
async function disconnect(context: DaemonContext, call: Call): Promise<void> {
  const body = objectField(await call.json(), 'body') ?? {};
  const reference = containerOf(body);
  const container = await context.engine.find(reference);
  const network = await context.engine.networks.find(call.params.id!);
  await disconnectContainer(context.engine, container.id, network.id);
  context.engine.events.append({ Type: 'network', Action: 'disconnect', Actor: { ID: network.id, Attributes: { container: container.id, name: network.name, type: network.driver } } });
  call.send(200);
}

/** `POST /networks/prune`: user-defined networks no running container is on; filters `until`, `label`, `label!`. */
async function prune(context: DaemonContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  for (const key of filters.keys()) if (!['until', 'label', 'label!'].includes(key)) throw new DaemonError('BAD_PARAMETER', `invalid filter '${key}'`);
  const withLabels = labelFilter(filters.get('label') ?? []);
  const without = filters.get('label!') ?? [];
  const limits = (filters.get('until') ?? []).map((text) => {
    try {
      return parseTimestamp(text);
    } catch (error) {
      throw new DaemonError('BAD_PARAMETER', `invalid filter 'until=${text}': ${(error as Error).message}`, { cause: error });
    }
  });
  const used = await usedNetworkIds(context);
  const deleted: string[] = [];
  for (const network of await context.engine.networks.list()) {
    if (isBuiltin(network) || used.has(network.id) || !withLabels(network.labels)) continue;
    if (without.some((value) => labelFilter([value])(network.labels))) continue;
    const created = BigInt(Date.parse(network.created)) * 1_000_000n;
    if (!limits.every((limit) => created < limit)) continue;
    try {
      await context.engine.networks.remove(network.id);
    } catch (error) {
      context.log.warn('network prune: cannot remove a network', { network: network.name, error: (error as Error).message });
      continue;
    }
    context.engine.events.append({ Type: 'network', Action: 'destroy', Actor: { ID: network.id, Attributes: { name: network.name, type: network.driver } } });
    deleted.push(network.name);
  }
  // Docker's nil list when nothing went: null.
  call.send(200, { NetworksDeleted: deleted.length === 0 ? null : deleted });
}

export function networkRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [
    route('GET', '/networks', list),
    route('POST', '/networks/create', create),
    route('POST', '/networks/prune', prune),
    route('GET', '/networks/{id}', inspect),
    route('DELETE', '/networks/{id}', remove),
    route('POST', '/networks/{id}/connect', connect),
    route('POST', '/networks/{id}/disconnect', disconnect),
  ];
}
