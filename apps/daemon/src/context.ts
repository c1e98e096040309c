import type { Call, Route } from './http.js';
import type { Engine } from '@execdriver/engine';
import type { DaemonFlags } from './flags.js';
import type { Logger } from './log.js';
import type { Monitor } from './monitor.js';
import type { ExecStore } from './exec.js';
import type { Consoles } from './consoles.js';
import type { LogCopiers } from './log-copiers.js';
import type { StdinWriters } from './stdin-writers.js';

/** What every route gets: the engine on the daemon's roots, what the daemon tracks, and its settings. */
export interface DaemonContext {
  engine: Engine;
  monitor: Monitor;
  execs: ExecStore;
  consoles: Consoles;
  /** The log copiers of running non-tty containers. */
  logCopiers: LogCopiers;
  /** The stdin writers of running -i containers without a terminal. */
  stdinWriters: StdinWriters;
  log: Logger;
  flags: DaemonFlags;
}

/** Makes routes whose handlers take the context: `route('GET', '/volumes', list)`. */
export function routeMaker(context: DaemonContext): (method: string | readonly string[], pattern: string, handler: (context: DaemonContext, call: Call) => Promise<void>) => Route {
  return (method, pattern, handler) => ({ method, pattern, handler: (call) => handler(context, call) });
}
