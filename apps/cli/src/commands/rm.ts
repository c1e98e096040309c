import { stat } from 'node:fs/promises';
import { isValidContainerId } from '@execdriver/spec';
import type { CommandSpec } from '../command-spec.js';
import { containerDataPaths, removeContainerRootfs } from '../container-rootfs.js';
import { removeContainer } from '../container-removal.js';
import { dockerState, matchContainers } from '../container-lookup.js';
import { CliError } from '../errors.js';
import { flagBoolean } from '../flags.js';
import { forEachContainer } from './kill.js';

export const rmCommandSpec: CommandSpec = {
  name: 'rm',
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers (unmounting their root filesystem)',
  flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Force the removal of a running container (uses SIGKILL)' }],
  minArgs: 1,
  async run(context, parsed) {
    const driver = await context.driver();
    // A root filesystem whose container the driver no longer knows (its CLI was killed mid-start) is removed too.
    const orphans = new Set<string>();
    for (const reference of parsed.positionals) {
      if (!isValidContainerId(reference) || matchContainers(reference, await driver.list()).length > 0) continue;
      if (await stat(containerDataPaths(context.dataRoot, reference).dir).then(() => true, () => false)) orphans.add(reference);
    }
    for (const orphan of orphans) {
      await removeContainerRootfs(context.dataRoot, orphan);
      context.stdout.write(`${orphan}\n`);
    }
    return forEachContainer(context, { ...parsed, positionals: parsed.positionals.filter((reference) => !orphans.has(reference)) }, async (id) => {
      const summary = await driver.inspect(id);
      const state = dockerState(summary);
      if ((state === 'running' || state === 'paused') && !flagBoolean(parsed, 'force')) {
        throw new CliError('CONTAINER_RUNNING', `cannot remove container ${id}: container is ${state}: stop the container before removing or force remove (rm -f)`);
      }
      await removeContainer(context, id, summary);
    });
  },
};
