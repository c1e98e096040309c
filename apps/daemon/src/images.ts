import { imageEvent } from '@execdriver/engine';
import { parseImageReference, type Image } from '@execdriver/images';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { parseFilters, queryBoolean, type Call, type Route } from './http.js';

function repoTags(image: Image): string[] {
  return image.references.map((canonical) => {
    const reference = parseImageReference(canonical);
    return reference.tag !== undefined ? `${reference.familiarName}:${reference.tag}` : reference.familiar;
  });
}

function created(image: Image): number {
  return Math.floor(Date.parse(image.created) / 1000);
}

/** `GET /images/{name}/json`. */
function imageDocument(image: Image) {
  const config = image.config as Record<string, unknown>;
  return {
    Id: `sha256:${image.id}`,
    RepoTags: repoTags(image),
    RepoDigests: [],
    Parent: '',
    Comment: image.comment ?? '',
    Created: image.created,
    DockerVersion: '',
    Author: '',
    Config: { Env: null, Cmd: null, Entrypoint: null, WorkingDir: '', User: '', Labels: null, ...config },
    Architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    Os: 'linux',
    Size: image.sizeBytes,
    GraphDriver: { Name: 'overlay', Data: { LowerDir: image.rootfs } },
    RootFS: { Type: 'layers', Layers: [] },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
  };
}

async function list(context: DaemonContext, call: Call): Promise<void> {
  const filters = parseFilters(call.query.get('filters'));
  const dangling = filters.get('dangling')?.[0];
  const references = filters.get('reference') ?? [];
  const { images } = await context.engine.images.list();
  const glob = (pattern: string, text: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`).test(text);
  const shown = images.filter((image) => {
    if (dangling === 'true' && image.references.length > 0) return false;
    if (dangling === 'false' && image.references.length === 0) return false;
    if (references.length > 0) return repoTags(image).some((tag) => references.some((pattern) => glob(pattern, tag) || glob(pattern, tag.split(':')[0]!)));
    return true;
  });
  call.send(
    200,
    shown.map((image) => ({
      Id: `sha256:${image.id}`,
      ParentId: '',
      RepoTags: repoTags(image),
      RepoDigests: [],
      Created: created(image),
      Size: image.sizeBytes,
      SharedSize: -1,
      VirtualSize: image.sizeBytes,
      Labels: (image.config as { Labels?: Record<string, string> }).Labels ?? {},
      Containers: -1,
    })),
  );
}

async function inspect(context: DaemonContext, call: Call): Promise<void> {
  call.send(200, imageDocument(await context.engine.images.require(call.params.name!)));
}

/** `POST /images/create`: `fromSrc=-` imports the body (a root filesystem tarball); there is no registry to pull from. */
async function createImage(context: DaemonContext, call: Call): Promise<void> {
  const fromImage = call.query.get('fromImage');
  const fromSrc = call.query.get('fromSrc');
  if (fromImage) {
    const tag = call.query.get('tag');
    throw new DaemonError('NOT_FOUND', `pull access denied for ${fromImage}${tag ? `:${tag}` : ''}: execdriverd pulls from no registry; import a root filesystem: docker import FILE ${fromImage}${tag ? `:${tag}` : ''}`);
  }
  if (fromSrc !== '-') throw new DaemonError('UNSUPPORTED', `fromSrc ${JSON.stringify(fromSrc ?? '')}: only fromSrc=- (the tarball in the request body) is supported`);
  const repo = call.query.get('repo') ?? '';
  const tag = call.query.get('tag') ?? '';
  const reference = repo === '' ? undefined : tag === '' ? repo : `${repo}:${tag}`;
  const changes = call.query.getAll('changes').filter((change) => change !== '');
  const message = call.query.get('message') ?? '';
  const image = await context.engine.images.import({ stream: call.bodyStream(), name: '-' }, reference, { changes, ...(message ? { message } : {}) });
  context.engine.events.append(imageEvent(`sha256:${image.id}`, 'import', reference === undefined ? undefined : parseImageReference(reference).familiar));
  call.send(200, { status: `sha256:${image.id}` });
}

async function tag(context: DaemonContext, call: Call): Promise<void> {
  const repo = call.query.get('repo');
  if (!repo) throw new DaemonError('BAD_PARAMETER', 'repository name (repo) must have at least one component');
  const tagName = call.query.get('tag');
  const target = tagName ? `${repo}:${tagName}` : repo;
  const image = await context.engine.images.tag(call.params.name!, target);
  context.engine.events.append(imageEvent(`sha256:${image.id}`, 'tag', parseImageReference(target).familiar));
  call.send(201);
}

async function remove(context: DaemonContext, call: Call): Promise<void> {
  const before = await context.engine.images.get(call.params.name!).catch(() => undefined);
  const result = await context.engine.images.remove(call.params.name!, { force: queryBoolean(call.query, 'force'), users: await context.engine.imageUsers() });
  const untagged = result.untagged.map((reference) => {
    const parsed = parseImageReference(reference);
    return { Untagged: parsed.tag !== undefined ? `${parsed.familiarName}:${parsed.tag}` : parsed.familiar };
  });
  // Journaled as the CLI does (the engine's events, which `docker events` reads).
  for (const entry of untagged) context.engine.events.append(imageEvent(before ? `sha256:${before.id}` : entry.Untagged, 'untag', entry.Untagged));
  for (const id of result.deleted) context.engine.events.append(imageEvent(`sha256:${id}`, 'delete'));
  call.send(200, [...untagged, ...result.deleted.map((id) => ({ Deleted: `sha256:${id}` }))]);
}

export function imageRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [
    route('GET', '/images/json', list),
    route('POST', '/images/create', createImage),
    route('GET', '/images/{name*}/json', inspect),
    route('POST', '/images/{name*}/tag', tag),
    route('DELETE', '/images/{name*}', remove),
  ];
}
