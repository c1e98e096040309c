import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { CgroupMode } from './cgroup-mode.js';

export type { CgroupMode };

/**
 * Detects the cgroup mode from what is mounted under `cgroupRoot`. It looks at files, not at
 * file system magic numbers, so it also works on a copied tree (tests, a sysfs snapshot):
 * a root holding `cgroup.controllers` is cgroup2; `unified/cgroup.controllers` beside v1
 * hierarchies is hybrid.
 */
export function detectCgroupMode(cgroupRoot = '/sys/fs/cgroup'): CgroupMode {
  if (existsSync(join(cgroupRoot, 'cgroup.controllers'))) return 'unified';
  if (existsSync(join(cgroupRoot, 'unified', 'cgroup.controllers'))) return 'hybrid';
  return 'legacy';
}
