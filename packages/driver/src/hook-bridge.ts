import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, lstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { containerStateSchema, type ContainerState, type RuntimeHook } from '@execdriver/spec';
import { toDriverError } from './to-driver-error.js';

/**
 * The hook bridge: runc runs OCI hooks as host processes that block it until they exit and get
 * the container's state (pid included) on stdin. Our hook is a few lines of sh that forward the
 * state to the driver through a FIFO and, for createRuntime, wait for the driver's answer on a
 * second FIFO. If the driver is gone, the answer FIFO reaches end-of-file and the hook fails,
 * so a start never continues unsupervised.
 */
export const hookScript = `#!/bin/sh
# execdriver hook bridge. $1: phase, $2: container state dir; runc writes the OCI state on stdin.
state=$(cat)
printf '%s %s\\n' "$1" "$state" > "$2/hook-events" || exit 1
read -r answer < "$2/hook-answer" || exit 1
[ "$answer" = ok ] && exit 0
echo "execdriver: $1 hook failed" >&2
exit 1
`;

/** How long runc lets our blocking hook run before it kills it and aborts the start. */
export const hookTimeoutSeconds = 300;

/**
 * Puts the hook script in the state root, once: a script already there with this text (a regular
 * file, mode 0700) is left as it is. Never rewritten in place: runc may be running it for another
 * process's start, and `sh` reads its script as it goes (a truncation under it ends the hook early),
 * so a new text is written beside it and renamed over it.
 */
export async function installHookScript(stateRoot: string): Promise<string> {
  const path = join(stateRoot, 'hook.sh');
  try {
    const info = lstatSync(path);
    if (info.isFile() && (info.mode & 0o7777) === 0o700 && info.uid === (process.getuid?.() ?? info.uid) && readFileSync(path, 'latin1') === hookScript) return path;
  } catch {
    // Not there yet (or unreadable): written below.
  }
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, hookScript, { mode: 0o700 });
    chmodSync(temporary, 0o700); // whatever the umask
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw toDriverError(error, `state root ${stateRoot}: cannot write ${path}`);
  }
  return path;
}

/** The OCI hook that hands the driver the container's state before the user's process runs. */
export function bridgeHooks(script: string, dir: string): { createRuntime: RuntimeHook[] } {
  return { createRuntime: [{ path: '/bin/sh', args: ['sh', script, 'createRuntime', dir], timeout: hookTimeoutSeconds }] };
}

export interface HookEvent {
  phase: 'createRuntime';
  state: ContainerState;
}

/** The driver's end of the bridge for one container start. */
export class HookChannel {
  readonly #events: Socket;
  readonly #answerFd: number;
  #closed = false;

  private constructor(events: Socket, answerFd: number) {
    this.#events = events;
    this.#answerFd = answerFd;
  }

  /** Makes the two FIFOs in `dir` and opens them without blocking (O_RDWR keeps them from reaching EOF early). */
  static open(paths: { hookEvents: string; hookAnswer: string }): HookChannel {
    execFileSync('mkfifo', ['-m', '600', paths.hookEvents, paths.hookAnswer]);
    const eventsFd = openSync(paths.hookEvents, constants.O_RDWR | constants.O_NONBLOCK);
    const answerFd = openSync(paths.hookAnswer, constants.O_RDWR | constants.O_NONBLOCK);
    return new HookChannel(new Socket({ fd: eventsFd, readable: true, writable: false }), answerFd);
  }

  /** Calls `listener` for each hook event, in order. */
  onEvent(listener: (event: HookEvent) => void): void {
    const lines = createInterface({ input: this.#events });
    lines.on('line', (line) => {
      const space = line.indexOf(' ');
      const phase = line.slice(0, space);
      if (phase !== 'createRuntime') return;
      const parsed = containerStateSchema.safeParse(JSON.parse(line.slice(space + 1)));
      if (parsed.success) listener({ phase, state: parsed.data });
    });
  }

  answer(ok: boolean): void {
    if (!this.#closed) writeSync(this.#answerFd, ok ? 'ok\n' : 'fail\n');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.destroy();
    closeSync(this.#answerFd);
  }
}
