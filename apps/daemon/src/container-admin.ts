import { commitContainer, containerEvent, normalizeName, parseRestartPolicy, renameContainer, updateContainer, type ContainerUpdate } from '@execdriver/engine';
import type { Resources } from '@execdriver/spec';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { type Call, type Route } from './http.js';
import { objectField } from './request-fields.js';

/** `POST /containers/{id}/rename?name=`: 204; Docker's 409 when the name is taken. */
async function rename(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const name = call.query.get('name') ?? '';
  // dockerd's words exactly (the engine's message also names the value, for the CLI).
  if (name !== '' && normalizeName(name) === container.name) throw new DaemonError('BAD_PARAMETER', 'Renaming a container with the same name as its current name');
  const record = await renameContainer(context.engine, container.id, name);
  context.engine.events.append(containerEvent(record, 'rename', { oldName: `/${container.name}` }));
  call.send(204);
}

/** The HostConfig resource fields `docker update` sends, to the engine's names (0 or absent: unchanged, as Docker). */
const resourceFields: Record<string, (value: number) => Partial<Resources>> = {
  Memory: (value) => ({ memory: value }),
  MemorySwap: (value) => ({ memorySwap: value }),
  MemoryReservation: (value) => ({ memoryReservation: value }),
  KernelMemory: (value) => ({ kernelMemory: value }),
  CpuShares: (value) => ({ cpuShares: value }),
  CpuQuota: (value) => ({ cpuQuota: value }),
  CpuPeriod: (value) => ({ cpuPeriod: value }),
  NanoCpus: (value) => ({ cpus: value / 1e9 }),
  BlkioWeight: (value) => ({ blkioWeight: value }),
};
/** Fields the daemon cannot change on a container: refused when set, ignored when empty. */
const unsupportedFields = ['CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CgroupParent', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'Devices', 'DeviceCgroupRules', 'DeviceRequests', 'Ulimits', 'CpuCount', 'CpuPercent', 'IOMaximumIOps', 'IOMaximumBandwidth'];

/** The update request (HostConfig's resources and RestartPolicy) as the engine's update. @throws DaemonError BAD_PARAMETER, UNSUPPORTED naming the field */
export function toContainerUpdate(body: Record<string, unknown>): ContainerUpdate {
  const resources: Partial<Resources> = {};
  for (const [field, convert] of Object.entries(resourceFields)) {
    const value = body[field];
    if (value === undefined || value === null || value === 0) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DaemonError('BAD_PARAMETER', `invalid ${field} ${JSON.stringify(value)}: expected a number`);
    Object.assign(resources, convert(value));
  }
  for (const field of ['CpusetCpus', 'CpusetMems'] as const) {
    const value = body[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new DaemonError('BAD_PARAMETER', `invalid ${field} ${JSON.stringify(value)}: expected a list like 0-3,7`);
    resources[field === 'CpusetCpus' ? 'cpusetCpus' : 'cpusetMems'] = value;
  }
  if (body.PidsLimit !== undefined && body.PidsLimit !== null) {
    if (typeof body.PidsLimit !== 'number' || !Number.isInteger(body.PidsLimit)) throw new DaemonError('BAD_PARAMETER', `invalid PidsLimit ${JSON.stringify(body.PidsLimit)}: expected an integer`);
    // Docker: 0 and -1 both mean unlimited.
    resources.pidsLimit = body.PidsLimit <= 0 ? -1 : body.PidsLimit;
  }
  for (const field of unsupportedFields) {
    const value = body[field];
    if (value === undefined || value === null || value === 0 || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    throw new DaemonError('UNSUPPORTED', `${field} ${JSON.stringify(value)} cannot be updated by execdriverd`);
  }
  const policy = objectField(body.RestartPolicy, 'RestartPolicy');
  let restartPolicy: ContainerUpdate['restartPolicy'];
  if (policy && typeof policy.Name === 'string' && policy.Name !== '') {
    const count = policy.MaximumRetryCount;
    if (count !== undefined && count !== null && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) throw new DaemonError('BAD_PARAMETER', `invalid RestartPolicy.MaximumRetryCount ${JSON.stringify(count)}`);
    restartPolicy = parseRestartPolicy(policy.Name === 'on-failure' && typeof count === 'number' && count > 0 ? `on-failure:${count}` : policy.Name);
  }
  return { resources, ...(restartPolicy ? { restartPolicy } : {}) };
}

/** `POST /containers/{id}/update`: live resource limits (runc update) kept for later starts, and the restart policy. */
async function update(context: DaemonContext, call: Call): Promise<void> {
  const body = objectField(await call.json(), 'body') ?? {};
  const container = await context.engine.find(call.params.id!);
  const { record, warnings } = await updateContainer(context.engine, container.id, toContainerUpdate(body));
  context.engine.events.append(containerEvent(record, 'update'));
  call.send(200, { Warnings: warnings });
}

/**
 * `POST /commit?container=&repo=&tag=&comment=&author=&changes=`: an image of the container's
 * root filesystem and config, Dockerfile `changes` applied (the body's config is not read: give
 * changes). 201 `{Id}`.
 */
async function commit(context: DaemonContext, call: Call): Promise<void> {
  const reference = call.query.get('container');
  if (!reference) throw new DaemonError('BAD_PARAMETER', 'container is required: ?container=<name or id>');
  const container = await context.engine.find(reference);
  const repo = call.query.get('repo') ?? '';
  const tag = call.query.get('tag') ?? '';
  if (repo === '' && tag !== '') throw new DaemonError('BAD_PARAMETER', `tag ${JSON.stringify(tag)} given without a repository`);
  const imageReference = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
  const comment = call.query.get('comment') ?? '';
  const author = call.query.get('author') ?? '';
  const changes = call.query.getAll('changes').flatMap((change) => change.split('\n')).filter((change) => change.trim() !== '');
  const image = await commitContainer(context.engine, container.id, imageReference, { changes, ...(comment ? { message: comment } : {}), ...(author ? { author } : {}) });
  context.engine.events.append(containerEvent(container.record, 'commit', { comment, imageID: `sha256:${image.id}`, ...(imageReference ? { imageRef: imageReference } : {}) }));
  call.send(201, { Id: `sha256:${image.id}` });
}

export function containerAdminRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [route('POST', '/containers/{id}/rename', rename), route('POST', '/containers/{id}/update', update), route('POST', '/commit', commit)];
}
