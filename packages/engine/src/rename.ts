import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { normalizeName } from './names.js';
import type { ContainerRecord } from './record.js';

/**
 * Docker's rename: the new name is reserved first (atomic: of two renames to one name exactly one
 * wins), then the record says it, then the old name goes. The old name no longer finds it.
 * @throws EngineError INVALID_NAME, NAME_IN_USE, NO_SUCH_CONTAINER, INVALID_REQUEST (same name)
 */
export async function renameContainer(engine: Engine, reference: string, newName: string): Promise<ContainerRecord> {
  if (reference === '' || newName === '') throw new EngineError('INVALID_REQUEST', 'Neither old nor new names may be empty');
  const name = normalizeName(newName);
  const container = await engine.find(reference);
  if (container.name === name) throw new EngineError('INVALID_REQUEST', `Renaming a container with the same name as its current name: ${JSON.stringify(name)}`);
  await engine.names.reserve(name, container.id);
  let record: ContainerRecord;
  try {
    record = await engine.records.read(container.id);
    record.name = name;
    await engine.records.write(record);
  } catch (error) {
    await engine.names.release(name, container.id).catch(() => undefined);
    throw error;
  }
  await engine.names.release(container.name, container.id);
  return record;
}
