import { CgroupError } from './errors.js';

/**
 * Parsers for the interface-file formats described in the kernel's cgroup-v2.rst
 * ("Interface Files > Format") and cgroup-v1 documentation. Each takes the file's text
 * and its path (for error messages).
 */

/** `max` in a v2 limit file, kept as a token in raw blocks. */
export type Max = 'max';

/** A v1 limit at or above this is the kernel's "no limit" (PAGE_COUNTER_MAX * PAGE_SIZE). */
const v1UnlimitedThreshold = 2 ** 62;

function invalid(path: string, detail: string): CgroupError {
  return new CgroupError('INVALID_FORMAT', `${path}: ${detail}`, { path });
}

function toNumber(token: string, path: string): number {
  const value = Number(token);
  if (token === '' || Number.isNaN(value)) throw invalid(path, `expected a number, got "${token}"`);
  return value;
}

/** "Single value files": one number or `max`. An empty file gives undefined. */
export function parseSingleValue(text: string, path: string): number | Max | undefined {
  const token = text.trim();
  if (token === '') return undefined;
  if (token === 'max') return 'max';
  return toNumber(token, path);
}

/** "Flat keyed": `KEY VALUE` per line (memory.stat, cpu.stat, memory.events, cpuacct.stat). */
export function parseFlatKeyed(text: string, path: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const space = line.indexOf(' ');
    if (space <= 0) throw invalid(path, `expected "KEY VALUE", got "${line}"`);
    result[line.slice(0, space)] = toNumber(line.slice(space + 1).trim(), path);
  }
  return result;
}

/**
 * "Nested keyed": `KEY SUB=VALUE SUB=VALUE` per line (io.stat, *.pressure).
 * A line may carry only some of the sub-keys; `max` values are kept as the token.
 */
export function parseNestedKeyed(text: string, path: string): Record<string, Record<string, number | Max>> {
  const result: Record<string, Record<string, number | Max>> = {};
  for (const line of text.split('\n')) {
    const fields = line.split(' ').filter((field) => field !== '');
    const key = fields.shift();
    if (key === undefined) continue;
    const entry: Record<string, number | Max> = {};
    for (const field of fields) {
      const equals = field.indexOf('=');
      if (equals <= 0) throw invalid(path, `expected "SUB=VALUE", got "${field}" in "${line}"`);
      const value = field.slice(equals + 1);
      entry[field.slice(0, equals)] = value === 'max' ? 'max' : toNumber(value, path);
    }
    result[key] = entry;
  }
  return result;
}

/**
 * cgroup v1 blkio statistics (`blkio.throttle.io_service_bytes` and friends):
 * `MAJ:MIN Operation VALUE` lines, then a `Total VALUE` line, which is dropped.
 * Gives `{ 'MAJ:MIN': { Read, Write, Sync, Async, Discard, Total } }`.
 */
export function parseBlkioV1(text: string, path: string): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const fields = line.split(' ').filter((field) => field !== '');
    if (fields.length === 0 || (fields.length === 2 && fields[0] === 'Total')) continue;
    const [device, operation, value] = fields;
    if (fields.length !== 3 || device === undefined || operation === undefined || value === undefined || !/^\d+:\d+$/.test(device)) {
      throw invalid(path, `expected "MAJ:MIN Operation VALUE", got "${line}"`);
    }
    (result[device] ??= {})[operation] = toNumber(value, path);
  }
  return result;
}

/**
 * `cpuacct.usage_all` (Linux 4.7+): a `cpu user system` header, then one line per possible CPU
 * with its user and system time in nanoseconds. Gives `{ '0': { user, system }, ... }`.
 */
export function parseCpuacctUsageAll(text: string, path: string): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    const [cpu, user, system] = line.split(' ');
    if (cpu === undefined || user === undefined || system === undefined) throw invalid(path, `expected "cpu user system", got "${line}"`);
    result[cpu] = { user: toNumber(user, path), system: toNumber(system, path) };
  }
  return result;
}

/** Space-separated numbers on one line (`cpuacct.usage_percpu`). */
export function parseNumberList(text: string, path: string): number[] {
  return text
    .split(/\s+/)
    .filter((token) => token !== '')
    .map((token) => toNumber(token, path));
}

/** A limit in bytes or a count, `null` for "no limit" (`max` on v2, PAGE_COUNTER_MAX on v1). */
export function toLimit(value: number | Max | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'max' || value >= v1UnlimitedThreshold) return null;
  return value;
}

/** `"0-3,8,10-11"` (a kernel CPU or node list) -> the number of entries. */
export function countCpuList(text: string, path: string): number {
  let count = 0;
  for (const range of text.trim().split(',')) {
    if (range === '') continue;
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) throw invalid(path, `expected a CPU list like "0-3,8", got "${text.trim()}"`);
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    count += end - start + 1;
  }
  return count;
}
