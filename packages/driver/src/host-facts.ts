import { accessSync, constants, statSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { supportedNamespaceKinds } from '@execdriver/namespaces';
import { capabilitiesFromMask, detectLsm, readOnlineCpus, type LsmSupport } from '@execdriver/oci';
import { knownCapabilities, type Capability, type CgroupMode, type Features } from '@execdriver/spec';
import { DriverError } from './errors.js';
import { Runc } from './runc.js';
import { knownRuntimeNames, runtimeDirectoryName } from './runtime-choice.js';

/** What the driver learns about the host once, at creation. */
export interface HostFacts {
  /** The default runtime: its name (runc, crun, youki), binary and version (e.g. `1.1.5+ds1`). */
  runtime: RuntimeInfo;
  /** `runc features`, when the default runtime has it: what the runtime supports (namespaces, capabilities, seccomp). */
  features: Features | undefined;
  cgroupMode: CgroupMode;
  supportedNamespaces: Awaited<ReturnType<typeof supportedNamespaceKinds>>;
  /** "All capabilities" (privileged) means the ones this process holds in its bounding set, as Docker. */
  availableCapabilities: Capability[];
  hostname: string;
  /** Whether AppArmor and SELinux are enabled here: settings for a missing one are dropped with a warning, as Docker. */
  lsm: LsmSupport;
  onlineCpus: ReadonlySet<number>;
  /** Whether the block I/O controller takes weights here (an I/O scheduler with weights, BFQ): else a weight is dropped with a warning, as Docker. */
  blkioWeightSupported: boolean;
}

/**
 * runc writes `blkio.weight` or else `blkio.bfq.weight` (v1), `io.bfq.weight` or else `io.weight`
 * (v2): without any of them (no BFQ scheduler on v1 kernels that dropped CFQ) it fails the start.
 */
export function detectBlkioWeight(cgroupRoot: string, mode: CgroupMode): boolean {
  const exists = (path: string) => {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  };
  if (mode === 'unified') return true;
  return exists(join(cgroupRoot, 'blkio', 'blkio.weight')) || exists(join(cgroupRoot, 'blkio', 'blkio.bfq.weight'));
}

export interface HostRoots {
  stateRoot: string;
  cgroupRoot: string;
  procRoot: string;
  sysRoot: string;
}

/** What the driver knows of one runtime binary. */
export interface RuntimeInfo {
  /** runc, crun or youki (from `--version`), else the binary's base name. */
  name: string;
  /** The binary, resolved on PATH. */
  path: string;
  version: string;
  /** `runc features`, when the runtime has it. */
  features: Features | undefined;
}

/** The host's facts with `runtime` as its default runtime; the cgroup mode is detected before (it chose the runtime). */
export async function readHostFacts(runtime: RuntimeInfo, cgroupMode: CgroupMode, roots: HostRoots): Promise<HostFacts> {
  const boundingMask = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile(join(roots.procRoot, 'self/status'), 'utf8'))?.[1];
  return {
    runtime,
    features: runtime.features,
    cgroupMode,
    blkioWeightSupported: detectBlkioWeight(roots.cgroupRoot, cgroupMode),
    supportedNamespaces: await supportedNamespaceKinds({ procRoot: roots.procRoot }),
    availableCapabilities: boundingMask === undefined ? [...knownCapabilities] : capabilitiesFromMask(boundingMask),
    hostname: hostname(),
    lsm: await detectLsm({ sysRoot: roots.sysRoot }),
    onlineCpus: await readOnlineCpus({ sysRoot: roots.sysRoot }),
  };
}

/**
 * A runtime's name, version and `features`, asked once per binary and remembered in the state
 * root (keyed by the binary's path, size and mtime): a CLI creates a driver per invocation and
 * each runtime call costs a process start. `command` is a name on PATH or a path; one that is
 * not there, or does not run, is RUNC_MISSING naming it.
 */
export async function runtimeInfo(command: string, stateRoot: string): Promise<RuntimeInfo> {
  const binary = findExecutable(command);
  if (binary === undefined) {
    const known = (knownRuntimeNames as readonly string[]).includes(command) ? command : 'runc';
    const hint = command.includes('/') ? 'no executable file there: give the path of an OCI runtime (runc, crun, youki)' : `not on PATH: install it with "apt-get install -y ${known}", or give the path of an OCI runtime`;
    throw new DriverError('RUNC_MISSING', `OCI runtime ${JSON.stringify(command)} not found (${hint})`, { path: command });
  }
  const info = await stat(binary);
  const key = `${binary}:${info.size}:${info.mtimeMs}`;
  const cacheFile = join(stateRoot, `runtime-info-${runtimeDirectoryName(binary.replaceAll('/', '_'))}.json`);
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { key?: string; name?: string; version?: string; features?: unknown };
    if (cached.key === key && typeof cached.version === 'string' && typeof cached.name === 'string') {
      // Written below from an already parsed `runc features`: not parsed again (zod's first parse of
      // this schema costs ~5 ms of every CLI command's start-up).
      return { name: cached.name, path: binary, version: cached.version, features: typeof cached.features === 'object' && cached.features !== null ? (cached.features as Features) : undefined };
    }
  } catch {
    // no cache yet, or an unreadable one: ask the runtime again
  }
  const client = new Runc({ command: binary });
  let parsed: Awaited<ReturnType<Runc['version']>>;
  try {
    parsed = await client.version();
  } catch (error) {
    if (error instanceof DriverError && error.code === 'RUNC_MISSING') throw error;
    throw new DriverError('RUNC_MISSING', `OCI runtime ${binary} does not run (${error instanceof Error ? error.message : String(error)})`, { cause: error, path: binary });
  }
  const features = await client.features();
  // Written aside and renamed: two drivers starting at once never read half a cache.
  const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, JSON.stringify({ key, name: parsed.name, version: parsed.version, features }));
  await rename(temporary, cacheFile);
  return { name: parsed.name, path: binary, version: parsed.version, features };
}

/** A command name looked up on PATH (or a path), if it is an executable file. */
export function findExecutable(command: string): string | undefined {
  const candidates = command.includes('/') ? [command] : (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':').filter(Boolean).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}
