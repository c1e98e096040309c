import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciError } from './errors.js';

/**
 * The CPUs of a kernel list such as `0-3,5,7-8` (/sys/devices/system/cpu/online, cpuset.cpus).
 * Returns undefined for text that is not such a list; an empty text is the empty set.
 */
export function parseCpuList(text: string): Set<number> | undefined {
  const trimmed = text.trim();
  const cpus = new Set<number>();
  if (trimmed === '') return cpus;
  for (const part of trimmed.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (high < low) return undefined;
    for (let cpu = low; cpu <= high; cpu++) cpus.add(cpu);
  }
  return cpus;
}

/** A CPU set in the kernel's list form, ranges collapsed: `{0,1,2,5}` -> `0-2,5`. */
export function formatCpuList(cpus: Iterable<number>): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end++;
    parts.push(end === index ? String(sorted[index]) : `${sorted[index]}-${sorted[end]}`);
    index = end + 1;
  }
  return parts.join(',');
}

/**
 * The CPUs the kernel has online, from `<sysRoot>/devices/system/cpu/online`, for
 * createRuntimeSpec's `onlineCpus` option.
 * @throws OciError READ_FAILED naming the file when it cannot be read or parsed.
 */
export async function readOnlineCpus(options: { sysRoot?: string } = {}): Promise<Set<number>> {
  const path = join(options.sysRoot ?? '/sys', 'devices/system/cpu/online');
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OciError('READ_FAILED', `cannot read the online CPUs from ${path}`, { value: path, cause: error });
  }
  const cpus = parseCpuList(text);
  if (cpus === undefined || cpus.size === 0) throw new OciError('READ_FAILED', `${path} is not a CPU list: ${JSON.stringify(text.trim())}`, { value: text });
  return cpus;
}
