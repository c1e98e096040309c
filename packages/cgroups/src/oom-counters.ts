import { join } from 'node:path';
import type { Cgroup } from './cgroup.js';
import { parseFlatKeyed } from './parse.js';
import { readKernelFile } from './read-file.js';

/** The OOM counters of a cgroup's memory controller: `oom_kill` (v1 and v2) and, on v2, `oom`. */
export interface OomCounters {
  /** Processes the OOM killer killed in the cgroup (v1 `memory.oom_control`, v2 `memory.events`). */
  oomKills?: number;
  /** v2 only: times the cgroup hit its limit and the OOM killer was invoked. */
  ooms?: number;
}

/** The file that holds the counters: v1 `memory.oom_control`, v2 `memory.events`; undefined without a memory controller. */
export function oomCountersFile(cgroup: Cgroup): string | undefined {
  const memory = cgroup.controllers.memory;
  if (!memory) return undefined;
  return join(memory.directory, memory.version === 1 ? 'memory.oom_control' : 'memory.events');
}

/**
 * Reads only the OOM counters (one kernel file, where `stats()` reads 15-25): what an exit
 * record needs. Undefined when the cgroup has no memory controller or is gone.
 */
export function readOomCounters(cgroup: Cgroup): OomCounters | undefined {
  const file = oomCountersFile(cgroup);
  if (file === undefined) return undefined;
  const text = readKernelFile(file);
  if (text === undefined) return undefined;
  const parsed = parseFlatKeyed(text, file);
  return { ...(parsed.oom_kill === undefined ? {} : { oomKills: parsed.oom_kill }), ...(parsed.oom === undefined ? {} : { ooms: parsed.oom }) };
}
