import { pruneVolumes, toDockerVolume, volumeUsers, type Volume } from '@execdriver/engine';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { parseFilters, queryBoolean, type Call, type Route } from './http.js';
import { labelFilter, objectField, stringMap } from './request-fields.js';

const volumeFilterKeys = ['name', 'label', 'dangling', 'driver'];

/** `GET /volumes`: `{Volumes, Warnings}`, filters name (substring), label, dangling, driver. */
async function list(context: DaemonContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  for (const key of filters.keys()) if (!volumeFilterKeys.includes(key)) throw new DaemonError('BAD_PARAMETER', `invalid filter '${key}'`);
  const users = await volumeUsers(context.engine);
  const dangling = filters.get('dangling') ?? [];
  for (const value of dangling) if (!/^(true|false|1|0)$/.test(value)) throw new DaemonError('BAD_PARAMETER', `invalid filter 'dangling=${value}'`);
  const labels = labelFilter(filters.get('label') ?? []);
  const shown = (await context.engine.volumes.list()).filter(
    (volume: Volume) =>
      (filters.get('name') ?? []).every((name) => volume.name.includes(name)) &&
      (filters.get('driver') ?? []).every((driver) => driver === volume.driver) &&
      dangling.every((value) => !users.has(volume.name) === (value === 'true' || value === '1')) &&
      labels(volume.labels),
  );
  call.send(200, { Volumes: shown.map(toDockerVolume), Warnings: null });
}

/** `POST /volumes/create`: `{Name, Driver, DriverOpts, Labels}`; an existing volume of that name is returned as it is (Docker's way). */
async function create(context: DaemonContext, call: Call): Promise<void> {
  const body = objectField(await call.json(), 'body') ?? {};
  const name = body.Name;
  if (name !== undefined && name !== null && typeof name !== 'string') throw new DaemonError('BAD_PARAMETER', `invalid Name ${JSON.stringify(name)}: expected a string`);
  const driver = body.Driver ?? '';
  if (driver !== '' && driver !== 'local') throw new DaemonError('NOT_FOUND', `error looking up volume plugin ${String(driver)}: plugin "${String(driver)}" not found`);
  const options = stringMap(body.DriverOpts, 'DriverOpts');
  if (Object.keys(options).length > 0) throw new DaemonError('UNSUPPORTED', `DriverOpts ${JSON.stringify(options)}: the local driver of execdriverd takes no options`);
  const { volume, created } = await context.engine.volumes.create(name === '' || name === null ? undefined : name, { labels: stringMap(body.Labels, 'Labels'), anonymous: false });
  if (created) context.engine.events.append({ Type: 'volume', Action: 'create', Actor: { ID: volume.name, Attributes: { driver: 'local' } } });
  call.send(201, toDockerVolume(volume));
}

async function inspect(context: DaemonContext, call: Call): Promise<void> {
  call.send(200, toDockerVolume(await context.engine.volumes.require(call.params.name!)));
}

/** `DELETE /volumes/{name}`: 409 while a container (running or not) mounts it; `force` ignores a missing one. */
async function remove(context: DaemonContext, call: Call): Promise<void> {
  const name = call.params.name!;
  const force = queryBoolean(call.query, 'force');
  const existed = (await context.engine.volumes.get(name)) !== undefined;
  const users = await volumeUsers(context.engine);
  await context.engine.volumes.remove(name, users.get(name) ?? [], { force });
  if (existed) context.engine.events.append({ Type: 'volume', Action: 'destroy', Actor: { ID: name, Attributes: { driver: 'local' } } });
  call.send(204);
}

/** `POST /volumes/prune`: anonymous unused volumes, every unused one with the `all` filter; `label`, `label!`. */
async function prune(context: DaemonContext, call: Call): Promise<void> {
  const filters = Object.fromEntries(parseFilters(call.query.get('filters')));
  const report = await pruneVolumes(context.engine, { filters });
  // Docker's nil list when nothing went: null.
  call.send(200, { VolumesDeleted: report.volumesDeleted.length === 0 ? null : report.volumesDeleted, SpaceReclaimed: report.spaceReclaimedBytes });
}

export function volumeRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [
    route('GET', '/volumes', list),
    route('POST', '/volumes/create', create),
    route('POST', '/volumes/prune', prune),
    route('GET', '/volumes/{name}', inspect),
    route('DELETE', '/volumes/{name}', remove),
  ];
}
