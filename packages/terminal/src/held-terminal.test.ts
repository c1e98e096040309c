import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  test('resizeTerminalOf refuses a process without a terminal (its stdio are pipes), naming it', async () => {
    const child = spawn('sleep', ['10'], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const error = await resizeTerminalOf(child.pid!, { cols: 80, rows: 24 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TerminalError);
      expect(error).toMatchObject({ code: 'RESIZE_FAILED', message: expect.stringContaining(String(child.pid)) });
    } finally {
      child.kill();
    }
  });

  test('resizeTerminalOf sizes the terminal a process runs on (script holds it), as stty inside sees it', async () => {
    const args = heldTerminalArgs(['/bin/sh', '-c', 'read line; stty size'], { cols: 80, rows: 24 });
    const child = spawn(args[0]!, args.slice(1), { env: { ...process.env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // The shell runs under script: the terminal is on the stdio of script's child, the shell.
      let shell: number | undefined;
      for (let waited = 0; shell === undefined && waited < 5000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
        if (children !== '') shell = Number(children.split(' ')[0]);
      }
      // Once script's own stty sized it (so ours comes after).
      for (let waited = 0; waited < 5000; waited += 20) {
        if (spawnSync('stty', ['-F', `/proc/${shell}/fd/0`, 'size'], { encoding: 'utf8' }).stdout.trim() === '24 80') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await resizeTerminalOf(shell!, { cols: 132, rows: 43 });
      child.stdin.end('go\n');
      expect(await exited).toBe(0);
      expect(out).toContain('43 132');
    } finally {
      // A failed assertion leaves nothing running: script goes, its shell gets SIGHUP with the terminal.
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
