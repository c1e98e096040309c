import type { HealthConfig } from '@execdriver/engine';
import { usageError } from './errors.js';
import { flagBoolean, flagString, type FlagDefinition, type ParsedArguments } from './flags.js';
import { parseDuration, parseInteger } from './units.js';

/** `run`/`create` flags of the container's health check, as Docker names them. */
export const healthFlagDefinitions: readonly FlagDefinition[] = [
  { name: 'health-cmd', kind: 'string', description: 'Command to run to check health (run by /bin/sh -c in the container)' },
  { name: 'health-interval', kind: 'string', valueName: 'duration', description: 'Time between running the check (ms|s|m|h) (default 30s)' },
  { name: 'health-timeout', kind: 'string', valueName: 'duration', description: 'Maximum time to allow one check to run (ms|s|m|h) (default 30s)' },
  { name: 'health-retries', kind: 'string', valueName: 'int', description: 'Consecutive failures needed to report unhealthy (default 3)' },
  { name: 'health-start-period', kind: 'string', valueName: 'duration', description: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { name: 'health-start-interval', kind: 'string', valueName: 'duration', description: 'Time between running the check during the start period (ms|s|m|h) (default 5s)' },
  { name: 'no-healthcheck', kind: 'boolean', description: 'Disable any container-specified HEALTHCHECK' },
];

function nanoseconds(parsed: ParsedArguments, flag: string): number | undefined {
  const text = flagString(parsed, flag);
  return text === undefined ? undefined : Math.round(parseDuration(`--${flag}`, text) * 1_000_000);
}

/**
 * Docker's HealthConfig of the flags: `--no-healthcheck` is `["NONE"]` (and conflicts with the
 * others), `--health-cmd` is `["CMD-SHELL", cmd]`; undefined when no flag is given (the image's check).
 * The engine checks the values further (at least 1ms, as dockerd).
 */
export function parseHealthFlags(parsed: ParsedArguments): HealthConfig | undefined {
  const command = flagString(parsed, 'health-cmd');
  const interval = nanoseconds(parsed, 'health-interval');
  const timeout = nanoseconds(parsed, 'health-timeout');
  const startPeriod = nanoseconds(parsed, 'health-start-period');
  const startInterval = nanoseconds(parsed, 'health-start-interval');
  const retriesText = flagString(parsed, 'health-retries');
  const retries = retriesText === undefined ? undefined : parseInteger('--health-retries', retriesText);
  if (retries !== undefined && retries < 0) throw usageError(`invalid value ${JSON.stringify(retriesText)} for flag --health-retries: --health-retries cannot be negative`);
  const anySetting = [command || undefined, interval || undefined, timeout || undefined, startPeriod || undefined, startInterval || undefined, retries || undefined].some((value) => value !== undefined);
  if (flagBoolean(parsed, 'no-healthcheck')) {
    if (anySetting) throw usageError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!anySetting) return undefined;
  return {
    ...(command ? { Test: ['CMD-SHELL', command] } : {}),
    ...(interval ? { Interval: interval } : {}),
    ...(timeout ? { Timeout: timeout } : {}),
    ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}),
    ...(retries ? { Retries: retries } : {}),
  };
}
