import type { Engine } from '@execdriver/engine';
import type { DaemonFlags } from './flags.js';
import type { Logger } from './log.js';
import type { Monitor } from './monitor.js';
import type { ExecStore } from './exec.js';
import type { Consoles } from './consoles.js';
import type { LogCopiers } from './log-copiers.js';

/** What every route gets: the engine on the daemon's roots, what the daemon tracks, and its settings. */
export interface DaemonContext {
  engine: Engine;
  monitor: Monitor;
  execs: ExecStore;
  consoles: Consoles;
  /** The log copiers of running non-tty containers. */
  logCopiers: LogCopiers;
  log: Logger;
  flags: DaemonFlags;
}
