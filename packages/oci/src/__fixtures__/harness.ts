// Test-only helpers shared by the unit and real-container tests (not part of the build).
import { rmdirSync, readdirSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand, parseRuntimeSpec, type Command, type CommandInput } from '@execdriver/spec';
import { createRuncRoot, officialValidator, runBundle, temporaryBusyboxRootfs, uniqueId, type RunResult } from '@execdriver/testkit';
import { expect } from 'vitest';
import type { RuntimeSpec } from '../oci-types.js';

/** Every cgroup of this package's real tests lives under this parent, removed in afterAll. */
export const testCgroupParent = '/execdriver-test-oci';

/** A Command with test defaults (rootfs, id, cgroupParent) under `input`. */
export function testCommand(input: Partial<CommandInput> & { rootfs?: string }): Command {
  return parseCommand({
    id: uniqueId('oci'),
    rootfs: '/var/empty-rootfs',
    cgroupParent: testCgroupParent,
    process: { args: ['true'] },
    ...input,
  });
}

const v102 = officialValidator('v1.0.2');
const v121 = officialValidator('v1.2.1');

/**
 * Asserts a generated config is valid under both official schemas and under @execdriver/spec's
 * parseRuntimeSpec.
 */
export function expectValidSpec(spec: RuntimeSpec): void {
  const old = v102(spec);
  expect(old.errors, 'runtime-spec v1.0.2 schema').toEqual([]);
  expect(old.valid).toBe(true);
  const current = v121(spec);
  expect(current.errors, 'runtime-spec v1.2.1 schema').toEqual([]);
  expect(current.valid).toBe(true);
  expect(() => parseRuntimeSpec(spec)).not.toThrow();
}

/**
 * Removes `<cgroupRoot>/<hierarchy><parent>` in every hierarchy (children first), then the shared
 * `execdriver-test-oci` parent where no other test file still uses it. Returns what could not be removed
 * under `parent`.
 */
export function removeTestCgroups(parent: string = testCgroupParent, cgroupRoot = '/sys/fs/cgroup'): string[] {
  const failed: string[] = [];
  const removeTree = (dir: string, report: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeTree(join(dir, entry.name), report);
    try {
      rmdirSync(dir);
    } catch {
      if (report) failed.push(dir);
    }
  };
  if (!existsSync(cgroupRoot)) return failed;
  for (const hierarchy of readdirSync(cgroupRoot)) {
    const dir = join(cgroupRoot, hierarchy, parent);
    if (existsSync(dir)) removeTree(dir, true);
    const shared = join(cgroupRoot, hierarchy, testCgroupParent);
    if (parent !== testCgroupParent && existsSync(shared)) {
      try {
        rmdirSync(shared);
      } catch {
        // Another test file of this package still has containers there; it removes the parent itself.
      }
    }
  }
  return failed;
}

/** One real-container test file's resources: a busybox rootfs, a private runc root, a bundles dir. */
export async function createContainerLab(tag: string): Promise<{
  rootfs: string;
  runcRoot: string;
  /** `/execdriver-test-oci/<tag>`: this file's own cgroup parent, so parallel test files do not collide. */
  cgroupParent: string;
  /** A directory for bundles and other scratch files, removed with the lab. */
  scratch: string;
  /** testCommand with this lab's rootfs and cgroup parent. */
  command: (input: Partial<CommandInput>) => Command;
  run: (spec: RuntimeSpec, id: string) => Promise<RunResult>;
  cleanup: () => Promise<void>;
}> {
  const rootfs = await temporaryBusyboxRootfs();
  const runc = await createRuncRoot();
  const bundles = await mkdtemp(join(tmpdir(), 'execdriver-oci-bundles-'));
  const cgroupParent = `${testCgroupParent}/${tag}-${process.pid}`;
  return {
    rootfs: rootfs.rootfs,
    runcRoot: runc.root,
    cgroupParent,
    scratch: bundles,
    command: (input) => testCommand({ rootfs: rootfs.rootfs, cgroupParent, ...input }),
    run: async (spec, id) => {
      expectValidSpec(spec);
      return runBundle({ runcRoot: runc.root, bundle: join(bundles, id), id, config: spec });
    },
    cleanup: async () => {
      const leftContainers = await runc.cleanup();
      await rm(bundles, { recursive: true, force: true });
      await rootfs.remove();
      const left = removeTestCgroups(cgroupParent);
      if (left.length > 0) throw new Error(`cgroups left behind: ${left.join(', ')}`);
      if (leftContainers.length > 0) throw new Error(`containers left behind: ${leftContainers.join(', ')}`);
    },
  };
}

/** `KEY: value` lines of /proc/self/status. */
export function statusField(status: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim();
}

/** Splits a container's output into sections printed as `== name ==` headers. */
export function sections(output: string): Record<string, string> {
  const result: Record<string, string> = {};
  let current = '';
  for (const line of output.split('\n')) {
    const header = /^== (.+) ==$/.exec(line);
    if (header) {
      current = header[1]!;
      result[current] = '';
    } else if (current) {
      result[current] += `${line}\n`;
    }
  }
  for (const key of Object.keys(result)) result[key] = result[key]!.trim();
  return result;
}

/** A shell script printing each command's output under `== name ==`. */
export function script(parts: Record<string, string>): string[] {
  return ['sh', '-c', Object.entries(parts).map(([name, body]) => `echo '== ${name} =='; ${body}`).join('\n')];
}
