import { usageError } from './errors.js';

const binaryUnits: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * A size as Docker's `RAMInBytes` reads it: a number with an optional binary unit
 * (`b`, `k`, `m`, `g`, `t`, `p`, case-insensitive, an optional trailing `b` or `ib`): `64m`, `1g`, `512KiB`, `1048576`.
 */
export function parseSize(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmgtp])?(i?b)?$/i.exec(text.trim());
  if (!match || (match[2] === undefined && match[3] !== undefined && match[3].toLowerCase() !== 'b')) {
    throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected a size like 64m or 1g`);
  }
  const unit = binaryUnits[(match[2] ?? 'b').toLowerCase()]!;
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: too large`);
  return bytes;
}

/** A size, or -1 for unlimited (`--memory-swap -1`). */
export function parseSizeOrUnlimited(flag: string, text: string): number {
  return text.trim() === '-1' ? -1 : parseSize(flag, text);
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration in milliseconds: Go's `10s`, `1m30s`, `250ms`, or a plain number of seconds (`10`). */
export function parseDuration(flag: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed) {
    throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected a duration like 10s or 1m30s`);
  }
  return parts.reduce((total, part) => total + Number(part[1]) * durationUnits[part[2]!]!, 0);
}

export function parseInteger(flag: string, text: string, options: { min?: number; max?: number } = {}): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected an integer`);
  const value = Number(text.trim());
  if (options.min !== undefined && value < options.min) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: must be at least ${options.min}`);
  if (options.max !== undefined && value > options.max) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: must be at most ${options.max}`);
  return value;
}

export function parseDecimal(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text.trim())) throw usageError(`invalid value ${JSON.stringify(text)} for flag ${flag}: expected a number like 1.5`);
  return Number(text.trim());
}

/** Docker's `units.BytesSize`: binary units, 4 significant digits (`1.5MiB`, `1.944GiB`, `0B`). */
export function formatBinarySize(bytes: number): string {
  return formatSize(bytes, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], 4);
}

/** Docker's `units.HumanSizeWithPrecision(n, 3)`: decimal units (`1.2kB`, `3MB`, `0B`). */
export function formatDecimalSize(bytes: number): string {
  return formatSize(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], 3);
}

/** Docker's `units.HumanSize`: decimal units, 4 significant digits (`212B`, `1.235MB`), as prune and `system df` print sizes. */
export function humanSize(bytes: number): string {
  return formatSize(bytes, 1000, ['B', 'kB', 'MB', 'GB', 'TB', 'PB'], 4);
}

function formatSize(bytes: number, base: number, units: readonly string[], precision: number): string {
  let value = bytes;
  let index = 0;
  while (value >= base && index < units.length - 1) {
    value /= base;
    index += 1;
  }
  return `${Number(value.toPrecision(index === 0 ? Math.max(1, String(Math.round(value)).length) : precision))}${units[index]}`;
}

/** Docker's `units.HumanDuration` (lives in @execdriver/engine's docker-view, shared with the daemon). */
export { humanDuration } from '@execdriver/engine';

/** The two formatters of a zone, made once: each Intl.DateTimeFormat costs about a millisecond (the first one tens). */
const timeFormatCache = new Map<string, { long: Intl.DateTimeFormat; short: Intl.DateTimeFormat }>();
function timeFormats(timeZone: string | undefined): { long: Intl.DateTimeFormat; short: Intl.DateTimeFormat } {
  const key = timeZone ?? '';
  let formats = timeFormatCache.get(key);
  if (!formats) {
    const zone = timeZone ? { timeZone } : {};
    const options: Intl.DateTimeFormatOptions = { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', ...zone };
    formats = { long: new Intl.DateTimeFormat('en-US', { ...options, timeZoneName: 'longOffset' }), short: new Intl.DateTimeFormat('en-US', { timeZoneName: 'short', ...zone }) };
    timeFormatCache.set(key, formats);
  }
  return formats;
}

/**
 * Go's `time.Time.String()` in the local zone, as `docker ps`/`docker images` print CreatedAt:
 * `2006-01-02 15:04:05 -0700 MST` (a zone without an abbreviation shows its offset, `+02`, as Go does).
 */
export function goTimeString(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  const { long, short: shortFormat } = timeFormats(timeZone);
  const parts = Object.fromEntries(long.formatToParts(date).map((part) => [part.type, part.value]));
  const offsetMatch = /GMT(?:([+-])(\d\d):(\d\d))?/.exec(parts.timeZoneName ?? 'GMT');
  const offset = offsetMatch?.[1] ? `${offsetMatch[1]}${offsetMatch[2]}${offsetMatch[3]}` : '+0000';
  const short = shortFormat.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
  const abbreviation = /^GMT[+-]/.test(short) ? (offset.endsWith('00') ? offset.slice(0, 3) : offset) : short === 'GMT' && offset === '+0000' && timeZone !== 'GMT' ? 'UTC' : short;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset} ${abbreviation}`;
}
