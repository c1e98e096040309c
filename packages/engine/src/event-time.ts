import { EngineError } from './errors.js';

/** Nanoseconds since the epoch, from the wall clock at start-up plus the monotonic clock (so finer than Date's milliseconds). */
const epochOffsetNanoseconds = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Now, in nanoseconds since the Unix epoch. */
export function nowNanoseconds(): bigint {
  return epochOffsetNanoseconds + process.hrtime.bigint();
}

function pad(value: number | bigint, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * Go's RFC3339Nano with a fixed 9-digit fraction (Docker's `jsonmessage.RFC3339NanoFixed`):
 * `2024-01-01T00:00:00.000000000Z`, in UTC, or at `offsetMinutes` east of UTC.
 */
export function formatTimestamp(nanoseconds: bigint, options: { offsetMinutes?: number } = {}): string {
  const offset = options.offsetMinutes ?? 0;
  const shifted = nanoseconds + BigInt(offset) * 60_000_000_000n;
  const milliseconds = shifted / 1_000_000n;
  const date = new Date(Number(milliseconds));
  const fraction = ((shifted % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const base = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${pad(fraction, 9)}`;
  if (offset === 0) return `${base}Z`;
  const sign = offset > 0 ? '+' : '-';
  const absolute = Math.abs(offset);
  return `${base}${sign}${pad(Math.floor(absolute / 60), 2)}:${pad(absolute % 60, 2)}`;
}

/** Docker's log timestamps: RFC3339Nano in UTC with trailing zeros of the fraction dropped (Go's `time.RFC3339Nano`). */
export function formatRfc3339Nano(nanoseconds: bigint): string {
  const fixed = formatTimestamp(nanoseconds);
  return fixed.replace(/\.?0+Z$/, 'Z');
}

/** Parses an RFC3339 time with any fraction (`2024-01-01T00:00:00.123456789Z`, `+02:00`) to nanoseconds; undefined if it is not one. */
export function parseRfc3339(text: string): bigint | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/i.exec(text.trim());
  if (!match) return undefined;
  const [, day, clock, fraction, zone] = match;
  // Docker: without a zone, the client's local time zone.
  const milliseconds = Date.parse(`${day}T${clock ?? '00:00:00'}${clock && clock.length === 5 ? ':00' : ''}${zone ? zone.toUpperCase() : ''}`);
  if (Number.isNaN(milliseconds)) return undefined;
  return BigInt(milliseconds) * 1_000_000n + BigInt((fraction ?? '').padEnd(9, '0') || '0');
}

const durationUnits: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/**
 * Docker's `--since`/`--until` values (`timetypes.GetTimestamp`): a Go duration before now
 * (`10m`, `1h30m`), Unix seconds with an optional fraction (`1700000000.5`), or an RFC3339 date
 * (`2024-01-01`, `2024-01-01T10:00:00`, `...Z`, `...+02:00`; local time without a zone).
 * @throws EngineError INVALID_REQUEST naming the value
 */
export function parseTimestamp(text: string, now: bigint = nowNanoseconds()): bigint {
  const trimmed = text.trim();
  if (/^\d+(\.\d{1,9})?$/.test(trimmed)) {
    const [seconds, fraction = ''] = trimmed.split('.');
    return BigInt(seconds!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  }
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g)];
  if (parts.length > 0 && parts.map((part) => part[0]).join('') === trimmed) {
    let total = 0n;
    for (const part of parts) {
      const [whole, fraction = ''] = part[1]!.split('.');
      const unit = durationUnits[part[2]!]!;
      total += BigInt(whole!) * unit + (BigInt(fraction.slice(0, 9).padEnd(9, '0') || '0') * unit) / 1_000_000_000n;
    }
    return now - total;
  }
  const parsed = parseRfc3339(trimmed);
  if (parsed === undefined) throw new EngineError('INVALID_REQUEST', `invalid time ${JSON.stringify(text)}: expected a Unix timestamp, an RFC3339 date or a duration like 10m`);
  return parsed;
}
