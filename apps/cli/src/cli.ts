import { createContext } from './context.js';
import { commandEntries, main } from './main.js';
import { exitCodeOf } from './errors.js';

/** One line: the message with its line breaks folded (driver and spec messages may list several issues). */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ');
}

/**
 * The CLI's bundle entry (dist/bundle.js), run by the launcher (dist/cli.js, src/launcher.ts)
 * with V8's code cache: runs one command and says its exit code.
 * @param cliPath the launcher, which helpers are started with
 */
export async function runCli(cliPath: string, args: readonly string[]): Promise<number> {
  const context = createContext({ env: process.env, cliPath });
  const result = await main(args, context);
  if (!('error' in result)) return result.exitCode;
  process.stderr.write(`execdriver: ${oneLine(result.error)}\n`);
  if (process.env.EXECDRIVER_DEBUG && result.error instanceof Error) process.stderr.write(`${result.error.stack}\n`);
  return exitCodeOf(result.error, result.commandName);
}

/** Whether `name` is a command (the launcher caches only commands, not every typo). */
export function isCommand(name: string): boolean {
  return commandEntries.some((entry) => entry.name === name || entry.name.startsWith(`${name} `));
}
