import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandSpec } from '../command-spec.js';
import { findContainer } from '../container-lookup.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { flagBoolean, flagString } from '../flags.js';

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

/** Prints a container's stdout.log and stderr.log (each to its stream); with `follow`, until the container stopped. */
export async function followLogs(context: Context, id: string, options: { tail: number | undefined; follow: boolean }): Promise<void> {
  const driver = await context.driver();
  const paths = driver.logPaths(id);
  const streams = [
    { path: paths.stdout, target: context.stdout as { write(data: Buffer): unknown } },
    { path: paths.stderr, target: context.stderr as { write(data: Buffer): unknown } },
  ];
  const offsets = await Promise.all(streams.map((stream) => tailOffset(stream.path, options.tail)));
  for (;;) {
    const running = options.follow ? await driver.info(id).isRunning() : false;
    for (const [index, stream] of streams.entries()) offsets[index] = await copyFrom(stream.path, offsets[index]!, stream.target);
    if (!running) return;
    await sleep(100);
  }
}

export const logsCommandSpec: CommandSpec = {
  name: 'logs',
  usage: 'logs [OPTIONS] CONTAINER',
  description: 'Fetch the logs of a detached container',
  flags: [
    { name: 'follow', short: 'f', kind: 'boolean', description: 'Follow log output' },
    { name: 'tail', short: 'n', kind: 'string', description: 'Number of lines to show from the end of the logs (default "all")' },
  ],
  minArgs: 1,
  maxArgs: 1,
  async run(context, parsed) {
    const summary = await findContainer(context, parsed.positionals[0]!);
    const tailText = flagString(parsed, 'tail') ?? 'all';
    let tail: number | undefined;
    if (tailText !== 'all') {
      if (!/^\d+$/.test(tailText)) throw usageError(`invalid value ${JSON.stringify(tailText)} for flag --tail: expected a number or all`);
      tail = Number(tailText);
    }
    await followLogs(context, summary.id, { tail, follow: flagBoolean(parsed, 'follow') });
    return 0;
  },
};
