import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createHarness, waitFor, type Harness } from './harness.js';

let harness: Harness;
/** A tmux server of our own, so other tmux users on the machine are not touched. */
let socket: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Opens a 100x30 tmux pane running `execdriver <args>`, then writing its exit code to a file. */
function openPane(session: string, args: string[], exitFile: string): void {
  const env = Object.entries(harness.env).map(([key, value]) => `${key}=${shellQuote(value)}`).join(' ');
  const command = `env ${env} ${shellQuote(process.execPath)} ${shellQuote(cliPath)} ${args.map(shellQuote).join(' ')}; echo $? > ${shellQuote(exitFile)}; sleep 60`;
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
}

function screen(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function screenShows(session: string, pattern: RegExp): Promise<string> {
  return waitFor(`${pattern} on the screen of ${session}`, () => {
    const text = screen(session);
    return pattern.test(text) ? text : undefined;
  });
}

async function exitCodeIn(file: string): Promise<number> {
  return waitFor(`exit code in ${file}`, async () => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.trim() === '' ? undefined : Number(text.trim());
  });
}

beforeAll(async () => {
  harness = await createHarness('tty');
  socket = harness.marker;
});

afterAll(async () => {
  try {
    tmux('kill-server');
  } catch {
    // Already gone.
  }
  expect(await harness.cleanup()).toEqual([]);
});

describe('run -it through a real terminal (tmux)', () => {
  it('gives a prompt, follows resizes, passes ctrl-c, detaches with ctrl-p ctrl-q, re-attaches and returns the exit code', async () => {
    const base = dirname(harness.stateRoot);
    openPane('first', ['run', '-it', '--name', 'shell', 'busybox', 'sh'], join(base, 'first.exit'));
    await screenShows('first', /^\/ #\s*$/m);

    tmux('send-keys', '-t', 'first', 'stty size', 'Enter');
    await screenShows('first', /^30 100$/m);
    tmux('resize-window', '-t', 'first', '-x', '120', '-y', '40');
    await waitFor('the new size', () => (tmux('display-message', '-p', '-t', 'first', '#{window_width}x#{window_height}').trim() === '120x40' ? true : undefined));
    tmux('send-keys', '-t', 'first', 'clear; stty size', 'Enter');
    await screenShows('first', /^40 120$/m);

    // Line editing: the shell gets the keys, not lines.
    tmux('send-keys', '-t', 'first', 'echo hellx', 'BSpace', 'o-edit', 'Enter');
    await screenShows('first', /^hello-edit$/m);

    // ctrl-c reaches the container's foreground process, not the CLI.
    tmux('send-keys', '-t', 'first', 'clear; sleep 30', 'Enter');
    await waitFor('sleep to run', async () => ((await harness.cli(['top', 'shell'])).stdout.includes('sleep 30') ? true : undefined));
    tmux('send-keys', '-t', 'first', 'C-c');
    await waitFor('sleep to end', async () => (!(await harness.cli(['top', 'shell'])).stdout.includes('sleep 30') ? true : undefined), 10_000);
    tmux('send-keys', '-t', 'first', 'echo status-$?', 'Enter');
    await screenShows('first', /^status-130$/m);

    tmux('send-keys', '-t', 'first', 'C-p', 'C-q');
    expect(await exitCodeIn(join(base, 'first.exit'))).toBe(0);
    expect((await harness.cli(['ps'])).stdout).toMatch(/\n[0-9a-f]{12}\s+busybox\s+"sh"\s+.*Up .*\sshell\n/);

    openPane('second', ['attach', 'shell'], join(base, 'second.exit'));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let attach connect (CLI start-up is slower under load)
    tmux('send-keys', '-t', 'second', 'clear; stty size; echo attached', 'Enter');
    await screenShows('second', /^attached$/m);
    expect(screen('second')).toMatch(/^30 100$/m);
    tmux('send-keys', '-t', 'second', 'exit 5', 'Enter');
    expect(await exitCodeIn(join(base, 'second.exit'))).toBe(5);

    const [inspect] = JSON.parse((await harness.cli(['inspect', 'shell'])).stdout) as [{ State: Record<string, unknown>; Config: Record<string, unknown> }];
    expect(inspect.State).toMatchObject({ Status: 'exited', ExitCode: 5 });
    expect(inspect.Config).toMatchObject({ Tty: true, OpenStdin: true });
    // The terminal output went to the log as well.
    expect((await harness.cli(['logs', 'shell'])).stdout).toContain('attached');
    expect((await harness.cli(['rm', 'shell'])).exitCode).toBe(0);
    expect(harness.leftovers()).toEqual([]);
  });

  it('returns the exit code of run -it --rm and removes the container', async () => {
    const base = dirname(harness.stateRoot);
    openPane('third', ['run', '-it', '--rm', 'busybox', 'sh'], join(base, 'third.exit'));
    await screenShows('third', /^\/ #\s*$/m);
    tmux('send-keys', '-t', 'third', 'exit 3', 'Enter');
    expect(await exitCodeIn(join(base, 'third.exit'))).toBe(3);
    expect((await harness.cli(['ps', '-aq'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });

  it('runs a detached terminal container with -dit and attaches to it', async () => {
    const base = dirname(harness.stateRoot);
    expect(await harness.cli(['run', '-dit', '--name', 'bg', 'busybox', 'sh'])).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/), stderr: '' });
    openPane('fourth', ['attach', 'bg'], join(base, 'fourth.exit'));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let attach connect (CLI start-up is slower under load)
    tmux('send-keys', '-t', 'fourth', 'echo in-$((40+2)); exit 9', 'Enter');
    await screenShows('fourth', /^in-42$/m);
    expect(await exitCodeIn(join(base, 'fourth.exit'))).toBe(9);
    expect((await harness.cli(['rm', 'bg'])).exitCode).toBe(0);
  });

  it('says "the input device is not a TTY" for -it without a terminal', async () => {
    expect(await harness.cli(['run', '-it', 'busybox', 'sh'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: 'execdriver: the input device is not a TTY: run -it from a terminal, or drop -t\n',
    });
  });
});
