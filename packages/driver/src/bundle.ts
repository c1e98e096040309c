import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createRuntimeSpec,
  hostnameFileContent,
  hostsFileContent,
  listHostDevices,
  resolvConfContent,
  resolveDevices,
  resolveUser,
  serializeRuntimeSpec,
  type EtcFiles,
} from '@execdriver/oci';
import type { Command, Features, RuntimeHook } from '@execdriver/spec';
import type { DriverContext } from './driver-context.js';
import type { ContainerIo, Hooks, StartOptions } from './driver-types.js';
import { DriverError } from './errors.js';
import { bridgeHooks, HookChannel } from './hook-bridge.js';
import type { RuntimeInfo } from './host-facts.js';
import type { ContainerRecord } from './state-store.js';
import { readRuncState } from './container-status.js';
import { toDriverError } from './to-driver-error.js';

/**
 * Bundle preparation: the container's state directory as runc's bundle, with its config.json
 * (our hooks added), its own /etc files, the pids of the containers whose namespaces it joins,
 * and its record. On failure nothing is left.
 */
export async function prepareBundle(
  context: DriverContext,
  command: Command,
  io: ContainerIo,
  hooks: Hooks,
  options: StartOptions,
  runtime: RuntimeInfo,
): Promise<{ record: ContainerRecord; channel: HookChannel | undefined }> {
  const { store } = context;
  // The bundle's files are written synchronously: a few KB each on the state root (a tmpfs), where
  // each asynchronous step (open, write, close) was a thread-pool round trip on the path of every start.
  const rootfsStat = statSync(command.rootfs, { throwIfNoEntry: false });
  if (!rootfsStat?.isDirectory()) throw new DriverError('ROOTFS_NOT_FOUND', `root filesystem ${command.rootfs} does not exist or is not a directory`, { path: command.rootfs });
  await store.create(command.id);
  const paths = store.paths(command.id);
  let channel: HookChannel | undefined;
  try {
    const { spec, warnings } = await buildSpec(context, command, paths.dir, { writeEtcFiles: true, features: runtime.features, ...(options.etcContent ? { etcContent: options.etcContent } : {}) });
    const wantsPreStart = (hooks.preStart?.length ?? 0) > 0;
    const specHooks: Record<string, RuntimeHook[]> = { ...((spec.hooks ?? {}) as Record<string, RuntimeHook[]>) };
    if (wantsPreStart) {
      for (const [phase, entries] of Object.entries(bridgeHooks(context.hookScriptPath, paths.dir))) specHooks[phase] = [...(specHooks[phase] ?? []), ...entries];
    }
    const config = Object.keys(specHooks).length > 0 ? { ...spec, hooks: specHooks } : spec;
    writeFileSync(paths.config, serializeRuntimeSpec(config));
    const record: ContainerRecord = {
      id: command.id,
      bundle: paths.dir,
      rootfs: command.rootfs,
      cgroupsPath: String(spec.linux?.cgroupsPath ?? ''),
      createdAt: new Date().toISOString(),
      logs: io.logs ?? false,
      fifos: io.fifos ?? false,
      tty: command.process.tty,
      command,
      labels: options.labels ?? {},
      warnings: warnings.map((warning) => warning.message),
      runtime: { name: runtime.name, path: runtime.path },
    };
    for (const warning of warnings) options.onWarning?.(warning.message);
    await store.write(record);
    if (wantsPreStart) channel = HookChannel.open(paths);
    return { record, channel };
  } catch (error) {
    channel?.close();
    await store.remove(command.id);
    throw toDriverError(error, `container ${command.id}`);
  }
}

