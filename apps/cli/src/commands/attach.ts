import { access } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { attachLocalTerminal } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import { connectConsole } from '../console-client.js';
import { consoleSocketPath } from '../console-protocol.js';
import { dockerState, findContainer } from '../container-lookup.js';
import { labelKeys } from '../context.js';
import { CliError } from '../errors.js';
import { flagBoolean, flagString } from '../flags.js';
import { followLogs } from './logs.js';

export const attachCommandSpec: CommandSpec = {
  name: 'attach',
  usage: 'attach [OPTIONS] CONTAINER',
  description: "Attach local standard input, output, and error streams to a running container",
  flags: [
    { name: 'detach-keys', kind: 'string', description: 'Override the key sequence for detaching a container (default ctrl-p,ctrl-q)' },
    { name: 'no-stdin', kind: 'boolean', description: 'Do not attach STDIN' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const state = dockerState(summary);
    if (state !== 'running' && state !== 'paused') throw new CliError('CONTAINER_NOT_RUNNING', `you cannot attach to a stopped container ${summary.id}: start a new one`);
    if (summary.labels[labelKeys.console] !== 'holder') {
      // No terminal: follow the container's output until it exits, as `docker attach` shows it.
      const driver = await context.driver();
      await followLogs(context, summary.id, { tail: 0, follow: true });
      return (await driver.wait(summary.id)).exitCode;
    }
    const socketPath = consoleSocketPath(context.stateRoot, summary.id);
    await access(socketPath).catch(() => {
      throw new CliError('CONSOLE_FAILED', `the console of container ${summary.id} is gone (${socketPath})`);
    });
    const [cols, rows] = process.stdout.isTTY ? process.stdout.getWindowSize() : [80, 24];
    const connection = await connectConsole(socketPath, summary.id, { cols, rows });
    const detachKeys = flagString(parsed, 'detach-keys');
    const result = await attachLocalTerminal(connection, {
      ...(detachKeys !== undefined ? { detachKeys } : {}),
      ...(flagBoolean(parsed, 'no-stdin') ? { stdin: new PassThrough() } : {}),
    });
    if (result.reason === 'detached') {
      connection.close();
      return 0;
    }
    if (connection.lost) throw new CliError('CONSOLE_FAILED', `lost the console of container ${summary.id}`);
    return result.exitCode;
  },
};
