import { parseCommand, type Resources } from '@execdriver/spec';
import { isActive } from './container.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import type { ContainerRecord } from './record.js';
import { ensureMonitor } from './restart-monitor.js';
import type { RestartPolicy } from './restart-policy.js';

/** What `docker update` changes: resources (only the fields given) and the restart policy. */
export interface ContainerUpdate {
  resources?: Partial<Resources>;
  restartPolicy?: RestartPolicy;
}

/**
 * `docker update`: new resource limits, applied at once to a running (or paused) container
 * through `runc update`, and kept in its record for its next starts; a new restart policy (a
 * running container under a restarting policy gets its monitor).
 * @throws EngineError NO_SUCH_CONTAINER; INVALID_REQUEST (restart policy of an AutoRemove
 *   container); SpecError for limits out of range; DriverError when runc refuses them
 */
export async function updateContainer(engine: Engine, reference: string, update: ContainerUpdate): Promise<{ record: ContainerRecord; warnings: string[] }> {
  const container = await engine.find(reference);
  if (update.restartPolicy && update.restartPolicy.name !== 'no' && container.record.autoRemove) {
    throw new EngineError('INVALID_REQUEST', `Cannot update container ${container.id}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
  }
  const resources: Resources = { ...container.record.command.resources };
  for (const [key, value] of Object.entries(update.resources ?? {})) if (value !== undefined) (resources as Record<string, unknown>)[key] = value;
  // The whole command checked again: limits keep their rules (memory at least 6 MiB, swap not below memory...).
  const command = parseCommand({ ...container.record.command, resources });
  let warnings: string[] = [];
  if (isActive(container)) ({ warnings } = await (await engine.driver()).update(container.id, command.resources));
  const record = await engine.records.read(container.id);
  record.command = { ...record.command, resources: command.resources };
  if (update.restartPolicy) record.restartPolicy = update.restartPolicy;
  await engine.records.write(record);
  if (update.restartPolicy && isActive(await engine.find(container.id))) await ensureMonitor(engine, record);
  return { record, warnings };
}
