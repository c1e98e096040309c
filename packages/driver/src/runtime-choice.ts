import { basename } from 'node:path';
import type { CgroupMode } from '@execdriver/spec';

/** The OCI runtimes the driver knows by name: each takes runc's command line. */
export const knownRuntimeNames = ['runc', 'crun', 'youki'] as const;
export type KnownRuntimeName = (typeof knownRuntimeNames)[number];

/** What `<runtime> --version` says: `runc version 1.1.5`, `crun version 1.8.1`, `youki version 0.3.0`. */
export interface RuntimeVersion {
  /** runc, crun or youki when the output names one; else the binary's base name. */
  name: string;
  version: string;
  spec: string | undefined;
  commit: string | undefined;
}

/** Parses `--version` output of runc, crun or youki; `fallbackName` (the binary's name) when it names none. */
export function parseRuntimeVersion(output: string, fallbackName: string): RuntimeVersion {
  const named = /^(runc|crun|youki)\s+version\s+(\S+)/im.exec(output);
  const firstLine = output.split('\n').find((line) => line.trim() !== '')?.trim();
  return {
    name: named?.[1]?.toLowerCase() ?? fallbackName,
    version: named?.[2] ?? /version\s+(\S+)/i.exec(output)?.[1] ?? firstLine ?? 'unknown',
    spec: /^spec(?:[ -]version)?:\s*(\S+)/im.exec(output)?.[1],
    commit: /^commit:\s*(\S+)/im.exec(output)?.[1],
  };
}

/** A runtime's name as a safe path segment (its state root's directory under the driver's state root). */
export function runtimeDirectoryName(name: string): string {
  const cleaned = basename(name).replace(/[^A-Za-z0-9_.-]/g, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'runtime' : cleaned;
}

/**
 * Why this runtime cannot run containers on a host with these cgroups, or undefined when it can.
 * crun (1.x) refuses hybrid hosts (cgroup v1 controllers beside a cgroup2 hierarchy).
 */
export function runtimeHostProblem(name: string, cgroupMode: CgroupMode): string | undefined {
  if (name === 'crun' && cgroupMode === 'hybrid') return 'crun does not support hybrid cgroups (cgroup v1 controllers beside cgroup v2) and this host has them; use runc';
  return undefined;
}

/**
 * The default runtime, as podman chooses: crun where it is installed and the host's cgroups allow
 * it (pure cgroup v2, where it starts containers about twice as fast as runc), runc otherwise.
 * `find` looks a command up on PATH (a path, or undefined).
 */
export function chooseDefaultRuntime(host: { cgroupMode: CgroupMode; find: (command: string) => string | undefined }): KnownRuntimeName {
  if (host.cgroupMode === 'unified' && host.find('crun') !== undefined) return 'crun';
  return 'runc';
}

/** Whether the runtime's `run` has `--keep` (keep the stopped container and its cgroup): runc's does; crun 1.x deletes both on exit. */
export function runtimeKeepsStopped(name: string): boolean {
  return name === 'runc';
}
