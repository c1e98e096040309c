import { commandLine, containerStatus, humanDuration, shortId, userCommand, toDockerImageInspect as plainImageInspect, toDockerInspect as plainInspect, type Container } from '@execdriver/engine';
import type { Image } from '@execdriver/images';
import { goMap, goType } from './go-template.js';
import { goQuote } from './template/printf.js';
import { formatDecimalSize, goTimeString } from './units.js';

/**
 * The engine's Docker views (plain JSON objects, shared with the daemon) as the CLI's templates see
 * them: Go maps (labels, tmpfs, sysctls, networks, ports) and struct type names marked, so
 * `{{.Config.Labels.missing}}`, `range` and error messages behave as the docker CLI's.
 */

type Plain = Record<string, unknown>;

function mapOf(value: unknown, zero?: unknown): unknown {
  return typeof value === 'object' && value !== null ? goMap(value, zero) : value;
}

/** A nil pointer field of a Go struct that its JSON leaves out (`omitempty`): `{{.X}}` is nil, `{{json .}}` has no X. */
function omittedNil(struct: Plain, field: string): void {
  Object.defineProperty(struct, field, { value: null, enumerable: false, configurable: true, writable: true });
}

/** `docker inspect`'s document of a container (the engine's, marked for templates). */
export function decorateContainerInspect<T extends object>(document: T): T {
  const view = document as Plain;
  const state = view.State as Plain;
  const hostConfig = view.HostConfig as Plain;
  const config = view.Config as Plain;
  const graphDriver = view.GraphDriver as Plain;
  const networkSettings = view.NetworkSettings as Plain | undefined;
  if (state.Health) goType(state.Health as Plain, '*types.Health');
  // Go's nil pointers left out of the JSON (omitempty) are still fields a template can name.
  else omittedNil(state, 'Health');
  goType(state, '*types.ContainerState');
  hostConfig.Tmpfs = mapOf(hostConfig.Tmpfs, '');
  hostConfig.Sysctls = mapOf(hostConfig.Sysctls, '');
  hostConfig.PortBindings = mapOf(hostConfig.PortBindings);
  hostConfig.LogConfig = goType({ ...(hostConfig.LogConfig as Plain), Config: mapOf((hostConfig.LogConfig as Plain).Config, '') }, 'container.LogConfig');
  goType(hostConfig, '*container.HostConfig');
  graphDriver.Data = mapOf(graphDriver.Data, '');
  goType(graphDriver, 'storage.DriverData');
  if (networkSettings) {
    networkSettings.Ports = mapOf(networkSettings.Ports);
    const networks = networkSettings.Networks as Record<string, Plain>;
    for (const endpoint of Object.values(networks)) goType(endpoint, '*network.EndpointSettings');
    networkSettings.Networks = mapOf(networks);
    goType(networkSettings, '*types.NetworkSettings');
  }
  config.Labels = mapOf(config.Labels, '');
  if (config.ExposedPorts) config.ExposedPorts = mapOf(config.ExposedPorts);
  if (config.Healthcheck) goType(config.Healthcheck as Plain, '*container.HealthConfig');
  else omittedNil(config, 'Healthcheck');
  goType(config, '*container.Config');
  return goType(document, 'types.ContainerJSON');
}

/** `docker inspect`'s shape of a container (see the engine's `toDockerInspect`), marked for templates. */
export function toDockerInspect(...args: Parameters<typeof plainInspect>) {
  return decorateContainerInspect(plainInspect(...args));
}

/** `docker image inspect`'s shape (the engine's), marked for templates. */
export function toDockerImageInspect(image: Image) {
  const document = plainImageInspect(image);
  const config = document.Config as Plain;
  config.ExposedPorts = config.ExposedPorts ? mapOf(config.ExposedPorts) : null;
  config.Volumes = config.Volumes ? mapOf(config.Volumes) : null;
  config.Labels = config.Labels ? mapOf(config.Labels, '') : null;
  goType(config, '*container.Config');
  document.GraphDriver.Data = goMap(document.GraphDriver.Data, '');
  goType(document.GraphDriver, 'storage.DriverData');
  goType(document.RootFS, 'image.RootFS');
  goType(document.Metadata, 'image.Metadata');
  return goType(document, 'image.InspectResponse');
}

/** Docker's name of the container's network: its first network, `none`, `host`, or none for one that joins another's. */
function networkName(container: Container): string | undefined {
  const joined = container.record.network?.networks[0]?.network;
  if (joined) return joined;
  const mode = container.record.command.namespaces.network?.mode;
  if (mode === 'host') return 'host';
  if (mode === 'container') return undefined;
  return 'none';
}

/** The docker CLI's Ellipsis: at most `width` characters, the last one `…` when cut. */
function ellipsis(text: string, width: number): string {
  const characters = [...text];
  return characters.length <= width ? text : `${characters.slice(0, width - 1).join('')}…`;
}

/**
 * `docker ps`'s row (the docker CLI's ContainerContext, in its `{{json .}}` order): Command,
 * CreatedAt, ID, Image, Labels, LocalVolumes, Mounts, Names, Networks, Ports, RunningFor, Size,
 * State, Status, and the method `Label KEY`.
 */
export function toPsRow(container: Container, now: number, options: { truncate: boolean; sizeBytes?: number; ports?: string }) {
  const { state, record } = container;
  const command = commandLine(userCommand(container));
  const labels = record.labels;
  const mounts = record.command.mounts.filter((mount) => mount.type === 'bind').map((mount) => (options.truncate ? ellipsis(mount.source, 15) : mount.source));
  return goType(
    {
      Command: goQuote(options.truncate ? ellipsis(command, 20) : command),
      // A getter: ICU's time zone formatting costs tens of milliseconds, and the default table has no CreatedAt.
      get CreatedAt(): string {
        return goTimeString(record.created);
      },
      ID: options.truncate ? shortId(container.id) : container.id,
      Image: record.image,
      Label: (key: string): string => (typeof key === 'string' && Object.hasOwn(labels, key) ? labels[key]! : ''),
      Labels: Object.keys(labels)
        .sort()
        .map((key) => `${key}=${labels[key]}`)
        .join(','),
      LocalVolumes: '0',
      Mounts: mounts.join(','),
      Names: container.name,
      Networks: networkName(container) ?? '',
      Ports: options.ports ?? '',
      RunningFor: `${humanDuration(now - Date.parse(record.created))} ago`,
      Size: formatDecimalSize(options.sizeBytes ?? 0),
      State: state,
      Status: containerStatus(container, now),
    },
    '*formatter.ContainerContext',
  );
}
