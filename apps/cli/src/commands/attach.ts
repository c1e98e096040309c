import { access } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { attachLocalTerminal } from '@execdriver/terminal';
import type { CommandSpec } from '../command-spec.js';
import { connectConsole, connectHeldTerminal, consolePaths, isActive, readLogs, type ConsoleConnection } from '@execdriver/engine';
import { CliError } from '../errors.js';
import { findContainer } from '../find-container.js';
import { flagBoolean, flagString } from '../flags.js';

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
    if (!isActive(summary)) throw new CliError('CONTAINER_NOT_RUNNING', `you cannot attach to a stopped container ${summary.name}: start it first`);
    const engine = await context.engine();
    if (!summary.record.command.process.tty) {
      // No terminal: follow the container's output until it exits, as `docker attach` shows it.
      for await (const entry of readLogs(engine, summary.id, { tail: 0, follow: true })) (entry.stream === 'stdout' ? context.stdout : context.stderr).write(entry.log);
      return (await engine.wait(summary.id)).exitCode;
    }
    const [cols, rows] = process.stdout.isTTY ? process.stdout.getWindowSize() : [80, 24];
    let connection: ConsoleConnection;
    if (summary.driver?.fifos) {
      // Started by execdriverd: its terminal is held by script(1) under the shim, its screen is in the log.
      connection = await connectHeldTerminal(engine, summary.id, { cols, rows }, { keyboard: summary.record.interactive });
    } else {
      const socketPath = consolePaths(context.stateRoot, summary.id).socket;
      await access(socketPath).catch(() => {
        throw new CliError('CONSOLE_FAILED', `the console of container ${summary.id} is gone (${socketPath})`);
      });
      connection = await connectConsole(socketPath, summary.id, { cols, rows });
    }
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
