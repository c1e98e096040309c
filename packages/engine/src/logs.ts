import type { Engine } from './engine.js';
import { readLogs } from './read-logs.js';

/** Where `copyLogs` writes each stream. */
export interface LogTargets {
  stdout: { write(data: Buffer): unknown };
  stderr: { write(data: Buffer): unknown };
}

/**
 * Copies a container's log (its json-file, see `readLogs`) to the targets, each stream to its
 * own: the last `tail` entries (all when undefined); with `follow`, goes on until the container stopped.
 */
export async function copyLogs(engine: Engine, id: string, targets: LogTargets, options: { tail: number | undefined; follow: boolean }): Promise<void> {
  for await (const entry of readLogs(engine, id, { ...(options.tail === undefined ? {} : { tail: options.tail }), follow: options.follow })) targets[entry.stream].write(entry.log);
}
