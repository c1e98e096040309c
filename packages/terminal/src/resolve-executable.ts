import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Finds `file` the way execvp(3) would: as a path when it contains a slash, else in each
 * directory of `searchPath`. Returns the path found, or undefined. Used to report a missing
 * program as an error instead of the "execvp(3) failed" text node-pty writes into the terminal.
 */
export function resolveExecutable(file: string, searchPath: string | undefined, cwd: string): string | undefined {
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    return isExecutableFile(path) ? path : undefined;
  }
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(resolve(cwd, dir), file);
    if (isExecutableFile(path)) return path;
  }
  return undefined;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    // Not there or not executable: the caller reports the program as not found.
    return false;
  }
}
