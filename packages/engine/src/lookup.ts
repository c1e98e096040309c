import { EngineError } from './errors.js';
import { shortId } from './ids.js';

/**
 * Docker's rule for a container reference: a full id, then a name, match exactly; then a hex
 * reference matches ids by prefix (never names: `rm -f web` must not remove `webapp`).
 * Returns every candidate: none, one, or several (an ambiguous prefix).
 */
export function matchContainers<T extends { id: string; name: string }>(reference: string, containers: readonly T[]): T[] {
  const byId = containers.filter((container) => container.id === reference);
  if (byId.length > 0) return byId;
  const name = reference.replace(/^\//, '');
  const byName = containers.filter((container) => container.name === name);
  if (byName.length > 0) return byName;
  if (reference === '' || !/^[0-9a-f]+$/.test(reference)) return [];
  return containers.filter((container) => container.id.startsWith(reference));
}

/** The one container a reference names. @throws EngineError NO_SUCH_CONTAINER or AMBIGUOUS_REFERENCE naming it */
export function findOne<T extends { id: string; name: string }>(reference: string, containers: readonly T[]): T {
  const matches = matchContainers(reference, containers);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new EngineError('AMBIGUOUS_REFERENCE', `multiple containers found with prefix ${JSON.stringify(reference)}: ${matches.map((container) => shortId(container.id)).sort().join(', ')}: give more of the id`);
  }
  throw new EngineError('NO_SUCH_CONTAINER', `No such container: ${reference}`);
}
