import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { containerLayerPaths } from '@execdriver/images';
import type { Engine } from './engine.js';

async function treeBytes(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(path).catch(() => [] as string[]);
  let total = 0;
  for (const entry of entries) total += await treeBytes(join(path, entry));
  return total;
}

/**
 * Docker's SizeRw (`ps -s`): the bytes of the files a container wrote, the apparent size of its
 * writable layer (`upper`). 0 for a container on a plain root filesystem directory.
 */
export async function writableLayerSize(engine: Engine, id: string): Promise<number> {
  return treeBytes(containerLayerPaths(engine.containerDir(id)).upper);
}
