import { EngineError } from './errors.js';

/** Docker's restart policies (`--restart`): HostConfig.RestartPolicy. */
export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** `on-failure:N`: restarts at most N times (0: no limit). Always 0 for the other policies. */
  maximumRetryCount: number;
}

/** Docker's restart manager: the first delay, its growth, its ceiling, and the uptime that resets it. */
export const restartBackoff = { initialMs: 100, multiplier: 2, maximumMs: 60_000, resetAfterMs: 10_000 } as const;

/**
 * `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`, as Docker's `--restart`.
 * @throws EngineError INVALID_REQUEST naming the value
 */
export function parseRestartPolicy(text: string): RestartPolicy {
  const [name, count, ...rest] = text.split(':');
  if (rest.length > 0) throw new EngineError('INVALID_REQUEST', `invalid restart policy format: ${JSON.stringify(text)}`);
  switch (name) {
    case '':
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (count !== undefined) throw new EngineError('INVALID_REQUEST', `invalid restart policy ${JSON.stringify(text)}: maximum retry count can only be used with 'on-failure'`);
      return { name: name === '' ? 'no' : name, maximumRetryCount: 0 };
    case 'on-failure': {
      if (count === undefined) return { name, maximumRetryCount: 0 };
      if (!/^\d+$/.test(count)) throw new EngineError('INVALID_REQUEST', `invalid restart policy ${JSON.stringify(text)}: maximum retry count must be a non-negative integer, got ${JSON.stringify(count)}`);
      return { name, maximumRetryCount: Number(count) };
    }
    default:
      throw new EngineError('INVALID_REQUEST', `invalid restart policy ${JSON.stringify(text)}: expected no, always, unless-stopped or on-failure[:max-retries]`);
  }
}

/** Docker's text for a policy (`on-failure:3`). */
export function formatRestartPolicy(policy: RestartPolicy): string {
  return policy.name === 'on-failure' && policy.maximumRetryCount > 0 ? `${policy.name}:${policy.maximumRetryCount}` : policy.name;
}

/**
 * Whether a container that just exited restarts (Docker's restartmanager.ShouldRestart, the
 * decision part): `always` restarts, `unless-stopped` unless the user stopped it, `on-failure`
 * after a non-zero exit while fewer than `maximumRetryCount` restarts were made.
 */
export function shouldRestart(policy: RestartPolicy | undefined, state: { exitCode: number; restartCount: number; manuallyStopped: boolean }): boolean {
  if (!policy || state.manuallyStopped) return false;
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return state.exitCode !== 0 && (policy.maximumRetryCount === 0 || state.restartCount < policy.maximumRetryCount);
    default:
      return false;
  }
}

/** The next delay before a restart: 100 ms, doubling up to a minute, back to 100 ms after 10 s up. */
export function nextRestartDelay(previousMs: number, uptimeMs: number): number {
  if (previousMs === 0 || uptimeMs >= restartBackoff.resetAfterMs) return restartBackoff.initialMs;
  return Math.min(previousMs * restartBackoff.multiplier, restartBackoff.maximumMs);
}
