import { join } from 'node:path';
import { CgroupError } from './errors.js';
import { readKernelFile } from './read-file.js';
import type { NetworkInterfaceStats } from './stats.js';
import type { ProcRootOptions } from './system.js';

export type { NetworkInterfaceStats };

/**
 * Parses /proc/net/dev: two header lines, then `iface: ` followed by eight receive counters
 * (bytes packets errs drop fifo frame compressed multicast) and eight transmit counters
 * (bytes packets errs drop fifo colls carrier compressed).
 */
export function parseNetDev(text: string, path: string): Record<string, NetworkInterfaceStats> {
  const result: Record<string, NetworkInterfaceStats> = {};
  for (const line of text.split('\n').slice(2)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const counters = line
      .slice(colon + 1)
      .split(' ')
      .filter((field) => field !== '')
      .map(Number);
    if (colon < 0 || counters.length < 16 || counters.some((value) => Number.isNaN(value))) {
      throw new CgroupError('INVALID_FORMAT', `${path}: expected "iface: 16 counters", got "${line}"`, { path });
    }
    const at = (index: number) => counters[index] ?? 0;
    result[line.slice(0, colon).trim()] = {
      rxBytes: at(0),
      rxPackets: at(1),
      rxErrors: at(2),
      rxDropped: at(3),
      txBytes: at(8),
      txPackets: at(9),
      txErrors: at(10),
      txDropped: at(11),
    };
  }
  return result;
}

/**
 * Per-interface counters of the network namespace of process `pid`, from
 * `<procRoot>/<pid>/net/dev`. Throws `PROCESS_NOT_FOUND` when the process is gone.
 */
export function readNetworkStats(pid: number, options: ProcRootOptions = {}): Record<string, NetworkInterfaceStats> {
  const path = join(options.procRoot ?? '/proc', String(pid), 'net/dev');
  const text = readKernelFile(path);
  if (text === undefined) throw new CgroupError('PROCESS_NOT_FOUND', `no process ${pid}: ${path} does not exist`, { path });
  return parseNetDev(text, path);
}
