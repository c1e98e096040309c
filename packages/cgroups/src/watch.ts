import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cgroup } from './cgroup.js';
import { CgroupError } from './errors.js';
import { oomCountersFile, readOomCounters } from './oom-counters.js';
import { readKernelFile } from './read-file.js';
import type { CgroupStats } from './stats.js';

export interface WatchStatsOptions {
  /** Time between samples. Default 1000. */
  intervalMs?: number;
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
}

/**
 * Yields `cgroup.stats()` now and then every `intervalMs` until the signal aborts or the cgroup
 * disappears (both end the iteration cleanly). Other errors are thrown to the consumer.
 */
export async function* watchStats(cgroup: Cgroup, options: WatchStatsOptions = {}): AsyncGenerator<CgroupStats, void, undefined> {
  const intervalMs = options.intervalMs ?? 1000;
  const { signal } = options;
  while (!signal?.aborted) {
    let stats: CgroupStats;
    try {
      stats = await cgroup.stats();
    } catch (error) {
      if (error instanceof CgroupError && error.code === 'CGROUP_NOT_FOUND') return;
      throw error;
    }
    yield stats;
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }
}

/** One OOM notification: the counters after the event, and how many kills it added. */
export interface OomEvent {
  readAt: string;
  /** Processes the OOM killer killed since the previous event (or since the watch began). */
  newOomKills: number;
  /** Cumulative `oom_kill` (v1 memory.oom_control, v2 memory.events). */
  oomKillEvents: number;
  /** v2 only: cumulative `oom` of memory.events (limit reached, OOM about to happen). */
  oomEvents?: number;
}

/** How often an empty v2 cgroup is checked for removal. */
const emptyPollIntervalMs = 200;

export interface WatchOomOptions {
  signal?: AbortSignal;
  /**
   * How often the counters are read. On v1 this is the only way (Node cannot use the eventfd of
   * cgroup.event_control), default 100 ms; on v2 inotify wakes the watch at once and this is only
   * a safety net, default 1000 ms.
   */
  pollIntervalMs?: number;
}

/**
 * Yields an `OomEvent` each time the OOM killer acts in `cgroup` (or, on v2, the `oom` counter
 * rises). v2: inotify on `memory.events`, which the kernel notifies on every change, and on the
 * cgroup directory, which notifies its removal; v1: polls
 * the `oom_kill` counter of `memory.oom_control`. Ends cleanly when the signal aborts or the cgroup
 * disappears. Throws `CgroupError` `CONTROLLER_NOT_FOUND` when the cgroup has no memory controller.
 */
export async function* watchOom(cgroup: Cgroup, options: WatchOomOptions = {}): AsyncGenerator<OomEvent, void, undefined> {
  const memory = cgroup.controllers.memory;
  if (!memory) {
    throw new CgroupError('CONTROLLER_NOT_FOUND', `cgroup ${cgroup.path} has no memory controller to watch for OOM`, {
      path: cgroup.path,
    });
  }
  const { signal } = options;
  const file = oomCountersFile(cgroup)!;
  const read = (): { oom_kill?: number; oom?: number } | undefined => {
    const counters = readOomCounters(cgroup);
    return counters && { oom_kill: counters.oomKills, oom: counters.ooms };
  };
  const first = read();
  if (first === undefined) return;
  let last = first;

  let wake: (() => void) | undefined;
  const wakeUp = () => wake?.();
  const watchers: FSWatcher[] = [];
  if (memory.version === 2) {
    // The kernel notifies memory.events (IN_MODIFY) on every counter change. Nothing is notified
    // when a cgroup is removed, but cgroup.events is when it empties ("populated 0"), which comes
    // just before removal: from then on the watch polls fast (see below).
    for (const target of [file, join(memory.directory, 'cgroup.events')]) {
      try {
        const watcher = watch(target, { persistent: false });
        watcher.on('change', wakeUp);
        watcher.on('error', wakeUp);
        watchers.push(watcher);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          for (const watcher of watchers) watcher.close();
          throw error;
        }
        // memory.events gone: the cgroup went away since the first read. No cgroup.events (the
        // root cgroup): the poll notices removal.
        if (target === file) return;
      }
    }
  }
  signal?.addEventListener('abort', wakeUp);
  const pollIntervalMs = options.pollIntervalMs ?? (memory.version === 2 ? 1000 : 100);
  let intervalMs = pollIntervalMs;
  try {
    while (!signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (signal?.aborted) return;
      const now = read();
      if (now === undefined) return;
      if (memory.version === 2) {
        // An empty cgroup cannot OOM and is usually about to be removed: notice that soon.
        const populated = readKernelFile(join(memory.directory, 'cgroup.events'));
        intervalMs = populated !== undefined && /^populated 0$/m.test(populated) ? Math.min(pollIntervalMs, emptyPollIntervalMs) : pollIntervalMs;
      }
      const kills = now.oom_kill ?? 0;
      const ooms = now.oom ?? 0;
      if (kills > (last.oom_kill ?? 0) || ooms > (last.oom ?? 0)) {
        const event: OomEvent = { readAt: new Date().toISOString(), newOomKills: kills - (last.oom_kill ?? 0), oomKillEvents: kills };
        if (now.oom !== undefined) event.oomEvents = now.oom;
        last = now;
        yield event;
      }
    }
  } finally {
    signal?.removeEventListener('abort', wakeUp);
    for (const watcher of watchers) watcher.close();
  }
}
