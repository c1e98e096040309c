import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerIdPattern } from './ids.js';

/** Docker's health statuses of a container with a check (`none` is a container without one). */
export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe, as Docker's HealthcheckResult: RFC 3339 times with nanoseconds, the exit code (-1: it could not run or timed out), its output. */
export interface HealthcheckResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/**
 * A container's health, in `<stateRoot>/health/<id>.json`: Docker's State.Health plus the run it
 * belongs to (the container's StartedAt), so a probe of an earlier run never lands in a later one.
 */
export interface HealthState {
  run: string | undefined;
  Status: HealthStatus;
  FailingStreak: number;
  /** The last `maxHealthLogEntries` probes, oldest first. */
  Log: HealthcheckResult[];
}

/** Docker's `maxLogEntries` and `maxOutputLen`. */
export const maxHealthLogEntries = 5;
export const maxHealthOutputBytes = 4096;

/** The probe's settings `applyProbeResult` needs. */
export interface ProbeRules {
  retries: number;
  startPeriodMs: number;
  /** When the container's current run started (ms since the epoch). */
  startedAtMs: number;
  /** When this probe started (ms since the epoch). */
  probeStartMs: number;
}

/**
 * Docker's handleProbeResult: the result joins the log (the last 5 kept); exit 0 makes the
 * container healthy and clears the streak; a failure while still `starting` and within the start
 * period does not count; otherwise it adds to the streak, and `retries` in a row make it unhealthy.
 */
export function applyProbeResult(state: HealthState, result: HealthcheckResult, rules: ProbeRules): HealthState {
  const log = [...state.Log, result].slice(-maxHealthLogEntries);
  if (result.ExitCode === 0) return { ...state, Status: 'healthy', FailingStreak: 0, Log: log };
  const inStartPeriod = state.Status === 'starting' && rules.probeStartMs - rules.startedAtMs < rules.startPeriodMs;
  if (inStartPeriod) return { ...state, Log: log };
  const streak = state.FailingStreak + 1;
  return { ...state, FailingStreak: streak, Status: streak >= rules.retries ? 'unhealthy' : state.Status, Log: log };
}

/** Docker's limitedBuffer: the first 4096 bytes of the output, `...` after it when there was more. */
export function limitProbeOutput(output: Buffer): string {
  if (output.length <= maxHealthOutputBytes) return output.toString('utf8');
  return `${output.subarray(0, maxHealthOutputBytes).toString('utf8')}...`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isHealthState(value: unknown): value is HealthState {
  const state = value as Partial<HealthState> | null;
  return (
    typeof state === 'object' &&
    state !== null &&
    (state.Status === 'starting' || state.Status === 'healthy' || state.Status === 'unhealthy') &&
    typeof state.FailingStreak === 'number' &&
    Array.isArray(state.Log)
  );
}

/**
 * The health files of a state root (`<stateRoot>/health`): `<id>.json` written whole through a
 * uniquely named temporary file and a rename (readers never see half of one, and the container
 * record is never touched), and `<id>.lock`, the lease of the one process probing the container
 * (its pid; a lease of a dead process is taken over).
 */
export class HealthStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(id: string): string {
    if (!containerIdPattern.test(id)) throw new Error(`invalid container id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  lockPath(id: string): string {
    return `${this.path(id).slice(0, -'.json'.length)}.lock`;
  }

  /** The container's health, or undefined (never started with a check, or a file that cannot be read). Synchronous: `ps` reads one per container. */
  read(id: string): HealthState | undefined {
    try {
      const value: unknown = JSON.parse(readFileSync(this.path(id), 'utf8'));
      return isHealthState(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  write(id: string, state: HealthState): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.path(id);
    const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
  }

  /** Docker's initHealthMonitor at each start: `starting`, no failing streak, the log of earlier runs kept. */
  reset(id: string, run: string | undefined): HealthState {
    const state: HealthState = { run, Status: 'starting', FailingStreak: 0, Log: this.read(id)?.Log ?? [] };
    this.write(id, state);
    return state;
  }

  /** Docker's CloseMonitorChannel at a pause: the check stops and says `unhealthy` (no event); the first probe after the unpause decides. */
  markPaused(id: string): void {
    const state = this.read(id);
    if (state && state.Status !== 'unhealthy') this.write(id, { ...state, Status: 'unhealthy' });
  }

  remove(id: string): void {
    rmSync(this.path(id), { force: true });
    rmSync(this.lockPath(id), { force: true });
  }

  /**
   * Takes the container's probing lease for this process: true when it holds it (already, or now).
   * One process probes a container at a time, whichever of the daemon and a helper got there first.
   */
  acquire(id: string): boolean {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const lock = this.lockPath(id);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      // Made whole, then linked into place: the lease never exists without its pid in it.
      const temporary = `${lock}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(temporary, String(process.pid), { mode: 0o600 });
        linkSync(temporary, lock);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      } finally {
        rmSync(temporary, { force: true });
      }
      const holder = Number(readFileSafe(lock));
      if (holder === process.pid) return true;
      if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) return false;
      // A lease left by a process that died: taken over.
      rmSync(lock, { force: true });
    }
    return false;
  }

  /** Gives the lease back, if this process holds it. */
  release(id: string): void {
    const lock = this.lockPath(id);
    if (Number(readFileSafe(lock)) === process.pid) rmSync(lock, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
