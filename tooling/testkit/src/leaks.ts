import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Finds what tests may have left behind: cgroup directories whose name contains `marker`
 * under any hierarchy of `cgroupRoot` (searched `depth` levels deep), and mounts whose
 * source or target contains `marker`.
 */
export function findLeftovers(marker: string, options: { cgroupRoot?: string; depth?: number } = {}): string[] {
  const cgroupRoot = options.cgroupRoot ?? '/sys/fs/cgroup';
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name.includes(marker)) found.push(path);
      else if (depth > 0) walk(path, depth - 1);
    }
  };
  if (existsSync(cgroupRoot)) walk(cgroupRoot, options.depth ?? 3);
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    if (line.includes(marker)) found.push(`mount: ${line}`);
  }
  return found;
}

/**
 * Removes the (empty) cgroup directories whose name contains `marker`, deepest first, under every
 * hierarchy of `cgroupRoot`. Returns the ones that could not be removed (still holding processes
 * or child cgroups), so a test can assert that nothing was left inside.
 */
export function removeCgroupDirs(marker: string, options: { cgroupRoot?: string; depth?: number } = {}): string[] {
  const dirs = findLeftovers(marker, options).filter((entry) => !entry.startsWith('mount: '));
  const failed: string[] = [];
  const removeTree = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      rmdirSync(dir);
    } catch {
      failed.push(dir);
    }
  };
  for (const dir of dirs) removeTree(dir);
  return failed;
}
