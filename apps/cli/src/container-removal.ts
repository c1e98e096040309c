import { rm } from 'node:fs/promises';
import type { ContainerSummary } from '@execdriver/driver';
import { consoleLogPath, consoleRequestPath, consoleSocketPath } from './console-protocol.js';
import { removeContainerRootfs } from './container-rootfs.js';
import { labelKeys, type Context } from './context.js';

/**
 * Removes every trace of a container: the driver's (runc state, cgroups, state directory), the
 * overlay root filesystem the CLI mounted (unmounted first) and the console holder's files.
 */
export async function removeContainer(context: Context, id: string, summary?: Pick<ContainerSummary, 'labels'>): Promise<void> {
  const driver = await context.driver();
  await driver.clean(id);
  if (summary === undefined || summary.labels[labelKeys.rootfsMount] === 'overlay') await removeContainerRootfs(context.dataRoot, id);
  await Promise.all(
    [consoleSocketPath(context.stateRoot, id), consoleRequestPath(context.stateRoot, id), consoleLogPath(context.stateRoot, id)].map((path) => rm(path, { force: true })),
  );
}
