import type { CommandSpec } from '../command-spec.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagList, flagString } from '../flags.js';
import { formatEach, goType } from '../go-template.js';
import { parseImageReference, type ImportProgress } from '@execdriver/images';
import { imageEvent } from '@execdriver/engine';
import { formatTable } from '../table.js';
import { formatDecimalSize, goTimeString, humanDuration } from '../units.js';

/** Docker's column titles for `images --format 'table ...'`, by field. */
const imageHeaders = {
  Containers: 'CONTAINERS',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  SharedSize: 'SHARED SIZE',
  Size: 'SIZE',
  Tag: 'TAG',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'SIZE',
  Source: 'SOURCE',
  Rootfs: 'ROOTFS',
} as const;

export const imagesCommandSpec: CommandSpec = {
  name: 'images',
  usage: 'images [OPTIONS]',
  description: 'List the local root filesystems (busybox is built in and made on first use)',
  flags: [
    { name: 'quiet', short: 'q', kind: 'boolean', description: 'Only show image IDs' },
    { name: 'no-trunc', kind: 'boolean', description: "Don't truncate output" },
    { name: 'filter', short: 'f', kind: 'list', description: 'Filter output based on conditions provided (reference=PATTERN, dangling=true|false)' },
    { name: 'format', kind: 'string', description: "Format output: table (default), json, a template like '{{.Repository}}', or 'table {{.Repository}}\\t{{.Size}}'" },
  ],
  maxArgs: 0,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    if (format !== undefined && format !== 'table') formatEach(format, [], { headers: imageHeaders });
    const now = Date.now();
    const { images, broken } = await (await context.engine()).images.list();
    for (const entry of broken) context.stderr.write(`WARNING: image ${entry.id.slice(0, 12)} is broken: ${entry.error.message}\n`);
    const noTrunc = flagBoolean(parsed, 'no-trunc');
    const keep = imageFilter(flagList(parsed, 'filter'));
    const rows = images.flatMap((image) => {
      // The docker CLI's imageContext, in its `{{json .}}` order; Source and Rootfs are execdriver's.
      const row = (repository: string, tag: string, digest: string) =>
        goType(
          {
            Containers: 'N/A',
            CreatedAt: goTimeString(image.created),
            CreatedSince: `${humanDuration(now - Date.parse(image.created))} ago`,
            Digest: digest,
            ID: noTrunc ? `sha256:${image.id}` : image.id.slice(0, 12),
            Repository: repository,
            SharedSize: 'N/A',
            Size: formatDecimalSize(image.sizeBytes),
            Tag: tag,
            UniqueSize: 'N/A',
            VirtualSize: formatDecimalSize(image.sizeBytes),
            Source: image.source,
            Rootfs: image.rootfs,
          },
          '*formatter.imageContext',
        );
      if (image.references.length === 0) return keep(undefined) ? [row('<none>', '<none>', '<none>')] : [];
      return image.references.flatMap((canonical) => {
        const reference = parseImageReference(canonical);
        if (!keep(reference.familiar)) return [];
        return [row(reference.familiarName, reference.tag ?? '<none>', reference.digest ?? '<none>')];
      });
    });
    if (flagBoolean(parsed, 'quiet')) {
      context.stdout.write([...new Set(rows.map((row) => row.ID))].map((id) => `${id}\n`).join(''));
      return 0;
    }
    if (format !== undefined && format !== 'table') {
      context.stdout.write(formatEach(format, rows, { headers: imageHeaders }));
      return 0;
    }
    context.stdout.write(formatTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows.map((row) => [row.Repository, row.Tag, row.ID, row.CreatedSince, row.Size])));
    return 0;
  },
};

/** Glob match as Docker's `reference=` filter (`*` within a path component). */
function globMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${source}$`).test(text);
}

/** `images --filter`: reference=PATTERN (name or name:tag), dangling=true|false. */
function imageFilter(filters: readonly string[]): (familiar: string | undefined) => boolean {
  const checks: ((familiar: string | undefined) => boolean)[] = [];
  for (const filter of filters) {
    const [key, ...rest] = filter.split('=');
    const value = rest.join('=');
    if (key === 'reference') {
      checks.push((familiar) => familiar !== undefined && (globMatches(value, familiar) || globMatches(value, familiar.replace(/:[^:/]*$/, ''))));
    } else if (key === 'dangling' && (value === 'true' || value === 'false')) {
      checks.push((familiar) => (familiar === undefined) === (value === 'true'));
    } else throw usageError(`invalid filter ${JSON.stringify(filter)}: expected reference=PATTERN or dangling=true|false`);
  }
  return (familiar) => checks.every((check) => check(familiar));
}

export const tagCommandSpec: CommandSpec = {
  name: 'tag',
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [],
  minArgs: 2,
  maxArgs: 2,
  async run(context, parsed) {
    const [source, target] = parsed.positionals as [string, string];
    const engine = await context.engine();
    const image = await engine.images.tag(source, target);
    engine.events.append(imageEvent(`sha256:${image.id}`, 'tag', parseImageReference(target).familiar));
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
  usage: 'import [OPTIONS] FILE|- [REPOSITORY[:TAG]]',
  description: 'Import a root filesystem tarball (such as docker export output, plain or gzip) as a local image',
  flags: [
    { name: 'change', short: 'c', kind: 'list', description: 'Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL)' },
    { name: 'message', short: 'm', kind: 'string', description: 'Set commit message for imported image' },
    { name: 'cmd', kind: 'string', description: 'Default command of the image, as a JSON array (e.g. \'["sh"]\'); the same as --change \'CMD [...]\'' },
  ],
  minArgs: 1,
  maxArgs: 2,
  async run(context, parsed) {
    const [file, reference] = parsed.positionals as [string, string | undefined];
    if (reference !== undefined) parseImageReference(reference);
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
    const engine = await context.engine();
    const changes = [...flagList(parsed, 'change'), ...(cmd ? [`CMD ${JSON.stringify(cmd)}`] : [])];
    const message = flagString(parsed, 'message');
    const source = file === '-' ? { stream: process.stdin, name: '-' } : { path: file };
    const image = await engine.images.import(source, reference, {
      changes,
      ...(message !== undefined ? { message } : {}),
      onProgress: (progress) => {
        const now = Date.now();
        if (!interactive || now - lastDraw < 100) return;
        lastDraw = now;
        context.stderr.write(`\rImporting ${progressBar(progress)}`);
      },
    });
    if (interactive) context.stderr.write(`\rImporting ${progressBar({ readBytes: 1, totalBytes: 1 }).replace(/ \S+\/\S+$/, '')} done\x1b[K\n`);
    engine.events.append(imageEvent(`sha256:${image.id}`, 'import', reference === undefined ? undefined : parseImageReference(reference).familiar));
    context.stdout.write(`sha256:${image.id}\n`);
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
    const engine = await context.engine();
    const users = await engine.imageUsers();
    for (const reference of parsed.positionals) {
      try {
        const before = await engine.images.get(reference).catch(() => undefined);
        const { untagged, deleted } = await engine.images.remove(reference, { force: flagBoolean(parsed, 'force'), users });
        for (const name of untagged) engine.events.append(imageEvent(before ? `sha256:${before.id}` : name, 'untag', name));
        for (const id of deleted) engine.events.append(imageEvent(`sha256:${id}`, 'delete'));
        context.stdout.write([...untagged.map((entry) => `Untagged: ${entry}\n`), ...deleted.map((id) => `Deleted: sha256:${id}\n`)].join(''));
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  },
};
