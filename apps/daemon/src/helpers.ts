import { runConsoleHolder, runLogHolder, runMonitor } from '@execdriver/engine';
import { DriverError } from '@execdriver/driver';
import { createEngine, settingsFromEnv } from './engine-factory.js';
import { errorMessage } from './errors.js';

/** The helper subcommands the engine spawns through the daemon's launcher (hidden, as the CLI's). */
export const helperCommands = ['__console', '__logs', '__monitor'] as const;

export function isHelperCommand(name: string | undefined): boolean {
  return (helperCommands as readonly (string | undefined)[]).includes(name);
}

/** dockerd's message and exit code of a start that failed (127 not found, 126 not invokable, else 125). */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  const exitCode = error instanceof DriverError ? (error.code === 'COMMAND_NOT_FOUND' ? 127 : error.code === 'COMMAND_NOT_INVOKABLE' ? 126 : 125) : 125;
  return { message: `failed to create task for container: ${errorMessage(error)}: unknown`, exitCode };
}

/**
 * `execdriverd __console [--wait-for-client] [--keep-on-failure] ID` (console holder of a tty
 * container), `__logs ID` (log holder of a detached one), `__monitor ID` (restart monitor): the
 * engine's helpers, run with the daemon's settings from the environment.
 */
export async function runHelper(argv: readonly string[], daemonPath: string): Promise<number> {
  const [command, ...rest] = argv;
  const id = rest.filter((arg) => !arg.startsWith('--'))[0];
  if (!id) throw new Error(`usage: execdriverd ${command} ${command === '__console' ? '[--wait-for-client] [--keep-on-failure] ' : ''}ID`);
  const engine = createEngine(settingsFromEnv(process.env), daemonPath);
  if (command === '__logs') return runLogHolder(engine, id, { describeFailure });
  if (command === '__monitor') {
    const end = await runMonitor(engine, id, { onError: (error) => process.stderr.write(`${new Date().toISOString()} restart failed: ${errorMessage(error)}\n`) });
    process.stderr.write(`${new Date().toISOString()} monitor ended: ${end}\n`);
    return 0;
  }
  const record = (await engine.find(id)).record;
  return runConsoleHolder(engine, id, {
    waitForClient: rest.includes('--wait-for-client'),
    // Docker keeps a container whose start failed (it shows Exit 127); AutoRemove ones go, unless the caller keeps it (start, restarts).
    removeOnFailure: !rest.includes('--keep-on-failure') && record.autoRemove,
    describeFailure,
  });
}
