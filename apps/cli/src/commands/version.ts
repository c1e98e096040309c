import type { CommandSpec } from '../command-spec.js';
import { flagString } from '../flags.js';
import { formatEach } from '../go-template.js';

declare const EXECDRIVER_VERSION: string | undefined;

/** The package version, put in by the bundler. */
export const cliVersion = typeof EXECDRIVER_VERSION === 'string' ? EXECDRIVER_VERSION : '0.0.0-dev';

export const versionCommandSpec: CommandSpec = {
  name: 'version',
  usage: 'version [OPTIONS]',
  description: 'Show the execdriver version information',
  flags: [{ name: 'format', short: 'f', kind: 'string', description: 'json, or a template like {{.Version}}' }],
  maxArgs: 0,
  async run(context, parsed) {
    const info = { Version: cliVersion, NodeVersion: process.version, Os: process.platform, Arch: process.arch };
    const format = flagString(parsed, 'format');
    if (format !== undefined) context.stdout.write(formatEach(format, [info]));
    else context.stdout.write(`execdriver version ${info.Version}\n Node.js:  ${info.NodeVersion}\n OS/Arch:  ${info.Os}/${info.Arch}\n`);
    return 0;
  },
};

