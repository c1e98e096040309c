import { fileURLToPath } from 'node:url';
import { createContext } from './context.js';
import { main } from './main.js';
import { exitCodeOf } from './errors.js';

/** One line: the message with its line breaks folded (driver and spec messages may list several issues). */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ');
}

const context = createContext({ env: process.env, cliPath: fileURLToPath(import.meta.url) });
const result = await main(process.argv.slice(2), context);
let exitCode: number;
if ('error' in result) {
  process.stderr.write(`execdriver: ${oneLine(result.error)}\n`);
  if (process.env.EXECDRIVER_DEBUG && result.error instanceof Error) process.stderr.write(`${result.error.stack}\n`);
  exitCode = exitCodeOf(result.error, result.commandName);
} else exitCode = result.exitCode;
// Detached containers and helpers leave handles (hook FIFOs, IPC) that must not keep the CLI alive.
process.exit(exitCode);
