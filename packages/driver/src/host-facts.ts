import { accessSync, constants, statSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { detectCgroupMode } from '@execdriver/cgroups';
import { supportedNamespaceKinds } from '@execdriver/namespaces';
import { capabilitiesFromMask, detectLsm, readOnlineCpus, type LsmSupport } from '@execdriver/oci';
import { knownCapabilities, type Capability, type CgroupMode, type Features } from '@execdriver/spec';
import { DriverError } from './errors.js';
import type { Runc } from './runc.js';

/** What the driver learns about the host once, at creation. */
export interface HostFacts {
  /** runc's own version string, e.g. `1.1.5+ds1`. */
  runcVersion: string;
  /** `runc features`, when this runc has it: what the runtime supports (namespaces, capabilities, seccomp). */
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

export async function readHostFacts(runc: Runc, roots: HostRoots): Promise<HostFacts> {
  const { version, features } = await runcInfo(runc, roots.stateRoot);
  const boundingMask = /^CapBnd:\s*([0-9a-f]+)$/m.exec(await readFile(join(roots.procRoot, 'self/status'), 'utf8'))?.[1];
  const cgroupMode = detectCgroupMode(roots.cgroupRoot);
  return {
    runcVersion: version,
    features,
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
 * runc's version and `runc features`, asked once per runc binary and remembered in the state
 * root (keyed by the binary's path, size and mtime): a CLI creates a driver per invocation and
 * each runc call costs a process start.
 */
export async function runcInfo(runc: Runc, stateRoot: string): Promise<{ version: string; features: Features | undefined }> {
  const binary = findExecutable(runc.options.command);
  if (binary === undefined) {
    throw new DriverError('RUNC_MISSING', `runc not found (${runc.options.command}): install it with "apt-get install -y runc"`);
  }
  const info = await stat(binary);
  const key = `${binary}:${info.size}:${info.mtimeMs}`;
  const cacheFile = join(stateRoot, 'runc-info.json');
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as { key?: string; version?: string; features?: unknown };
    if (cached.key === key && typeof cached.version === 'string') {
      // Written below from an already parsed `runc features`: not parsed again (zod's first parse of
      // this schema costs ~5 ms of every CLI command's start-up).
      return { version: cached.version, features: typeof cached.features === 'object' && cached.features !== null ? (cached.features as Features) : undefined };
    }
  } catch {
    // no cache yet, or an unreadable one: ask runc again
  }
  let version: string;
  try {
    version = (await runc.version()).runc;
  } catch (error) {
    if (error instanceof DriverError && error.code === 'RUNC_MISSING') throw error;
    throw new DriverError('RUNC_MISSING', `runc (${binary}) does not run: install it with "apt-get install -y runc"`, { cause: error });
  }
  const features = await runc.features();
  // Written aside and renamed: two drivers starting at once never read half a cache.
  const temporary = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, JSON.stringify({ key, version, features }));
  await rename(temporary, cacheFile);
  return { version, features };
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
