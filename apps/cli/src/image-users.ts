import type { ContainerSummary } from '@execdriver/driver';
import { dockerState } from './container-lookup.js';
import { labelKeys } from './context.js';
import { CliError } from './errors.js';
import { parseImageReference } from './images.js';

function sameImage(label: string | undefined, reference: string): boolean {
  if (label === undefined || label.startsWith('/')) return false;
  try {
    return parseImageReference(label).reference === parseImageReference(reference).reference;
  } catch {
    return false;
  }
}

/**
 * Docker's `rmi` rule: an image that a container (running or stopped, not yet removed) was made
 * from cannot be removed; `force` removes it anyway unless a container is running on it.
 * @throws CliError IMAGE_IN_USE naming the image and the container.
 */
export function assertImageRemovable(reference: string, summaries: readonly ContainerSummary[], options: { force: boolean }): void {
  const users = summaries.filter((summary) => sameImage(summary.labels[labelKeys.image], reference)).sort((a, b) => a.id.localeCompare(b.id));
  const running = users.find((summary) => ['running', 'paused'].includes(dockerState(summary)));
  if (options.force) {
    if (running) throw new CliError('IMAGE_IN_USE', `conflict: unable to remove image ${reference} (cannot be forced): running container ${running.id} is using it`);
    return;
  }
  const user = running ?? users[0];
  if (user) throw new CliError('IMAGE_IN_USE', `conflict: unable to remove image ${reference}: container ${user.id} is using it (remove the container first, or use rmi -f if it is stopped)`);
}
