import { DriverError, type ContainerSummary } from '@execdriver/driver';
import type { Context } from './context.js';
import { CliError } from './errors.js';

/**
 * Finds a container by its full id or, as Docker, by a prefix matching exactly one id.
 * Throws NO_SUCH_CONTAINER naming the reference.
 */
export async function findContainer(context: Context, reference: string): Promise<ContainerSummary> {
  const driver = await context.driver();
  try {
    return await driver.inspect(reference);
  } catch (error) {
    if (!(error instanceof DriverError) || (error.code !== 'CONTAINER_NOT_FOUND' && error.code !== 'INVALID_COMMAND')) throw error;
  }
  const matches = (await driver.list()).filter((summary) => summary.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new CliError('NO_SUCH_CONTAINER', `multiple containers match ${JSON.stringify(reference)}: ${matches.map((summary) => summary.id).join(', ')}`);
  throw new CliError('NO_SUCH_CONTAINER', `no such container: ${reference}`);
}

/** Docker's status word: created, running, paused, exited. */
export function dockerState(summary: ContainerSummary): 'created' | 'running' | 'paused' | 'exited' {
  if (summary.status === 'running' || summary.status === 'paused') return summary.status;
  if (summary.status === 'stopped') return summary.startedAt || summary.exitCode !== undefined ? 'exited' : 'created';
  return 'created';
}
