import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chownTreeToMapping, toHostId, type TreeMapping } from '@execdriver/namespaces';
import { ImageError } from './errors.js';
import type { Image } from './store.js';
import { runTool } from './run-tool.js';

/**
 * The image's root filesystem as a user namespace with these mappings sees it (dockerd's
 * --userns-remap does the same): a copy whose owners are shifted into the mapped host ids, made
 * once per mapping under `<image>/userns/<uid>-<gid>/rootfs` (atomically) and reused.
 */
export async function remappedImageRootfs(image: Pick<Image, 'rootfs' | 'dir' | 'id'>, mapping: TreeMapping): Promise<string> {
  const rootUid = toHostId([...mapping.uidMappings], 0);
  const rootGid = toHostId([...mapping.gidMappings], 0);
  const dir = join(image.dir, 'userns', `${rootUid}-${rootGid}`);
  const rootfs = join(dir, 'rootfs');
  if (await stat(rootfs).then(() => true, () => false)) return rootfs;
  await mkdir(dirname(dir), { recursive: true, mode: 0o711 });
  const temporary = await mkdtemp(`${dir}.tmp-`);
  try {
    await runTool('cp', ['-a', image.rootfs, join(temporary, 'rootfs')]);
    await chownTreeToMapping(join(temporary, 'rootfs'), mapping, { markerPath: join(temporary, 'idmap.json') });
    await chmod(temporary, 0o711);
    await rename(temporary, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(temporary, { recursive: true, force: true });
    });
    return rootfs;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw new ImageError('IMAGE_FAILED', `cannot prepare image ${image.id.slice(0, 12)} for user namespace root ${rootUid}:${rootGid}: ${(error as Error).message}`, { cause: error });
  }
}
