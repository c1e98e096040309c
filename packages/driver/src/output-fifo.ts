import { execFile } from 'node:child_process';
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { DriverError } from './errors.js';

/** `execFile` as a promise, made on first use (the CLI's bundle loads `node:child_process` only then). */
function run(file: string, args: readonly string[], options: { timeout?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(file, args, { ...options, encoding: 'utf8' });
}

/** The read ends of a detached container's output FIFOs. */
export interface ContainerOutput {
  stdout: Readable;
  stderr: Readable;
}

/** Raw read ends, opened before the shim holds the FIFOs (so output of a quick exit is kept). */
export interface OutputReaders {
  stdout: number;
  stderr: number;
}

/** Makes the FIFOs (root-only, 0600): coreutils' mkfifo, as Node has none. `stdin` for a terminal's keyboard. */
export async function makeOutputFifos(paths: { stdout: string; stderr: string; stdin?: string }): Promise<void> {
  try {
    await run('mkfifo', ['-m', '600', paths.stdout, paths.stderr, ...(paths.stdin === undefined ? [] : [paths.stdin])]);
  } catch (error) {
    throw new DriverError('IO_FAILED', `cannot make the output FIFOs ${paths.stdout} and ${paths.stderr}: ${(error as Error).message}`, { path: paths.stdout, cause: error });
  }
}

/** Makes the FIFOs and opens their read ends. @throws DriverError IO_FAILED naming the FIFO */
export async function openOutputFifos(paths: { stdout: string; stderr: string; stdin?: string }): Promise<OutputReaders> {
  await makeOutputFifos(paths);
  const stdout = openFifoReader(paths.stdout);
  const stderr = openFifoReader(paths.stderr);
  if (stdout === undefined || stderr === undefined) {
    for (const fd of [stdout, stderr]) if (fd !== undefined) closeSync(fd);
    throw new DriverError('IO_FAILED', `cannot open the output FIFO ${stdout === undefined ? paths.stdout : paths.stderr}`, { path: stdout === undefined ? paths.stdout : paths.stderr });
  }
  return { stdout, stderr };
}

/**
 * Opens the read end of a FIFO without blocking (O_NONBLOCK: no writer needed). Holding it keeps
 * what is written until it is read, even once every writer is gone. undefined when it is not
 * there (or not a FIFO: a container started another way).
 */
export function openFifoReader(path: string): number | undefined {
  return openFifo(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** Opens `path` with `flags` when it is a FIFO (never following a link); undefined otherwise or when it cannot. */
function openFifo(path: string, flags: number): number | undefined {
  try {
    if (!lstatSync(path).isFIFO()) return undefined;
    // libuv adds O_CLOEXEC: no other child inherits it.
    return openSync(path, flags);
  } catch {
    return undefined;
  }
}

/**
 * A stream over a FIFO read end, read by the event loop (a libuv pipe, not the thread pool): it
 * ends once every writer is gone (the shim holds one until it exits) and the FIFO is empty.
 * Call once a writer holds it: with none, it ends at once.
 */
export function fifoStream(fd: number): Readable {
  const socket = new Socket({ fd, readable: true, writable: false });
  socket.on('error', () => undefined);
  return socket;
}

/** How long an exit waits for the reader of its output (dockerd waits 2 s for its copiers). */
const outputWaitMs = 2000;

/** Resolves once both streams closed (read to their end, or destroyed), or after 2 s. */
export function outputClosed(output: ContainerOutput): Promise<void> {
  const closed = (stream: Readable) => new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.once('close', () => resolve())));
  return withinOutputWait(Promise.all([closed(output.stdout), closed(output.stderr)]));
}

/** Resolves when `delivered` settles, or after the bounded wait for output (2 s), whichever is first. */
export function withinOutputWait(delivered: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, outputWaitMs);
    timer.unref();
  });
  const settled = delivered.then(
    () => undefined,
    () => undefined,
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

export function closeReaders(readers: OutputReaders): void {
  for (const fd of [readers.stdout, readers.stderr]) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }
}

/**
 * A writer on a running container's stdin FIFO (a terminal's keyboard), undefined when it has
 * none. The shim holds the FIFO read-write, so the open never waits; a write waits while 64 KiB
 * are unread.
 */
export function openInputFifo(path: string): Writable | undefined {
  const fd = openFifo(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return fd === undefined ? undefined : fifoWriter(fd);
}

/** A stream over a FIFO write end, written by the event loop (a libuv pipe); `end()` closes it. */
export function fifoWriter(fd: number): Writable {
  const socket = new Socket({ fd, readable: false, writable: true });
  socket.on('error', () => undefined);
  return socket;
}
