import type { ChildProcess } from 'node:child_process';
import { finished, pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { TerminalError } from './errors.js';

/** Where a program's plain stdio comes from and goes to. A missing output is read and dropped. */
export interface StdioStreams {
  /** Streamed into the program's stdin; its end closes the program's stdin. None: stdin is closed at once. */
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
}

export interface PipeStdioOptions {
  /**
   * End `stdout` and `stderr` once the program's output ended (default true). `process.stdout` and
   * `process.stderr` are never ended, as Node's own `readable.pipe()` never ends them: the caller
   * keeps writing to them afterwards.
   */
  end?: boolean;
}

/**
 * Connects a child process spawned with `stdio: 'pipe'` to the given streams: stdin streamed in
 * with its end propagated, stdout and stderr kept apart, backpressure respected both ways (a slow
 * reader makes the program block on its writes; memory stays bounded by the streams' buffers).
 *
 * Settles when the program's stdout and stderr have been written out (and ended, unless
 * `end: false`); then `stdin` is unpiped but left open, since it belongs to the caller. A program
 * that exits or closes its stdin without reading all of it is not an error.
 *
 * @example
 * const child = spawn('sort', [], { stdio: 'pipe' });
 * await pipeStdio(child, { stdin: createReadStream('names.txt'), stdout: process.stdout });
 */
export async function pipeStdio(child: ChildProcess, streams: StdioStreams, options: PipeStdioOptions = {}): Promise<void> {
  const input = streams.stdin;
  const programStdin = child.stdin;
  let stdinFailure: TerminalError | undefined;
  const onStdinError = (error: NodeJS.ErrnoException) => {
    // The program closing its stdin early is its choice (EPIPE); anything else is reported.
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
      stdinFailure ??= new TerminalError('STREAM_FAILED', `cannot write to the stdin of pid ${child.pid}`, { cause: error });
    }
    if (input !== undefined && programStdin !== null) input.unpipe(programStdin);
  };
  const onInputError = (error: Error) => {
    stdinFailure ??= new TerminalError('STREAM_FAILED', `cannot read the stdin meant for pid ${child.pid}`, { cause: error });
    if (programStdin !== null) {
      input?.unpipe(programStdin);
      programStdin.end();
    }
  };
  if (programStdin !== null) {
    programStdin.on('error', onStdinError);
    if (input === undefined) programStdin.end();
    else {
      input.on('error', onInputError);
      input.pipe(programStdin);
    }
  }

  const outputs: Array<{ name: 'stdout' | 'stderr'; source: Readable; destination: Writable | undefined }> = [];
  if (child.stdout !== null) outputs.push({ name: 'stdout', source: child.stdout, destination: streams.stdout });
  if (child.stderr !== null) outputs.push({ name: 'stderr', source: child.stderr, destination: streams.stderr });
  try {
    await Promise.all(
      outputs.map(async ({ name, source, destination }) => {
        try {
          if (destination === undefined) {
            source.resume();
            await finished(source);
          } else {
            await pipeline(source, destination, { end: false });
          }
        } catch (error) {
          throw new TerminalError('STREAM_FAILED', `cannot pass on the ${name} of pid ${child.pid}`, { cause: error });
        }
      }),
    );
    if (options.end !== false) {
      const destinations = new Set(
        outputs.flatMap(({ destination }) => (destination === undefined || destination === process.stdout || destination === process.stderr ? [] : [destination])),
      );
      await Promise.all(
        [...destinations].map(async (destination) => {
          destination.end();
          try {
            await finished(destination);
          } catch (error) {
            throw new TerminalError('STREAM_FAILED', `cannot finish writing the output of pid ${child.pid}`, { cause: error });
          }
        }),
      );
    }
  } finally {
    if (input !== undefined && programStdin !== null) {
      input.unpipe(programStdin);
      input.off('error', onInputError);
    }
  }
  if (stdinFailure !== undefined) throw stdinFailure;
}
