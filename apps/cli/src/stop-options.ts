import type { FlagDefinition, ParsedArguments } from './flags.js';
import { flagString } from './flags.js';
import { parseDuration } from './units.js';

/** `-t/--time/--timeout` and `-s/--signal` of stop and restart; undefined: the container's own (`--stop-timeout`, `--stop-signal`). */
export function stopOptions(parsed: ParsedArguments): { timeoutMs?: number; signal?: string } {
  const timeText = flagString(parsed, 'timeout') ?? flagString(parsed, 'time');
  const signal = flagString(parsed, 'signal');
  let timeoutMs: number | undefined;
  if (timeText !== undefined) timeoutMs = /^-\d+$/.test(timeText.trim()) ? -1 : parseDuration('--timeout', timeText);
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(signal !== undefined ? { signal } : {}) };
}

export const stopFlags = [
  { name: 'timeout', short: 't', kind: 'string', valueName: 'seconds', description: "Seconds to wait before killing the container (default: the container's --stop-timeout, else 10)" },
  { name: 'time', kind: 'string', valueName: 'seconds', description: 'Deprecated: use --timeout' },
  { name: 'signal', short: 's', kind: 'string', description: "Signal to send to the container (default: the container's --stop-signal, else TERM)" },
] as const satisfies readonly FlagDefinition[];

