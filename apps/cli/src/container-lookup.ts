import { DriverError, type ContainerSummary } from '@execdriver/driver';
import { labelKeys, type Context } from './context.js';
import { CliError } from './errors.js';

/** The ids `run` makes when no `--name` is given: 12 lowercase hex digits. */
const generatedIdPattern = /^[0-9a-f]{12}$/;

/** A container whose id `run` generated (not a user's `--name`, even a hex-looking one). */
export function hasGeneratedId(summary: Pick<ContainerSummary, 'id' | 'labels'>): boolean {
  return generatedIdPattern.test(summary.id) && summary.labels[labelKeys.name] === undefined;
}

/**
 * Docker's rule for a container reference: a name or full id matches exactly; only a hex
 * reference matches by prefix, and only generated ids (never a name: `rm -f web` must not
 * remove `webapp`). Returns every candidate: none, one, or several (ambiguous).
 */
export function matchContainers<T extends Pick<ContainerSummary, 'id' | 'labels'>>(reference: string, summaries: readonly T[]): T[] {
  const exact = summaries.filter((summary) => summary.id === reference);
  if (exact.length > 0) return exact;
  if (reference === '' || !/^[0-9a-f]+$/.test(reference)) return [];
  return summaries.filter((summary) => hasGeneratedId(summary) && summary.id.startsWith(reference));
}

/**
 * Finds a container by its name or full id or, as Docker, by a unique prefix of a generated id.
 * Throws NO_SUCH_CONTAINER naming the reference (and the candidates when several match).
 */
export async function findContainer(context: Context, reference: string): Promise<ContainerSummary> {
  const driver = await context.driver();
  try {
    return await driver.inspect(reference);
  } catch (error) {
    if (!(error instanceof DriverError) || !['CONTAINER_NOT_FOUND', 'INVALID_ID', 'INVALID_COMMAND'].includes(error.code)) throw error;
  }
  const matches = matchContainers(reference, await driver.list());
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new CliError('NO_SUCH_CONTAINER', `multiple containers found with prefix ${JSON.stringify(reference)}: ${matches.map((summary) => summary.id).sort().join(', ')}: give more of the id`);
  }
  throw new CliError('NO_SUCH_CONTAINER', `No such container: ${reference}`);
}

/** Docker's status word: created, running, paused, exited. */
export function dockerState(summary: ContainerSummary): 'created' | 'running' | 'paused' | 'exited' {
  if (summary.status === 'running' || summary.status === 'paused') return summary.status;
  if (summary.status === 'stopped') return summary.startedAt || summary.exitCode !== undefined ? 'exited' : 'created';
  return 'created';
}
