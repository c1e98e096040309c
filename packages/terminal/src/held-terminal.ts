import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TerminalError } from './errors.js';
import { resolveExecutable } from './resolve-executable.js';
import { assertWindowSize, type WindowSize } from './window-size.js';

/** Quotes one argument for sh: single quotes, with each `'` as `'\''`. */
export function shellQuote(argument: string): string {
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/**
 * The argv that runs `argv` on a pseudo-terminal held by util-linux `script(1)` (a small C program,
 * no Node process), with script's standard input and output as the terminal's keyboard and screen:
 * the way a terminal program gets a host console when nothing but FIFOs is left to talk to it
 * (runc's foreground `run` with `process.terminal` needs one). The terminal is raw (no echo, no
 * line editing, no newline translation: the program's own terminal does those) and of `size`.
 * script's exit status is the program's (`--return`).
 * @throws TerminalError SPAWN_FAILED when script is not installed; INVALID_SIZE
 */
export function heldTerminalArgs(argv: readonly string[], size: WindowSize, searchPath = process.env.PATH): string[] {
  assertWindowSize(size.cols, size.rows);
  const script = resolveExecutable('script', searchPath, '/');
  if (!script) throw new TerminalError('SPAWN_FAILED', 'script (util-linux: apt-get install -y bsdutils) is needed to hold a detached terminal, and is not on PATH');
  const command = `stty raw -echo cols ${size.cols} rows ${size.rows}; exec ${argv.map(shellQuote).join(' ')}`;
  return [script, '--quiet', '--return', '--echo', 'never', '--command', command, '/dev/null'];
}

/** Whether a /proc fd link names a terminal device (a pts or the console). */
function isTerminalLink(target: string): boolean {
  return /^\/dev\/(pts\/\d+|console|tty\w*)$/.test(target);
}

/**
 * Resizes the terminal of a running process from outside it, as a window manager would: the
 * first of its standard streams that is a terminal (`/proc/PID/fd/0..2`, which opens that very
 * device whatever mount namespace it is in) gets the new size, and the kernel sends SIGWINCH to
 * its foreground process group. With coreutils' `stty`, as Node has no ioctl.
 * @throws TerminalError INVALID_SIZE; RESIZE_FAILED when the process has no terminal or stty fails
 */
export async function resizeTerminalOf(pid: number, size: WindowSize, procRoot = '/proc'): Promise<void> {
  assertWindowSize(size.cols, size.rows);
  let device: string | undefined;
  for (const fd of [0, 1, 2]) {
    const link = join(procRoot, String(pid), 'fd', String(fd));
    try {
      if (isTerminalLink(readlinkSync(link))) {
        device = link;
        break;
      }
    } catch {
      // Gone, or not ours to read: the next one.
    }
  }
  if (!device) throw new TerminalError('RESIZE_FAILED', `process ${pid} has no terminal on its standard streams`);
  await new Promise<void>((resolve, reject) => {
    execFile('stty', ['-F', device, 'cols', String(size.cols), 'rows', String(size.rows)], (error, _stdout, stderr) => {
      if (error) reject(new TerminalError('RESIZE_FAILED', `cannot resize the terminal of process ${pid} to ${size.cols}x${size.rows}: ${(stderr || error.message).trim()}`, { cause: error }));
      else resolve();
    });
  });
}
