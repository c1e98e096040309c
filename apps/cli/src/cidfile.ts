import { stat, writeFile } from 'node:fs/promises';
import { usageError } from './errors.js';
import type { RunCliOptions } from './run-flags.js';

/** Docker refuses a `--cidfile` that exists (another container may own it). */
export async function checkCidfile(path: string | undefined): Promise<void> {
  if (path === undefined) return;
  if (await stat(path).then(() => true, () => false)) throw usageError(`Container ID file found, make sure the other container isn't running or delete ${path}`);
}

/** Writes the full id to `--cidfile` (created exclusively: a file that appeared meanwhile is refused). */
export async function writeCidfile(path: string | undefined, id: string): Promise<void> {
  if (path === undefined) return;
  await writeFile(path, id, { flag: 'wx', mode: 0o644 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw usageError(`Container ID file found, make sure the other container isn't running or delete ${path}`);
    throw usageError(`invalid value ${JSON.stringify(path)} for flag --cidfile: ${error.message}`);
  });
}

/** Docker's `-a` rules: not with `-d`. */
export function checkAttachFlags(options: Pick<RunCliOptions, 'detach' | 'lifecycle'>): void {
  if (options.detach && options.lifecycle.attach.length > 0) throw usageError('Conflicting options: -a and -d');
}
