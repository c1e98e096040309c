import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagString } from '../flags.js';
import { formatEach } from '../go-template.js';
import { assertImageRemovable } from '../image-users.js';
import { findImage, importImage, listImages, removeImage, type ImportProgress } from '../images.js';
import { formatTable } from '../table.js';
import { formatDecimalSize, humanDuration } from '../units.js';

/** Docker's column titles for `images --format 'table ...'`, by field. */
const imageHeaders = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Size: 'SIZE',
  Source: 'SOURCE',
  Rootfs: 'ROOTFS',
} as const;

export const imagesCommandSpec: CommandSpec = {
  name: 'images',
  usage: 'images [OPTIONS]',
  description: 'List the local root filesystems (busybox is built in and made on first use)',
  flags: [
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only show image names' },
    { name: 'format', kind: 'string', description: "Format output: table (default), json, a template like '{{.Repository}}', or 'table {{.Repository}}\\t{{.Size}}'" },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    if (format !== undefined && format !== 'table') formatEach(format, [], { headers: imageHeaders });
    const now = Date.now();
    const rows = (await listImages(context.dataRoot)).map((image) => {
      const [repository, tag = 'latest'] = image.reference.split(':') as [string, string?];
      return { Repository: repository, Tag: tag, CreatedAt: image.createdAt, CreatedSince: `${humanDuration(now - Date.parse(image.createdAt))} ago`, Size: formatDecimalSize(image.sizeBytes), Source: image.source, Rootfs: image.rootfs };
    });
    if (parsed.flags.get('quiet') === true) {
      context.stdout.write(rows.map((row) => `${row.Repository}${row.Tag === 'latest' ? '' : `:${row.Tag}`}\n`).join(''));
      return 0;
    }
    if (format !== undefined && format !== 'table') {
      context.stdout.write(formatEach(format, rows, { headers: imageHeaders }));
      return 0;
    }
    context.stdout.write(formatTable(['REPOSITORY', 'TAG', 'CREATED', 'SIZE', 'SOURCE'], rows.map((row) => [row.Repository, row.Tag, row.CreatedSince, row.Size, row.Source])));
    return 0;
  },
};

function progressBar(progress: ImportProgress, width = 40): string {
  if (progress.totalBytes === undefined || progress.totalBytes === 0) return `${formatDecimalSize(progress.readBytes)}`;
  const fraction = Math.min(progress.readBytes / progress.totalBytes, 1);
  const filled = Math.round(fraction * width);
  return `[${'='.repeat(Math.max(filled - 1, 0))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] ${formatDecimalSize(progress.readBytes)}/${formatDecimalSize(progress.totalBytes)}`;
}

export const importCommandSpec: CommandSpec = {
  name: 'import',
  usage: 'import [OPTIONS] FILE|- NAME[:TAG]',
  description: 'Import a root filesystem tarball (such as docker export output, plain or gzip) as a local image',
  flags: [{ name: 'cmd', kind: 'string', description: 'Default command of the image, as a JSON array (e.g. \'["sh"]\')' }],
  minArgs: 2,
  maxArgs: 2,
  async run(context, parsed) {
    const [file, reference] = parsed.positionals as [string, string];
    const cmdText = flagString(parsed, 'cmd');
    let cmd: string[] | undefined;
    if (cmdText !== undefined) {
      const parsedCmd: unknown = (() => {
        try {
          return JSON.parse(cmdText);
        } catch {
          return undefined;
        }
      })();
      if (!Array.isArray(parsedCmd) || parsedCmd.length === 0 || !parsedCmd.every((part) => typeof part === 'string')) {
        throw usageError(`invalid value ${JSON.stringify(cmdText)} for flag --cmd: expected a JSON array of strings like '["sh"]'`);
      }
      cmd = parsedCmd as string[];
    }
    const interactive = process.stderr.isTTY === true;
    let lastDraw = 0;
    const image = await importImage(context.dataRoot, file, reference, {
      ...(cmd ? { cmd } : {}),
      onProgress: (progress) => {
        const now = Date.now();
        if (!interactive || now - lastDraw < 100) return;
        lastDraw = now;
        context.stderr.write(`\rImporting ${progressBar(progress)}`);
      },
    });
    if (interactive) context.stderr.write(`\rImporting ${progressBar({ readBytes: 1, totalBytes: 1 }).replace(/ \S+\/\S+$/, '')} done\x1b[K\n`);
    context.stdout.write(`${image.reference}\n`);
    return 0;
  },
};

export const rmiCommandSpec: CommandSpec = {
  name: 'rmi',
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more local images (not while a container uses them)',
  flags: [{ name: 'force', short: 'f', kind: 'boolean', description: 'Remove the image even if stopped containers use it' }],
  minArgs: 1,
  async run(context, parsed) {
    let failed = false;
    const containers = await (await context.driver()).list();
    for (const reference of parsed.positionals) {
      try {
        if (await findImage(context.dataRoot, reference)) assertImageRemovable(reference, containers, { force: flagBoolean(parsed, 'force') });
        await removeImage(context.dataRoot, reference);
        context.stdout.write(`Deleted: ${reference}\n`);
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
