import { describe, expect, it } from 'vitest';
import { formatHelp, parseArguments, type FlagDefinition } from './flags.js';

const definitions: FlagDefinition[] = [
  { name: 'detach', short: 'd', kind: 'boolean', description: 'detach' },
  { name: 'interactive', short: 'i', kind: 'boolean', description: 'stdin' },
  { name: 'tty', short: 't', kind: 'boolean', description: 'tty' },
  { name: 'rm', kind: 'boolean', description: 'remove' },
  { name: 'env', short: 'e', kind: 'list', description: 'env' },
  { name: 'name', kind: 'string', description: 'name' },
];

describe('parseArguments (pflag semantics)', () => {
  it.each([
    { argv: ['-dit', 'img'], flags: { detach: true, interactive: true, tty: true }, positionals: ['img'] },
    { argv: ['--name', 'x', 'img'], flags: { name: 'x' }, positionals: ['img'] },
    { argv: ['--name=x', 'img'], flags: { name: 'x' }, positionals: ['img'] },
    { argv: ['-e', 'A=1', '-eB=2', '-e=C=3', 'img'], flags: { env: ['A=1', 'B=2', 'C=3'] }, positionals: ['img'] },
    { argv: ['--rm=false', 'img'], flags: { rm: false }, positionals: ['img'] },
    { argv: ['-e', '--rm', 'img'], flags: { env: ['--rm'] }, positionals: ['img'] },
    { argv: ['img', '-d', '--rm'], flags: {}, positionals: ['img', '-d', '--rm'] },
    { argv: ['--', '-d'], flags: {}, positionals: ['-d'] },
  ])('$argv', ({ argv, flags, positionals }) => {
    const parsed = parseArguments(argv, definitions, { stopAtFirstPositional: true });
    expect(Object.fromEntries(parsed.flags)).toEqual(flags);
    expect(parsed.positionals).toEqual(positionals);
  });

  it('keeps parsing flags after positionals when not stopping', () => {
    const parsed = parseArguments(['a', '-d', 'b'], definitions);
    expect(parsed.positionals).toEqual(['a', 'b']);
    expect(parsed.flags.get('detach')).toBe(true);
  });

  it.each([
    [['--bogus'], 'unknown flag: --bogus'],
    [['-x'], "unknown shorthand flag: 'x' in -x"],
    [['--name'], 'flag needs an argument: --name'],
    [['--rm=maybe'], 'invalid value "maybe" for flag --rm: expected true or false'],
  ])('%j fails: %s', (argv, message) => {
    expect(() => parseArguments(argv, definitions)).toThrow(message);
  });

  it('sees --help', () => {
    expect(parseArguments(['--help'], definitions).help).toBe(true);
    expect(formatHelp('execdriver x', 'Does x', definitions)).toContain('  -e, --env list');
  });
});
