import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container } from '@execdriver/engine';
import type { CommandSpec } from '../command-spec.js';
import { toDockerInspect } from '@execdriver/engine';
import { findContainer } from '../find-container.js';
import { flagString } from '../flags.js';
import { executeTemplate, parseTemplate } from '../go-template.js';

/** The environment the container's process got (PATH, HOSTNAME, HOME, TERM and the user's): `process.env` of its bundle's config.json. */
async function effectiveEnv(container: Container): Promise<string[] | undefined> {
  if (!container.driver) return undefined;
  try {
    const config = JSON.parse(await readFile(join(container.driver.bundle, 'config.json'), 'utf8')) as { process?: { env?: unknown } };
    const env = config.process?.env;
    return Array.isArray(env) && env.every((entry) => typeof entry === 'string') ? env : undefined;
  } catch {
    return undefined;
  }
}

export const inspectCommandSpec: CommandSpec = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Return low-level information on containers (Docker-shaped JSON)',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: "Format output: json (default), or a template like '{{.State.ExitCode}}'" }],
  minArgs: 1,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    const template = format === undefined || format === 'json' ? undefined : parseTemplate(format);
    const engine = await context.engine();
    const driver = await engine.driver();
    const documents = [];
    let failed = false;
    for (const reference of parsed.positionals) {
      try {
        const summary = await findContainer(context, reference);
        const env = await effectiveEnv(summary);
        documents.push(toDockerInspect(summary, { containerDir: engine.containerDir(summary.id), driverName: driver.name(), ...(env ? { env } : {}) }));
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
