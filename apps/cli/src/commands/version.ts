import { execFile } from 'node:child_process';
import { release } from 'node:os';
import type { CommandSpec } from '../command-spec.js';
import { flagString } from '../flags.js';
import { goType, parseTemplate, renderTemplate } from '../go-template.js';

declare const EXECDRIVER_VERSION: string | undefined;

/** The package version, put in by the bundler. */
export const cliVersion = typeof EXECDRIVER_VERSION === 'string' ? EXECDRIVER_VERSION : '0.0.0-dev';

/** `runc --version`'s version, or why there is none. */
export function runcVersion(runc: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(runc, ['--version'], (error, stdout) => resolve(error ? `not found (${runc})` : stdout.split('\n')[0]!.replace(/^runc version /, '')));
  });
}

/** Docker's architecture names. */
const goArch = (arch: string) => ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[arch] ?? arch;

/** `docker version`'s structure (Client and Server); the engine runs in the CLI's process, so the server is the same build. */
async function versionInfo(runc: string) {
  const platform = { Name: 'execdriver' };
  return goType(
    {
      Client: goType(
        { Platform: platform, Version: cliVersion, NodeVersion: process.version, Os: process.platform, Arch: goArch(process.arch), Context: 'default' },
        '*command.clientVersion',
      ),
      Server: goType(
        {
          Platform: platform,
          Components: [
            { Name: 'Engine', Version: cliVersion, Details: { NodeVersion: process.version, Os: process.platform, Arch: goArch(process.arch), KernelVersion: release() } },
            { Name: 'runc', Version: await runcVersion(runc), Details: {} },
          ],
          Version: cliVersion,
          Os: process.platform,
          Arch: goArch(process.arch),
          KernelVersion: release(),
        },
        '*types.Version',
      ),
    },
    'command.versionInfo',
  );
}

export const versionCommandSpec: CommandSpec = {
  name: 'version',
  usage: 'version [OPTIONS]',
  description: 'Show the execdriver version information',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: "json ({{json .}}: Client and Server), or a template like '{{.Client.Version}}'" }],
  maxArgs: 0,
  async run(context, parsed) {
    const format = flagString(parsed, 'format');
    if (format !== undefined) {
      const template = format === 'json' ? '{{json .}}' : format;
      parseTemplate(template);
      const info = await versionInfo(context.env.EXECDRIVER_RUNC ?? 'runc');
      context.stdout.write(`${renderTemplate(template, info)}\n`);
    } else context.stdout.write(`execdriver version ${cliVersion}\n Node.js:  ${process.version}\n OS/Arch:  ${process.platform}/${process.arch}\n`);
    return 0;
  },
};
