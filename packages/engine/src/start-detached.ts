import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { HolderMessage } from './console-holder.js';
import { consolePaths } from './console-protocol.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { startWithLogHolder } from './log-holder.js';
import type { ContainerRecord } from './record.js';

/**
 * The arguments an app's helper launcher must route to its console holder
 * (`runConsoleHolder(engine, id, { removeOnFailure: false })`) for an existing container.
 */
export function consoleHelperArgs(id: string): string[] {
  return ['__console', '--keep-on-failure', id];
}

function holderStarted(child: ChildProcess, id: string, logPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: HolderMessage) => {
      if (message.type === 'listening') return;
      cleanup();
      if (message.type === 'started') resolve();
      else reject(new EngineError('CONSOLE_FAILED', `container ${id} did not start: ${message.message}`));
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new EngineError('CONSOLE_FAILED', `the console holder of container ${id} exited (${code}) before the container started; see ${logPath}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (child.connected) child.disconnect();
      child.unref();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts an existing container in the background, as `docker start` (no attach) and the restart
 * monitor do: its output to its json-file log through a log holder; a tty container through a console holder (a helper
 * process holding its terminal, so `attach` can reach it later).
 */
export async function startDetached(engine: Engine, record: ContainerRecord, options: { monitor?: boolean } = {}): Promise<void> {
  if (!record.command.process.tty) {
    // A log holder starts it, its output going to the container's json-file log.
    await startWithLogHolder(engine, record.id);
    return;
  }
  const paths = consolePaths(engine.stateRoot, record.id);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const child = engine.helper()(consoleHelperArgs(record.id), { logPath: paths.log, ipc: true });
  await holderStarted(child, record.id, paths.log);
}
