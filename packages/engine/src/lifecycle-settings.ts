import { stat } from 'node:fs/promises';
import { normalizeSignal } from '@execdriver/driver';
import type { CommandInput } from '@execdriver/spec';
import { EngineError } from './errors.js';
import type { ContainerRecord } from './record.js';

/** Debian's static tini (package `tini`): a real init for `--init`. */
export const defaultInitPath = '/usr/bin/tini-static';

/** Where Docker puts the init in the container. */
export const initDestination = '/sbin/docker-init';

/**
 * `--init`: the static init bind-mounted read-only at /sbin/docker-init and put in front of the
 * process (`/sbin/docker-init -- CMD...`), so PID 1 forwards signals and reaps zombies.
 * @throws EngineError INVALID_REQUEST naming the missing init binary
 */
export async function applyInit(input: CommandInput, initPath: string): Promise<void> {
  const info = await stat(initPath).catch(() => undefined);
  if (!info?.isFile()) throw new EngineError('INVALID_REQUEST', `--init: the init binary ${initPath} is missing (install Debian's tini, or set the engine's initPath)`);
  input.mounts = [...(input.mounts ?? []), { type: 'bind', source: initPath, destination: initDestination, readonly: true, recursive: false }];
  input.process.args = [initDestination, '--', ...input.process.args];
}

function signalName(signal: string | number): string | undefined {
  try {
    return normalizeSignal(typeof signal === 'string' && /^\d+$/.test(signal) ? Number(signal) : signal).name;
  } catch {
    return undefined;
  }
}

/**
 * Whether a user's `kill -s SIGNAL` ends the container's restart policy (Docker marks it manually
 * stopped): KILL, TERM, or its own stop signal. Other signals (HUP to reload) leave the policy on.
 */
export function endsRestartPolicy(signal: string | number, record: Pick<ContainerRecord, 'stopSignal'>): boolean {
  const name = signalName(signal);
  if (name === undefined) return false;
  return name === signalName('KILL') || name === signalName('TERM') || (record.stopSignal !== undefined && name === signalName(record.stopSignal));
}
