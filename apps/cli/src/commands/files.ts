import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { commitContainer, containerChanges, copyFromContainer, copyToContainer, exportContainer, extractToContainer, archiveFromContainer } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagList, flagString } from '../flags.js';

/** `CONTAINER:PATH` or a local path (Docker: a local path with a colon is written `./a:b` or absolute). */
function splitCopyArgument(text: string): { container?: string; path: string } {
  if (text.startsWith('/') || text.startsWith('.')) return { path: text };
  const colon = text.indexOf(':');
  if (colon <= 0) return { path: text };
  return { container: text.slice(0, colon), path: text.slice(colon + 1) || '/' };
}

export const cpCommandSpec: CommandSpec = {
  name: 'cp',
  usage: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\texecdriver cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem (use - for a tar archive on stdin or stdout)',
  flags: [
    { name: 'archive', short: 'a', kind: 'boolean', description: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', kind: 'boolean', description: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Suppress progress output during copy (there is none)' },
  ],
  minArgs: 2,
  maxArgs: 2,
  async run(context, parsed) {
    const [sourceText, destinationText] = parsed.positionals as [string, string];
    const source = splitCopyArgument(sourceText);
    const destination = splitCopyArgument(destinationText);
    const options = { archive: flagBoolean(parsed, 'archive'), followLink: flagBoolean(parsed, 'follow-link') };
    const engine = await context.engine();
    if (source.container !== undefined && destination.container !== undefined) throw usageError('copying between containers is not supported');
    if (source.container === undefined && destination.container === undefined) throw usageError('must specify at least one container source');
    if (source.container !== undefined) {
      if (destination.path === '-') {
        await archiveFromContainer(engine, source.container, source.path, process.stdout, options);
        return 0;
      }
      await copyFromContainer(engine, source.container, source.path, destination.path, options);
      return 0;
    }
    if (source.path === '-') {
      await extractToContainer(engine, destination.container!, destination.path, process.stdin);
      return 0;
    }
    await copyToContainer(engine, destination.container!, source.path, destination.path, options);
    return 0;
  },
};

export const exportCommandSpec: CommandSpec = {
  name: 'export',
  usage: 'export [OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  flags: [{ name: 'output', short: 'o', kind: 'string', description: 'Write to a file, instead of STDOUT' }],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const file = flagString(parsed, 'output');
    if (file === undefined && process.stdout.isTTY) throw usageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    const engine = await context.engine();
    const output = file === undefined ? process.stdout : createWriteStream(file, { mode: 0o600 });
    await exportContainer(engine, parsed.positionals[0]!, output);
    if (file !== undefined) {
      output.end();
      await finished(output);
    }
    return 0;
  },
};

export const diffCommandSpec: CommandSpec = {
  name: 'diff',
  usage: 'diff CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem (A added, C changed, D deleted)",
  flags: [],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const changes = await containerChanges(await context.engine(), parsed.positionals[0]!);
    context.stdout.write(changes.map((change) => `${change.kind} ${change.path}\n`).join(''));
    return 0;
  },
};

export const commitCommandSpec: CommandSpec = {
  name: 'commit',
  usage: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  flags: [
    { name: 'change', short: 'c', kind: 'list', description: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', description: 'Commit message' },
    { name: 'author', short: 'a', kind: 'string', description: 'Author' },
    { name: 'pause', short: 'p', kind: 'boolean', description: 'Pause container during commit (accepted; not done yet)' },
  ],
  minArgs: 1,
  maxArgs: 2,
  async run(context, parsed) {
    const [container, reference] = parsed.positionals as [string, string | undefined];
    const message = flagString(parsed, 'message');
    const image = await commitContainer(await context.engine(), container, reference, { changes: flagList(parsed, 'change'), ...(message !== undefined ? { message } : {}) });
    context.stdout.write(`sha256:${image.id}\n`);
    return 0;
  },
};
