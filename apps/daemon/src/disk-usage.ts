import { containerStatus, diskUsage, pruneImages, toDockerVolume } from '@execdriver/engine';
import { parseImageReference } from '@execdriver/images';
import { listCommand } from './containers.js';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { parseFilters, type Call, type Route } from './http.js';

function familiar(canonical: string): string {
  const reference = parseImageReference(canonical);
  return reference.tag !== undefined ? `${reference.familiarName}:${reference.tag}` : reference.familiar;
}

/** `POST /images/prune`: dangling images no container uses (every unused one with `dangling=false`); filters until, label, label!. */
async function pruneImagesRoute(context: DaemonContext, call: Call): Promise<void> {
  const filters = Object.fromEntries(parseFilters(call.query.get('filters')));
  const report = await pruneImages(context.engine, { filters });
  call.send(200, {
    ImagesDeleted: report.imagesDeleted.length === 0 ? null : report.imagesDeleted.map((entry) => ('untagged' in entry ? { Untagged: familiar(entry.untagged) } : { Deleted: entry.deleted })),
    SpaceReclaimed: report.spaceReclaimedBytes,
  });
}

const dfTypes = ['container', 'image', 'volume', 'build-cache'];

/** `GET /system/df` (`type=` picks parts): images with their container counts, containers with their layer sizes, volumes with UsageData. */
async function systemDf(context: DaemonContext, call: Call): Promise<void> {
  const types = call.query.getAll('type');
  for (const type of types) if (!dfTypes.includes(type)) throw new DaemonError('BAD_PARAMETER', `unknown object type: ${type}`);
  const wants = (type: string) => types.length === 0 || types.includes(type);
  const usage = await diskUsage(context.engine);
  const now = Date.now();
  call.send(200, {
    ...(wants('image')
      ? {
          LayersSize: usage.layersSizeBytes,
          Images: usage.images.map(({ image, sizeBytes, containers }) => ({
            Id: `sha256:${image.id}`,
            ParentId: '',
            RepoTags: image.references.map(familiar),
            RepoDigests: [],
            Created: Math.floor(Date.parse(image.created) / 1000),
            Size: sizeBytes,
            SharedSize: 0,
            VirtualSize: sizeBytes,
            Labels: (image.config as { Labels?: Record<string, string> }).Labels ?? {},
            Containers: containers,
          })),
        }
      : {}),
    ...(wants('container')
      ? {
          Containers: usage.containers.map(({ container, sizeRwBytes }) => ({
            Id: container.id,
            Names: [`/${container.name}`],
            Image: container.record.image,
            ImageID: container.record.imageId ? `sha256:${container.record.imageId}` : '',
            Command: listCommand(container.record.command.process.args),
            Created: Math.floor(Date.parse(container.record.created) / 1000),
            Ports: [],
            SizeRw: sizeRwBytes,
            SizeRootFs: sizeRwBytes + (usage.images.find((row) => row.image.id === container.record.imageId)?.sizeBytes ?? 0),
            Labels: container.record.labels,
            State: container.state,
            Status: containerStatus(container, now),
            HostConfig: { NetworkMode: container.record.command.namespaces.network?.mode ?? 'none' },
            NetworkSettings: { Networks: {} },
            Mounts: [],
          })),
        }
      : {}),
    ...(wants('volume') ? { Volumes: usage.volumes.map(({ volume, sizeBytes, refCount }) => ({ ...toDockerVolume(volume), UsageData: { Size: sizeBytes, RefCount: refCount } })) } : {}),
    ...(wants('build-cache') ? { BuildCache: [] } : {}),
  });
}

export function diskUsageRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [route('POST', '/images/prune', pruneImagesRoute), route('GET', '/system/df', systemDf)];
}