/** The runtime config for a command on this host, exactly as `start` builds it (without our hooks). */
export async function buildSpec(
  context: DriverContext,
  command: Command,
  dir: string,
  options: { writeEtcFiles: boolean; userRoot?: string; etcContent?: StartOptions['etcContent']; features?: Features | undefined },
) {
  const { host } = context;
  // The features of the runtime that will run it (crun 1.8 has no `features`): the default runtime's unless given.
  const features = 'features' in options ? options.features : host.features;
  const joined = await joinedPids(context, command);
  const user = await resolveUser(command, { rootfs: options.userRoot ?? command.rootfs });
  const devices = await resolveDevices(command);
  const etcFiles = await writeEtcFiles(context, command, dir, options.writeEtcFiles, options.etcContent);
  const hostDevices = command.privileged ? await listHostDevices({ devRoot: context.devRoot }) : undefined;
  return createRuntimeSpec(command, {
    cgroupMode: host.cgroupMode,
    containerPid: (id: string) => joined.get(id),
    procRoot: context.procRoot,
    supportedNamespaces: host.supportedNamespaces,
    architecture: process.arch,
    user,
    devices,
    cgroupsPathPrefix: context.cgroupsPathPrefix,
    availableCapabilities: host.availableCapabilities,
    ...(features ? { features } : {}),
    hostNetwork: { hostname: host.hostname },
    etcFiles,
    lsm: host.lsm,
    onlineCpus: host.onlineCpus,
    blkioWeightSupported: host.blkioWeightSupported,
    ...(hostDevices ? { hostDevices } : {}),
  });
}

/**
 * /etc/hosts, /etc/resolv.conf and /etc/hostname for the container, written into its state
 * directory and bind-mounted by the config, as Docker does. A container that joins another's
 * network namespace shares that container's files.
 */
async function writeEtcFiles(context: DriverContext, command: Command, dir: string, write: boolean, content: StartOptions['etcContent'] = {}): Promise<EtcFiles> {
  const { etcRoot, store, host } = context;
  const network = command.namespaces.network;
  if (network?.mode === 'container') {
    const other = store.paths(network.container).dir;
    const shared: EtcFiles = {};
    for (const [key, file] of [['hosts', 'hosts'], ['resolvConf', 'resolv.conf'], ['hostname', 'hostname']] as const) {
      if (existsSync(join(other, file))) shared[key] = join(other, file);
    }
    return shared;
  }
  const mode = network?.mode === 'host' ? 'host' : network?.mode === 'none' ? 'none' : 'new';
  const uts = command.namespaces.uts?.mode ?? 'new';
  const hostname =
    uts === 'new' ? (command.hostname ?? (mode === 'host' ? host.hostname : undefined) ?? command.id.slice(0, 64)) : uts === 'host' ? host.hostname : undefined;
  const readHostFile = (name: string) => {
    try {
      return readFileSync(join(etcRoot, name), 'utf8');
    } catch {
      return '';
    }
  };
  const files: EtcFiles = {
    hosts: join(dir, 'hosts'),
    resolvConf: join(dir, 'resolv.conf'),
  };
  if (!write) return hostname === undefined ? files : { ...files, hostname: join(dir, 'hostname') };
  writeFileSync(
    files.hosts!,
    content.hosts ??
    hostsFileContent({
      hostname: hostname ?? host.hostname,
      network: mode,
      ...(command.domainname ? { domainname: command.domainname } : {}),
      ...(mode === 'host' ? { hostHosts: readHostFile('hosts') } : {}),
    }),
  );
  const resolvConf = resolvConfContent({ hostResolvConf: readHostFile('resolv.conf'), network: mode });
  writeFileSync(files.resolvConf!, content.resolvConf ? content.resolvConf(resolvConf) : resolvConf);
  if (hostname !== undefined) {
    files.hostname = join(dir, 'hostname');
    writeFileSync(files.hostname, hostnameFileContent(hostname));
  }
  return files;
}

/** Pids of the containers whose namespaces this command joins. */
async function joinedPids(context: DriverContext, command: Command): Promise<Map<string, number>> {
  const pids = new Map<string, number>();
  for (const setting of Object.values(command.namespaces)) {
    if (setting?.mode !== 'container' || pids.has(setting.container)) continue;
    const state = await readRuncState(context, setting.container, await context.store.read(setting.container).catch(() => undefined));
    if (state && state.status === 'running' && state.pid) pids.set(setting.container, state.pid);
  }
  return pids;
}
