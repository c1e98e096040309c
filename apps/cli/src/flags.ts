import { usageError } from './errors.js';

export type FlagKind = 'boolean' | 'string' | 'list';

export interface FlagDefinition {
  /** Long name without dashes: `memory`. */
  name: string;
  /** One-letter name without the dash: `m`. */
  short?: string;
  kind: FlagKind;
  description: string;
  /** Shown in help: `--memory bytes`. */
  valueName?: string;
}

export type FlagValue = boolean | string | string[];

export interface ParsedArguments {
  /** By long name; list flags collect every occurrence in order. */
  flags: Map<string, FlagValue>;
  positionals: string[];
  help: boolean;
}

export interface ParseOptions {
  /** Docker's `run IMAGE [COMMAND] [ARG...]`: everything from the first positional on is positional. */
  stopAtFirstPositional?: boolean;
}

const helpFlag: FlagDefinition = { name: 'help', kind: 'boolean', description: 'Print usage' };

function booleanValue(definition: FlagDefinition, text: string): boolean {
  if (/^(true|1)$/i.test(text)) return true;
  if (/^(false|0)$/i.test(text)) return false;
  throw usageError(`invalid value ${JSON.stringify(text)} for flag --${definition.name}: expected true or false`);
}

/**
 * Parses arguments the way Docker's CLI (spf13/pflag) does: `--name value`, `--name=value`,
 * `-e VALUE`, `-eVALUE`, `-e=VALUE`, grouped booleans (`-dit`), `--rm=false`, and `--` ending the
 * flags. A value flag takes the next argument whatever it looks like. Unknown flags are errors.
 */
export function parseArguments(argv: readonly string[], definitions: readonly FlagDefinition[], options: ParseOptions = {}): ParsedArguments {
  const all = [...definitions, helpFlag];
  const byName = new Map(all.map((definition) => [definition.name, definition]));
  const byShort = new Map(all.filter((definition) => definition.short).map((definition) => [definition.short!, definition]));
  const flags = new Map<string, FlagValue>();
  const positionals: string[] = [];

  const set = (definition: FlagDefinition, value: string | boolean) => {
    if (definition.kind === 'list') {
      const previous = flags.get(definition.name);
      flags.set(definition.name, [...(Array.isArray(previous) ? previous : []), String(value)]);
    } else flags.set(definition.name, value);
  };

  let index = 0;
  const takeValue = (shown: string, definition: FlagDefinition): string => {
    index += 1;
    const value = argv[index];
    if (value === undefined) throw usageError(`flag needs an argument: ${shown}`);
    return value;
  };

  for (; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (argument === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (argument.startsWith('--')) {
      const equals = argument.indexOf('=');
      const name = argument.slice(2, equals === -1 ? undefined : equals);
      const definition = byName.get(name);
      if (!definition) throw usageError(`unknown flag: --${name}`);
      if (definition.kind === 'boolean') set(definition, equals === -1 ? true : booleanValue(definition, argument.slice(equals + 1)));
      else set(definition, equals === -1 ? takeValue(`--${name}`, definition) : argument.slice(equals + 1));
      continue;
    }
    if (argument.startsWith('-') && argument.length > 1) {
      for (let position = 1; position < argument.length; position += 1) {
        const letter = argument[position]!;
        const definition = byShort.get(letter);
        if (!definition) throw usageError(`unknown shorthand flag: '${letter}' in ${argument}`);
        if (definition.kind === 'boolean') {
          if (argument[position + 1] === '=') {
            set(definition, booleanValue(definition, argument.slice(position + 2)));
            break;
          }
          set(definition, true);
          continue;
        }
        const rest = argument.slice(position + 1);
        if (rest === '') set(definition, takeValue(`-${letter}`, definition));
        else set(definition, rest.startsWith('=') ? rest.slice(1) : rest);
        break;
      }
      continue;
    }
    positionals.push(argument);
    if (options.stopAtFirstPositional) {
      positionals.push(...argv.slice(index + 1));
      break;
    }
  }
  const help = flags.get('help') === true;
  flags.delete('help');
  return { flags, positionals, help };
}

export function flagString(parsed: ParsedArguments, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function flagBoolean(parsed: ParsedArguments, name: string): boolean {
  return parsed.flags.get(name) === true;
}

export function flagList(parsed: ParsedArguments, name: string): string[] {
  const value = parsed.flags.get(name);
  return Array.isArray(value) ? value : [];
}

/** The `--help` text: usage line, description, and the flags in a column like Docker's. */
export function formatHelp(usage: string, description: string, definitions: readonly FlagDefinition[]): string {
  const lines = [`Usage:  ${usage}`, '', description];
  const all = [...definitions, helpFlag];
  if (all.length > 0) {
    lines.push('', 'Options:');
    const heads = all.map((definition) => {
      const short = definition.short ? `-${definition.short}, ` : '    ';
      const value = definition.kind === 'boolean' ? '' : ` ${definition.valueName ?? (definition.kind === 'list' ? 'list' : 'string')}`;
      return `  ${short}--${definition.name}${value}`;
    });
    const width = Math.max(...heads.map((head) => head.length)) + 3;
    all.forEach((definition, position) => lines.push(`${heads[position]!.padEnd(width)}${definition.description}`));
  }
  return `${lines.join('\n')}\n`;
}
