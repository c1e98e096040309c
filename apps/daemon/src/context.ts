import type { Engine } from '@execdriver/engine';
import type { DaemonFlags } from './flags.js';
import type { Logger } from './log.js';
import type { Monitor } from './monitor.js';
import type { ExecStore } from './exec.js';
import type { Consoles } from './consoles.js';

/** What every route gets: the engine on the daemon's roots, what the daemon tracks, and its settings. */
export interface DaemonContext {
  engine: Engine;
  monitor: Monitor;
  execs: ExecStore;
  consoles: Consoles;
  log: Logger;
  flags: DaemonFlags;
}
