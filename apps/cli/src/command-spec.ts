import type { Context } from './context.js';
import type { FlagDefinition, ParsedArguments } from './flags.js';

/** One CLI command: its help, its flags and what it does. Returns the process exit code. */
export interface CommandSpec {
  name: string;
  /** After `execdriver `: `run [OPTIONS] IMAGE [COMMAND] [ARG...]`. */
  usage: string;
  description: string;
  flags: readonly FlagDefinition[];
  /** Arguments after the first positional are positional too (`run`, `exec`). */
  stopAtFirstPositional?: boolean;
  minArgs?: number;
  maxArgs?: number;
  /** Hidden from the command list (internal helpers). */
  hidden?: boolean;
  /** Parses its own arguments (`run`, `spec`) instead of the generic parser. */
  rawArguments?: boolean;
  run(context: Context, parsed: ParsedArguments, argv: readonly string[]): Promise<number>;
}
