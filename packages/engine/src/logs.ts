import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from './engine.js';

/** Byte offset where the last `lines` lines of `path` start (0: the whole file; `lines` 0: its end). */
async function tailOffset(path: string, lines: number | undefined): Promise<number> {
  const size = (await stat(path).catch(() => undefined))?.size ?? 0;
  if (lines === undefined) return 0;
  if (lines === 0) return size;
  const handle = await open(path, 'r');
  try {
    let position = size;
    let found = 0;
    const chunk = Buffer.alloc(64 * 1024);
    // A final newline ends the last line; it does not start one.
    let skipFinalNewline = true;
    while (position > 0) {
      const length = Math.min(chunk.length, position);
      position -= length;
      await handle.read(chunk, 0, length, position);
      for (let index = length - 1; index >= 0; index -= 1) {
        if (chunk[index] !== 0x0a) {
          skipFinalNewline = false;
          continue;
        }
        if (skipFinalNewline) {
          skipFinalNewline = false;
          continue;
        }
        found += 1;
        if (found === lines) return position + index + 1;
      }
    }
    return 0;
  } finally {
    await handle.close();
  }
}

async function copyFrom(path: string, offset: number, target: { write(data: Buffer): unknown }): Promise<number> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return offset;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    let position = offset;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return position;
      target.write(Buffer.from(buffer.subarray(0, bytesRead)));
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Where `copyLogs` writes each stream. */
export interface LogTargets {
  stdout: { write(data: Buffer): unknown };
  stderr: { write(data: Buffer): unknown };
}

/**
 * Copies a container's stdout.log and stderr.log (each to its target), the last `tail` lines of
 * each (all when undefined); with `follow`, goes on until the container stopped.
 */
export async function copyLogs(engine: Engine, id: string, targets: LogTargets, options: { tail: number | undefined; follow: boolean }): Promise<void> {
  const driver = await engine.driver();
  const paths = driver.logPaths(id);
  const streams = [
    { path: paths.stdout, target: targets.stdout },
    { path: paths.stderr, target: targets.stderr },
  ];
  const offsets = await Promise.all(streams.map((stream) => tailOffset(stream.path, options.tail)));
  for (;;) {
    const running = options.follow ? await driver.info(id).isRunning() : false;
    for (const [index, stream] of streams.entries()) offsets[index] = await copyFrom(stream.path, offsets[index]!, stream.target);
    if (!running) return;
    await sleep(100);
  }
}
