import { closeSync, openSync, readSync } from 'node:fs';
import { CgroupError } from './errors.js';

/**
 * Scratch space shared by all reads. Safe because reads are synchronous: no two run at once.
 * Saves an allocation per file on a path that reads ~20 files per sample.
 */
let scratch = Buffer.allocUnsafe(16_384);

/**
 * Reads a kernel file (cgroupfs, procfs) as text, or `undefined` when it does not exist.
 *
 * Reads synchronously on purpose: a cgroupfs read is a ~10 µs system call, while a promise
 * `readFile` costs about ten times that in thread-pool round trips. Kernel files report a
 * size of 0 or 4096 whatever their content, so this reads until end of file instead of
 * trusting `fstat`.
 */
export function readKernelFile(path: string): string | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch (error) {
    if (isAbsence(error)) return undefined;
    throw new CgroupError('READ_FAILED', `cannot open ${path}: ${(error as Error).message}`, { path, cause: error });
  }
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const count = readSync(descriptor, scratch, length, scratch.length - length, null);
      if (count === 0) break;
      length += count;
    }
    return scratch.toString('utf8', 0, length);
  } catch (error) {
    // A cgroup removed between open and read gives ENODEV; treat it as gone.
    if (isAbsence(error)) return undefined;
    throw new CgroupError('READ_FAILED', `cannot read ${path}: ${(error as Error).message}`, { path, cause: error });
  } finally {
    closeSync(descriptor);
  }
}

function isAbsence(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENODEV';
}
