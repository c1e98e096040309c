import { archiveFromContainer, containerChanges, EngineError, exportContainer, extractToContainer, statContainerPath, type ContainerPathStat } from '@execdriver/engine';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { queryBoolean, type Call, type Route } from './http.js';

const tarType = 'application/x-tar';

function pathOf(call: Call): string {
  const path = call.query.get('path');
  if (path === null || path === '') throw new DaemonError('BAD_PARAMETER', 'path is required: ?path=<path in the container>');
  return path;
}

/** The engine's copy errors with Docker's status: a path that is not there 404, one that is not a directory 400. */
function copyError(error: unknown): unknown {
  if (!(error instanceof EngineError) || error.code !== 'COPY_FAILED') return error;
  if (error.message.startsWith('Could not find the file')) return new DaemonError('NOT_FOUND', error.message, { cause: error });
  if (/is not a directory|cannot overwrite/.test(error.message)) return new DaemonError('BAD_PARAMETER', error.message, { cause: error });
  return error;
}

/** Docker's `X-Docker-Container-Path-Stat`: the path's stat as base64 JSON. */
function statHeader(stat: ContainerPathStat): Record<string, string> {
  const json = JSON.stringify({ name: stat.name, size: stat.size, mode: stat.mode, mtime: stat.mtime, linkTarget: stat.linkTarget });
  return { 'X-Docker-Container-Path-Stat': Buffer.from(json).toString('base64') };
}

async function statPath(context: DaemonContext, call: Call): Promise<ContainerPathStat> {
  // Docker's messages name the container as the client did.
  return statContainerPath(context.engine, call.params.id!, pathOf(call)).catch((error: unknown) => {
    throw copyError(error);
  });
}

/** `HEAD /containers/{id}/archive?path=`: the stat header alone. */
async function archiveInfo(context: DaemonContext, call: Call): Promise<void> {
  call.send(200, undefined, statHeader(await statPath(context, call)));
}

/** `GET /containers/{id}/archive?path=`: a tar of the path (named by its last component), with the stat header. */
async function archive(context: DaemonContext, call: Call): Promise<void> {
  const stat = await statPath(context, call);
  const output = call.stream(tarType, statHeader(stat));
  try {
    await archiveFromContainer(context.engine, call.params.id!, pathOf(call), output);
  } catch (error) {
    // The status is sent: cut the response short so the client sees a broken archive, not a whole one.
    context.log.warn('archive failed after the response started', { id: call.params.id, error: (error as Error).message });
    output.destroy(error as Error);
  }
}

/** `PUT /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=`: extracts the body (a tar, plain or gzip) into a directory. */
async function extract(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const path = pathOf(call);
  if (container.record.command.readonlyRootfs) throw new DaemonError('FORBIDDEN', `container rootfs is marked read-only: cannot copy into ${path} of container ${container.name}`);
  await extractToContainer(context.engine, call.params.id!, path, call.bodyStream(), {
    noOverwriteDirNonDir: queryBoolean(call.query, 'noOverwriteDirNonDir'),
    asContainerRoot: !queryBoolean(call.query, 'copyUIDGID'),
  }).catch((error: unknown) => {
    throw copyError(error);
  });
  call.send(200);
}

/** `GET /containers/{id}/export`: the root filesystem as a tar stream. */
async function exportRoot(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  const output = call.stream(tarType);
  try {
    await exportContainer(context.engine, container.id, output);
  } catch (error) {
    context.log.warn('export failed after the response started', { id: container.id, error: (error as Error).message });
    output.destroy(error as Error);
    return;
  }
  context.engine.events.append({ Type: 'container', Action: 'export', Actor: { ID: container.id, Attributes: { ...container.record.labels, image: container.record.image, name: container.name } } });
}

const changeKinds = { C: 0, A: 1, D: 2 } as const;

/** `GET /containers/{id}/changes`: `[{Path, Kind}]`, Kind 0 modified, 1 added, 2 deleted. */
async function changes(context: DaemonContext, call: Call): Promise<void> {
  const list = await containerChanges(context.engine, call.params.id!);
  call.send(200, list.map((change) => ({ Path: change.path, Kind: changeKinds[change.kind] })));
}

export function archiveRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [
    route('HEAD', '/containers/{id}/archive', archiveInfo),
    route('GET', '/containers/{id}/archive', archive),
    route('PUT', '/containers/{id}/archive', extract),
    route('GET', '/containers/{id}/export', exportRoot),
    route('GET', '/containers/{id}/changes', changes),
  ];
}
