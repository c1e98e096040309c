import { join } from 'node:path';
import type { CgroupMode } from './cgroup-mode.js';
import { CgroupError } from './errors.js';
import { detectCgroupMode } from './mode.js';
import { readKernelFile } from './read-file.js';

/** The freezer of a cgroup: `frozen` (paused), `freezing` (on its way), or `thawed`. */
export type FreezerState = 'frozen' | 'freezing' | 'thawed';

export interface ReadFreezerStateOptions {
  /** Where the cgroup hierarchies are mounted (default `/sys/fs/cgroup`). */
  cgroupRoot?: string;
  /** The cgroup mode, when the caller knows it already (detected otherwise). */
  mode?: CgroupMode;
}

/**
 * Reads the freezer state of the cgroup at `cgroupsPath` (absolute within the hierarchies, as in
 * /proc/<pid>/cgroup). v1: `<root>/freezer/<path>/freezer.state` (`FROZEN`, `FREEZING`,
 * `THAWED`). v2: `cgroup.freeze` says what was asked and `cgroup.events`' `frozen` whether the
 * kernel got there; asked but not there is `freezing`. Undefined when the cgroup or its freezer
 * does not exist.
 */
export function readFreezerState(cgroupsPath: string, options: ReadFreezerStateOptions = {}): FreezerState | undefined {
  if (cgroupsPath.split('/').includes('..')) {
    throw new CgroupError('INVALID_PATH', `cgroup path ${JSON.stringify(cgroupsPath)} has a ".." segment: it must stay inside the cgroup root`, { path: cgroupsPath });
  }
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const mode = options.mode ?? detectCgroupMode(cgroupRoot);
  if (mode === 'unified') {
    const directory = join(cgroupRoot, cgroupsPath);
    const freeze = readKernelFile(join(directory, 'cgroup.freeze'))?.trim();
    if (freeze === undefined) return undefined;
    if (freeze === '0') return 'thawed';
    const frozen = /^frozen (\d)$/m.exec(readKernelFile(join(directory, 'cgroup.events')) ?? '')?.[1];
    return frozen === '1' ? 'frozen' : 'freezing';
  }
  const path = join(cgroupRoot, 'freezer', cgroupsPath, 'freezer.state');
  const state = readKernelFile(path)?.trim();
  if (state === undefined) return undefined;
  if (state === 'FROZEN') return 'frozen';
  if (state === 'FREEZING') return 'freezing';
  if (state === 'THAWED') return 'thawed';
  throw new CgroupError('INVALID_FORMAT', `${path}: unknown freezer state ${JSON.stringify(state)}`, { path });
}
