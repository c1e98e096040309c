import { EngineError } from './errors.js';

/**
 * Docker's Config.Healthcheck (HealthConfig), field names as the Engine API spells them; durations
 * in nanoseconds, 0 (or absent) meaning "inherit" (the image's, then the default).
 * `Test`: `[]` inherit, `["NONE"]` no check, `["CMD", arg...]`, `["CMD-SHELL", command]`.
 */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** What a probe loop runs with: the defaults applied, in milliseconds. */
export interface ProbeSettings {
  /** The probe's argv in the container (CMD-SHELL: `/bin/sh -c command`). */
  args: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
  /** The configured timeout as Go prints it (`30s`, `1.5s`), for the timeout message. */
  timeoutText: string;
}

/** Docker's defaults (daemon/health.go): 30 s interval and timeout, 3 retries, no start period, 5 s between checks during it. */
export const healthDefaults = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 } as const;

/** Docker's `containertypes.MinimumDuration`: a set duration is at least 1 ms. */
const minimumNanoseconds = 1_000_000;

const durationFields = ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const;

/**
 * Checks a HealthConfig from a client (API body, CLI flags) as dockerd does, and keeps only its
 * set fields (zeros dropped: they mean inherit).
 * @throws EngineError INVALID_REQUEST naming the field and value (`Interval in Healthcheck cannot be less than 1ms`)
 */
export function checkHealthConfig(value: unknown): HealthConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineError('INVALID_REQUEST', `invalid Healthcheck ${JSON.stringify(value)}: expected an object`);
  const input = value as Record<string, unknown>;
  const config: HealthConfig = {};
  if (input.Test !== undefined && input.Test !== null) {
    if (!Array.isArray(input.Test) || !input.Test.every((part) => typeof part === 'string')) throw new EngineError('INVALID_REQUEST', `invalid Healthcheck.Test ${JSON.stringify(input.Test)}: expected a list of strings`);
    const test = input.Test as string[];
    if (test.length > 0) {
      const kind = test[0];
      if (kind !== 'NONE' && kind !== 'CMD' && kind !== 'CMD-SHELL') throw new EngineError('INVALID_REQUEST', `invalid Healthcheck.Test ${JSON.stringify(test)}: the first element must be NONE, CMD or CMD-SHELL`);
      if (kind !== 'NONE' && test.length < 2) throw new EngineError('INVALID_REQUEST', `invalid Healthcheck.Test ${JSON.stringify(test)}: ${kind} needs a command`);
      config.Test = [...test];
    }
  }
  for (const field of durationFields) {
    const duration = input[field];
    if (duration === undefined || duration === null || duration === 0) continue;
    if (typeof duration !== 'number' || !Number.isSafeInteger(duration)) throw new EngineError('INVALID_REQUEST', `invalid Healthcheck.${field} ${JSON.stringify(duration)}: expected nanoseconds (an integer)`);
    if (duration < minimumNanoseconds) throw new EngineError('INVALID_REQUEST', `${field} in Healthcheck cannot be less than 1ms (got ${duration} ns)`);
    config[field] = duration;
  }
  const retries = input.Retries;
  if (retries !== undefined && retries !== null && retries !== 0) {
    if (typeof retries !== 'number' || !Number.isSafeInteger(retries)) throw new EngineError('INVALID_REQUEST', `invalid Healthcheck.Retries ${JSON.stringify(retries)}: expected an integer`);
    if (retries < 0) throw new EngineError('INVALID_REQUEST', `Retries in Healthcheck cannot be negative (got ${retries})`);
    config.Retries = retries;
  }
  return config;
}

/** An image's Healthcheck, leniently (an image is not a client: what cannot be read is no check). */
export function imageHealthConfig(imageConfig: Record<string, unknown> | undefined): HealthConfig | undefined {
  const value = imageConfig?.Healthcheck;
  if (value === undefined || value === null) return undefined;
  try {
    return checkHealthConfig(value);
  } catch {
    return undefined;
  }
}

/** Docker's merge of the container's Healthcheck over the image's: each unset field of the container's takes the image's. */
export function mergeHealthConfig(container: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (!container) return image ? { ...image } : undefined;
  if (!image) return { ...container };
  const merged: HealthConfig = { ...container };
  if (!merged.Test || merged.Test.length === 0) {
    if (image.Test) merged.Test = [...image.Test];
  }
  for (const field of durationFields) if (merged[field] === undefined && image[field] !== undefined) merged[field] = image[field];
  if (merged.Retries === undefined && image.Retries !== undefined) merged.Retries = image.Retries;
  return merged;
}

/** Go's `time.Duration.String()` of nanoseconds: `30s`, `1.5s`, `500ms`, `1m30s`, `2h0m0s`. */
export function goDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  if (nanoseconds < 1000) return `${nanoseconds}ns`;
  if (nanoseconds < 1_000_000) return `${trimFraction(nanoseconds / 1000)}µs`;
  if (nanoseconds < 1_000_000_000) return `${trimFraction(nanoseconds / 1_000_000)}ms`;
  const totalSeconds = nanoseconds / 1_000_000_000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = trimFraction(totalSeconds - hours * 3600 - minutes * 60);
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

function trimFraction(value: number): string {
  return String(Number(value.toFixed(9)));
}

/**
 * What a probe loop runs, or undefined for no probe (no Healthcheck, `NONE`, an empty Test).
 * `shell`: the container's shell for CMD-SHELL (Docker's Config.Shell, default `/bin/sh -c`).
 */
export function probeSettings(config: HealthConfig | undefined, shell: readonly string[] = ['/bin/sh', '-c']): ProbeSettings | undefined {
  const test = config?.Test;
  if (!test || test.length < 2) return undefined;
  const [kind, ...rest] = test;
  let args: string[];
  if (kind === 'CMD') args = rest;
  else if (kind === 'CMD-SHELL') args = [...shell, rest.join(' ')];
  else return undefined;
  const ms = (nanoseconds: number | undefined, fallback: number) => (nanoseconds === undefined || nanoseconds <= 0 ? fallback : nanoseconds / 1_000_000);
  const timeoutMs = ms(config.Timeout, healthDefaults.timeoutMs);
  return {
    args,
    intervalMs: ms(config.Interval, healthDefaults.intervalMs),
    timeoutMs,
    startPeriodMs: ms(config.StartPeriod, healthDefaults.startPeriodMs),
    startIntervalMs: ms(config.StartInterval, healthDefaults.startIntervalMs),
    retries: config.Retries !== undefined && config.Retries > 0 ? config.Retries : healthDefaults.retries,
    timeoutText: goDuration(Math.round(timeoutMs * 1_000_000)),
  };
}
