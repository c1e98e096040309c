import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dockerNetworkSettings, EngineError, type Container, type Engine } from '@execdriver/engine';
import { containerLayerPaths, type Image } from '@execdriver/images';
import type { CommandSpec } from '../command-spec.js';
import { toDockerImageInspect, toDockerInspect } from '../docker-inspect.js';
import { CliError, usageError } from '../errors.js';
import { flagBoolean, flagString } from '../flags.js';
import { executeTemplate, goMap, goType, parseTemplate } from '../go-template.js';

/** The environment the container's process got (PATH, HOSTNAME, HOME, TERM and the user's): `process.env` of its bundle's config.json. */
async function effectiveEnv(container: Container): Promise<string[] | undefined> {
  if (!container.driver) return undefined;
  try {
    const config = JSON.parse(await readFile(join(container.driver.bundle, 'config.json'), 'utf8')) as { process?: { env?: unknown } };
    const env = config.process?.env;
    return Array.isArray(env) && env.every((entry) => typeof entry === 'string') ? env : undefined;
  } catch {
    return undefined;
  }
}

/** The bytes of the files under `path`, each hard-linked inode once (Docker's directory size); 0 when it is not there. */
async function directorySize(path: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await directorySize(child, seen);
    else {
      const stats = await lstat(child).catch(() => undefined);
      if (!stats) continue;
      const inode = `${stats.dev}:${stats.ino}`;
      if (seen.has(inode)) continue;
      seen.add(inode);
      total += stats.size;
    }
  }
  return total;
}

/** `inspect -s`: the container's writable layer (SizeRw) and all of its root filesystem (SizeRootFs). */
async function containerSizes(engine: Engine, container: Container): Promise<{ rw: number; rootFs: number }> {
  const { record } = container;
  if (record.rootfsMode === 'overlay') {
    const rw = await directorySize(containerLayerPaths(engine.containerDir(container.id)).upper);
    const image = record.imageId ? await engine.images.get(record.imageId).catch(() => undefined) : undefined;
    return { rw, rootFs: rw + (image?.sizeBytes ?? 0) };
  }
  return { rw: 0, rootFs: await directorySize(record.command.rootfs) };
}

type InspectType = 'container' | 'image';

export const inspectCommandSpec: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on containers and images (Docker-shaped JSON)',
  flags: [
    { name: 'format', short: 'f', kind: 'string', description: "Format output: json (default), or a Go template like '{{.State.ExitCode}}'" },
    { name: 'size', short: 's', kind: 'boolean', description: 'Display total file sizes if the type is container (SizeRw, SizeRootFs)' },
    { name: 'type', kind: 'string', description: 'Only this type of object: container or image (default: a container, else an image)' },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    const template = format === undefined || format === 'json' ? undefined : parseTemplate(format);
    const type = flagString(parsed, 'type');
    if (type !== undefined && type !== 'container' && type !== 'image') throw usageError(`"${type}" is not a valid value for --type`);
    const engine = await context.engine();
    const driver = await engine.driver();
    const documents: object[] = [];
    let failed = false;
    const findImage = async (reference: string): Promise<Image | undefined> => engine.images.get(reference).catch(() => undefined);
    for (const reference of parsed.positionals) {
      try {
        let container: Container | undefined;
        if (type !== 'image') {
          container = await engine.find(reference).catch((error: unknown) => {
            if (type === undefined && error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return undefined;
            throw error;
          });
        }
        if (container) {
          const env = await effectiveEnv(container);
          const sizes = flagBoolean(parsed, 'size') ? await containerSizes(engine, container) : undefined;
          const document: Record<string, unknown> = toDockerInspect(container, { containerDir: engine.containerDir(container.id), driverName: driver.name(), ...(env ? { env } : {}), ...(sizes ? { sizes } : {}) });
          const networkIds = new Map((await engine.networks.list()).map((network) => [network.name, network.id]));
          // Maps as Go maps for templates (`range $name, $n := .NetworkSettings.Networks`), the rest as structs.
          const settings = dockerNetworkSettings(container.record, await engine.networks.attachments.get(container.id), networkIds);
          document.NetworkSettings = goType({ ...settings, Ports: goMap({ ...settings.Ports }), Networks: goMap(Object.fromEntries(Object.entries(settings.Networks).map(([name, endpoint]) => [name, goType({ ...(endpoint as object) }, '*network.EndpointSettings')]))) }, '*types.NetworkSettings');
          if (container.record.network) {
            const hostConfig = document.HostConfig as Record<string, unknown>;
            const network = container.record.network;
            hostConfig.NetworkMode = network.networks[0]?.network ?? 'bridge';
            hostConfig.PortBindings = Object.fromEntries(network.ports.map((port) => [`${port.containerPort}/${port.protocol}`, [{ HostIp: port.hostIp, HostPort: port.hostPortStart === 0 ? '' : String(port.hostPortStart) }]]));
            hostConfig.PublishAllPorts = network.publishAll;
            hostConfig.ExtraHosts = network.extraHosts.length > 0 ? network.extraHosts : null;
            hostConfig.Dns = network.dns.servers;
          }
          documents.push(document);
          continue;
        }
        const image = await findImage(reference);
        if (!image) throw new CliError(type === 'image' ? 'NO_SUCH_IMAGE' : 'NO_SUCH_CONTAINER', `No such ${type === 'image' ? 'image' : 'object'}: ${reference}`);
        documents.push(toDockerImageInspect(image));
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message}\n`);
      }
    }
    if (template === undefined) context.stdout.write(`${JSON.stringify(documents, null, 4)}\n`);
    else context.stdout.write(documents.map((document) => `${executeTemplate(template, document)}\n`).join(''));
    return failed ? 1 : 0;
  },
};
