import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ImageError } from './errors.js';

export interface ImportProgress {
  readBytes: number;
  totalBytes: number | undefined;
}

/** What tar said, in one line: `X does not look like a tar archive` for a file that is not one. */
export function tarFailure(file: string, stderr: string, code: number): string {
  if (/does not look like a tar archive/i.test(stderr)) return `${file} does not look like a tar archive (plain or gzip)`;
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^tar: /, '').trim())
    .filter((line) => line !== '' && !/^Exiting with failure status/.test(line) && !/^Error is not recoverable/.test(line));
  return `tar could not extract ${file}: ${lines[0] ?? `exit ${code}`}`;
}

function isClosedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}

/**
 * tar's stdin as the end of the import pipeline. GNU tar exits at the end-of-archive marker,
 * before the archive's trailing padding is read, so writing the rest fails with EPIPE: once tar
 * stopped reading, the rest is read and dropped (the progress still counts every byte), and
 * whether the import worked is tar's exit code. If tar exits with a failure, the pipeline stops.
 */
function tarInput(stdin: Writable, exited: Promise<number>): Writable {
  let stopped = false;
  let failedCode: number | undefined;
  let wake: (() => void) | undefined;
  stdin.on('error', (error) => {
    if (isClosedPipe(error)) stopped = true;
    wake?.();
  });
  void exited.then(
    (code) => {
      stopped = true;
      if (code !== 0) failedCode = code;
      wake?.();
    },
    () => undefined,
  );
  const settle = (callback: (error?: Error | null) => void) => {
    if (failedCode !== undefined) callback(new Error(`tar exited with ${failedCode}`));
    else callback();
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (stopped || stdin.destroyed) return settle(callback);
      if (stdin.write(chunk)) return callback();
      const done = () => {
        stdin.off('drain', done);
        stdin.off('close', done);
        wake = undefined;
        settle(callback);
      };
      wake = done;
      stdin.once('drain', done);
      stdin.once('close', done);
    },
    final(callback) {
      if (stopped || stdin.destroyed) return settle(callback);
      stdin.end(() => settle(callback));
    },
  });
}

/** A tarball to import: a file path, or a stream (`-` on the command line). */
export type TarballSource = { path: string } | { stream: NodeJS.ReadableStream; name?: string };

/**
 * Extracts a root filesystem tarball (`docker export` output, plain or gzip) into `rootfs`,
 * streamed through GNU tar (as root: owners, modes and devices kept; tar refuses members that
 * climb out with `..` and does not follow symlinks it extracted) while `onProgress` reports bytes read.
 * @throws ImageError IMPORT_FAILED naming the file and what tar said
 */
export async function extractTarball(source: TarballSource, rootfs: string, options: { onProgress?: (progress: ImportProgress) => void } = {}): Promise<void> {
  const file = 'path' in source ? source.path : (source.name ?? '-');
  let totalBytes: number | undefined;
  if ('path' in source) {
    const info = await stat(source.path).catch(() => undefined);
    if (!info?.isFile()) throw new ImageError('IMPORT_FAILED', `cannot import ${source.path}: no such file`);
    totalBytes = info.size;
  }
  const input = 'path' in source ? createReadStream(source.path) : source.stream;
  let readBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      readBytes += chunk.length;
      options.onProgress?.({ readBytes, totalBytes });
      callback(null, chunk);
    },
  });
  const tar = spawn('tar', ['-x', '-f', '-', '-C', rootfs, '--numeric-owner', '--same-owner', '-p'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => resolve(code ?? 1));
  });
  const sink = tarInput(tar.stdin, exited);
  try {
    const chunks = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const head = await chunks.next();
    const firstChunk = head.done ? Buffer.alloc(0) : Buffer.from(head.value);
    async function* all(): AsyncGenerator<Buffer> {
      if (firstChunk.length > 0) yield firstChunk;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield Buffer.from(next.value);
    }
    const gzip = firstChunk[0] === 0x1f && firstChunk[1] === 0x8b;
    if (gzip) await pipeline(Readable.from(all()), counter, createGunzip(), sink);
    else await pipeline(Readable.from(all()), counter, sink);
  } catch (error) {
    const code = await exited.catch(() => 1);
    if (code !== 0) throw new ImageError('IMPORT_FAILED', tarFailure(file, stderr, code), { cause: error });
    tar.kill();
    throw new ImageError('IMPORT_FAILED', `reading ${file}: ${(error as Error).message}`, { cause: error });
  }
  const code = await exited;
  if (code !== 0) throw new ImageError('IMPORT_FAILED', tarFailure(file, stderr, code));
  if (readBytes === 0) throw new ImageError('IMPORT_FAILED', `${file} is empty`);
}
