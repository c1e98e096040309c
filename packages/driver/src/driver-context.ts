import type { ExitStatus } from '@execdriver/spec';
import type { HostFacts } from './host-facts.js';
import type { IdLock } from './id-lock.js';
import type { Runc } from './runc.js';
import type { RuntimeSet } from './runtime-set.js';
import type { StateStore } from './state-store.js';

/** What every part of the driver shares: the runc client, the state store, the host facts, the roots, the per-id lock. */
export interface DriverContext {
  /** The default runtime's client (the one new containers get unless they ask for another). */
  runc: Runc;
  /** Every runtime: a container's operations use the one that created it (`runtimes.forRecord`). */
  runtimes: RuntimeSet;
  store: StateStore;
  host: HostFacts;
  hookScriptPath: string;
  cgroupRoot: string;
  procRoot: string;
  etcRoot: string;
  devRoot: string;
  cgroupsPathPrefix: string;
  lock: IdLock;
  /** Containers this driver is watching, by id: their `exited` promises. */
  watched: Map<string, Promise<ExitStatus>>;
}
