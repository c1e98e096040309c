import { EngineError, inspectContainer, type Container } from '@execdriver/engine';
import type { Image } from '@execdriver/images';
import type { CommandSpec } from '../command-spec.js';
import { decorateContainerInspect, toDockerImageInspect } from '../docker-inspect.js';
import { CliError, usageError } from '../errors.js';
import { flagBoolean, flagString } from '../flags.js';
import { executeTemplate, parseTemplate } from '../go-template.js';

type InspectType = 'container' | 'image';

export const inspectCommandSpec: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on containers and images (Docker-shaped JSON)',
  flags: [
    { name: 'format', short: 'f', kind: 'string', description: "Format output: json (default), or a Go template like '{{.State.ExitCode}}'" },
    { name: 'size', short: 's', kind: 'boolean', description: 'Display total file sizes if the type is container (SizeRw, SizeRootFs)' },
    { name: 'type', kind: 'string', description: 'Only this type of object: container or image (default: a container, else an image)' },
  ],
  minArgs: 1,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    const template = format === undefined || format === 'json' ? undefined : parseTemplate(format);
    const type = flagString(parsed, 'type');
    if (type !== undefined && type !== 'container' && type !== 'image') throw usageError(`"${type}" is not a valid value for --type`);
    const engine = await context.engine();
    const documents: object[] = [];
    let failed = false;
    const findImage = async (reference: string): Promise<Image | undefined> => engine.images.get(reference).catch(() => undefined);
    for (const reference of parsed.positionals) {
      try {
        let container: Container | undefined;
        if (type !== 'image') {
          container = await engine.find(reference).catch((error: unknown) => {
            if (type === undefined && error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return undefined;
            throw error;
          });
        }
        if (container) {
          documents.push(decorateContainerInspect(await inspectContainer(engine, container, { size: flagBoolean(parsed, 'size') })));
          continue;
        }
        const image = await findImage(reference);
        if (!image) throw new CliError(type === 'image' ? 'NO_SUCH_IMAGE' : 'NO_SUCH_CONTAINER', `No such ${type === 'image' ? 'image' : 'object'}: ${reference}`);
        documents.push(toDockerImageInspect(image));
      } catch (error) {
        failed = true;
        context.stderr.write(`execdriver: ${(error as Error).message}\n`);
      }
    }
    if (template === undefined) context.stdout.write(`${JSON.stringify(documents, null, 4)}\n`);
    else context.stdout.write(documents.map((document) => `${executeTemplate(template, document)}\n`).join(''));
    return failed ? 1 : 0;
  },
};
