import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { TerminalError } from './errors.js';
import { heldTerminalArgs, resizeTerminalOf, shellQuote } from './held-terminal.js';

describe('held terminal', () => {
  test('shellQuote survives sh for quotes, spaces and $', () => {
    const tricky = ["it's", 'a b', '$HOME', '"x"', '', "'"];
    const printed = spawnSync('/bin/sh', ['-c', `printf '%s\\n' ${tricky.map(shellQuote).join(' ')}`], { encoding: 'utf8' }).stdout;
    expect(printed).toBe(`${tricky.join('\n')}\n`);
  });

  test('heldTerminalArgs runs the program under script, raw and sized, exiting with its status', () => {
    const args = heldTerminalArgs(['/bin/sh', '-c', 'stty size; exit 3'], { cols: 90, rows: 20 });
    expect(args.slice(1, 6)).toEqual(['--quiet', '--return', '--echo', 'never', '--command']);
    const result = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', env: { ...process.env, SHELL: '/bin/sh' }, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('20 90\n');
  });

  test('a bad size or a missing script is a TerminalError', () => {
    expect(() => heldTerminalArgs(['true'], { cols: 0, rows: 10 })).toThrow(expect.objectContaining({ code: 'INVALID_SIZE' }));
    expect(() => heldTerminalArgs(['true'], { cols: 80, rows: 24 }, '/nonexistent')).toThrow(expect.objectContaining({ code: 'SPAWN_FAILED', message: expect.stringContaining('util-linux') }));
  });

  test('resizeTerminalOf refuses a process without a terminal, naming it', async () => {
    const error = await resizeTerminalOf(process.pid, { cols: 80, rows: 24 }, '/nonexistent-proc').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TerminalError);
    expect(error).toMatchObject({ code: 'RESIZE_FAILED', message: expect.stringContaining(String(process.pid)) });
  });
});
