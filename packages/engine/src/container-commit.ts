import { applyImageChanges, type Image, type ImageConfig } from '@execdriver/images';
import { copyContainerRootfs } from './container-files.js';
import type { Engine } from './engine.js';

/**
 * `docker commit`: a new image from the container's root filesystem, its config the container's
 * (Entrypoint, Cmd, Env, WorkingDir, User, Labels, Healthcheck) with Dockerfile `changes` applied on top,
 * tagged `reference` when given.
 * @throws EngineError NO_SUCH_CONTAINER; ImageError INVALID_CHANGE, INVALID_REFERENCE, IMAGE_FAILED
 */
export async function commitContainer(engine: Engine, containerReference: string, imageReference: string | undefined, options: { changes?: readonly string[]; message?: string; author?: string } = {}): Promise<Image> {
  const container = await engine.find(containerReference);
  const record = container.record;
  const base = (record.imageConfig ?? {}) as ImageConfig;
  const args = record.command.process.args;
  const entrypoint = base.Entrypoint ?? [];
  const keepsEntrypoint = entrypoint.length > 0 && entrypoint.every((part, index) => args[index] === part);
  const config: ImageConfig = {
    ...base,
    ...(keepsEntrypoint ? { Entrypoint: entrypoint, Cmd: args.slice(entrypoint.length) } : { Entrypoint: undefined, Cmd: [...args] }),
    Env: [...(record.command.process.env ?? [])],
    ...(record.command.process.workingDir ? { WorkingDir: record.command.process.workingDir } : {}),
    ...(record.command.process.user ? { User: record.command.process.user } : {}),
    Labels: { ...record.labels },
    // Docker's image config carries the container's health check (runs of the image inherit it).
    ...(record.healthcheck ? ({ Healthcheck: { ...record.healthcheck } } as Record<string, unknown>) : {}),
  };
  if (!keepsEntrypoint) delete config.Entrypoint;
  const changed = applyImageChanges(config, options.changes ?? []);
  return engine.images.create(imageReference, (rootfs) => copyContainerRootfs(engine, container.id, rootfs), {
    source: `commit ${record.name}`,
    config: changed,
    ...(options.message ? { comment: options.message } : {}),
  });
}
