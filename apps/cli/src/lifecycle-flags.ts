import { readFile } from 'node:fs/promises';
import { normalizeSignal } from '@execdriver/driver';
import { EngineError, parseRestartPolicy, type CreateRequest } from '@execdriver/engine';
import { usageError } from './errors.js';
import { flagBoolean, flagList, flagString, type FlagDefinition, type ParsedArguments } from './flags.js';
import { parseInteger } from './units.js';

/** `run`/`create` flags of a container's life: restart policy, stop settings, init, labels, cidfile, attach, runtime. */
export const lifecycleFlagDefinitions: readonly FlagDefinition[] = [
  { name: 'restart', kind: 'string', description: 'Restart policy to apply when a container exits: no (default), on-failure[:max-retries], always, unless-stopped' },
  { name: 'stop-signal', kind: 'string', description: 'Signal to stop the container (default TERM)' },
  { name: 'stop-timeout', kind: 'string', valueName: 'int', description: 'Timeout (in seconds) to stop a container (default 10, -1: no timeout)' },
  { name: 'init', kind: 'boolean', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { name: 'label', short: 'l', kind: 'list', description: 'Set meta data on a container (key=value)' },
  { name: 'label-file', kind: 'list', description: 'Read in a line delimited file of labels' },
  { name: 'cidfile', kind: 'string', description: 'Write the container ID to the file' },
  { name: 'attach', short: 'a', kind: 'list', description: 'Attach to STDIN, STDOUT or STDERR' },
  { name: 'runtime', kind: 'string', description: 'OCI runtime for this container: runc, crun, youki or a path (default crun on pure cgroup v2 where installed, else runc)' },
];

export interface LifecycleOptions {
  restart: string | undefined;
  stopSignal: string | undefined;
  stopTimeout: number | undefined;
  init: boolean;
  labels: string[];
  labelFiles: string[];
  cidfile: string | undefined;
  /** `-a`: the streams to attach, lower case; empty: all of them (Docker's default). */
  attach: ('stdin' | 'stdout' | 'stderr')[];
  /** `--runtime`: a name on PATH or a path; checked by the driver when the container is created. */
  runtime: string | undefined;
}

/** The flags above, checked (pure: files are read by `lifecycleRequest`). */
export function parseLifecycleFlags(parsed: ParsedArguments): LifecycleOptions {
  const stopSignal = flagString(parsed, 'stop-signal');
  if (stopSignal !== undefined) {
    try {
      normalizeSignal(stopSignal);
    } catch {
      throw usageError(`invalid value ${JSON.stringify(stopSignal)} for flag --stop-signal: invalid signal`);
    }
  }
  const stopTimeoutText = flagString(parsed, 'stop-timeout');
  const attach = flagList(parsed, 'attach').map((stream) => {
    const lower = stream.toLowerCase();
    if (lower !== 'stdin' && lower !== 'stdout' && lower !== 'stderr') throw usageError(`invalid value ${JSON.stringify(stream)} for flag --attach: valid streams are STDIN, STDOUT and STDERR`);
    return lower;
  });
  const restart = flagString(parsed, 'restart');
  if (restart !== undefined) checkRestart(restart);
  const runtime = flagString(parsed, 'runtime');
  if (runtime !== undefined && runtime.trim() === '') throw usageError('invalid value "" for flag --runtime: give runc, crun, youki or the path of an OCI runtime');
  return {
    restart,
    stopSignal,
    stopTimeout: stopTimeoutText === undefined ? undefined : parseInteger('--stop-timeout', stopTimeoutText, { min: -1 }),
    init: flagBoolean(parsed, 'init'),
    labels: flagList(parsed, 'label'),
    labelFiles: flagList(parsed, 'label-file'),
    cidfile: flagString(parsed, 'cidfile'),
    attach,
    runtime,
  };
}

function checkRestart(text: string): void {
  try {
    parseRestartPolicy(text);
  } catch (error) {
    if (error instanceof EngineError) throw usageError(`invalid value ${JSON.stringify(text)} for flag --restart: ${error.message}`);
    throw error;
  }
}

function labelEntry(text: string, source: string): [string, string] {
  const equals = text.indexOf('=');
  const key = equals === -1 ? text : text.slice(0, equals);
  if (key.trim() === '') throw usageError(`invalid label ${JSON.stringify(text)} in ${source}: empty key`);
  return [key, equals === -1 ? '' : text.slice(equals + 1)];
}

/** What the flags add to a create request: labels (files first, then `-l`, as Docker), restart policy, stop settings, init, runtime. */
export async function lifecycleRequest(options: LifecycleOptions): Promise<Pick<CreateRequest, 'labels' | 'restartPolicy' | 'stopSignal' | 'stopTimeout' | 'init' | 'runtime'>> {
  const labels: Record<string, string> = {};
  for (const file of options.labelFiles) {
    const text = await readFile(file, 'utf8').catch((error: Error) => {
      throw usageError(`invalid value ${JSON.stringify(file)} for flag --label-file: ${error.message}`);
    });
    for (const line of text.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const [key, value] = labelEntry(trimmed, `--label-file ${file}`);
      labels[key] = value;
    }
  }
  for (const label of options.labels) {
    const [key, value] = labelEntry(label, '--label');
    labels[key] = value;
  }
  return {
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(options.restart !== undefined ? { restartPolicy: parseRestartPolicy(options.restart) } : {}),
    ...(options.stopSignal !== undefined ? { stopSignal: options.stopSignal } : {}),
    ...(options.stopTimeout !== undefined ? { stopTimeout: options.stopTimeout } : {}),
    ...(options.init ? { init: true } : {}),
    ...(options.runtime !== undefined ? { runtime: options.runtime } : {}),
  };
}
