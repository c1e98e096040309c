import type { Image } from '@execdriver/images';
import { isActive, type Container } from './container.js';
import type { Engine } from './engine.js';
import { treeBytes, writableLayerSize } from './layer-size.js';
import { volumeUsers } from './prune.js';
import type { Volume } from './volume-store.js';

/** Docker's `system df` data (`GET /system/df`), sizes in bytes. */
export interface DiskUsage {
  /** The images' root filesystems together (Docker's LayersSize). */
  layersSizeBytes: number;
  images: { image: Image; sizeBytes: number; containers: number }[];
  containers: { container: Container; sizeRwBytes: number }[];
  volumes: { volume: Volume; sizeBytes: number; refCount: number }[];
}

/** One row of `system df`'s table. */
export interface DiskUsageSummary {
  type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
  total: number;
  active: number;
  sizeBytes: number;
  reclaimableBytes: number;
}

/** What the engine's images, containers and volumes take on disk, and who uses them. */
export async function diskUsage(engine: Engine): Promise<DiskUsage> {
  const { containers } = await engine.list();
  const { images } = await engine.images.list();
  const users = await volumeUsers(engine);
  const imageRows = images.map((image) => ({ image, sizeBytes: image.sizeBytes, containers: containers.filter((container) => container.record.imageId === image.id).length }));
  const containerRows = [];
  for (const container of containers) containerRows.push({ container, sizeRwBytes: container.record.rootfsMode === 'overlay' ? await writableLayerSize(engine, container.id) : 0 });
  const volumeRows = [];
  for (const volume of await engine.volumes.list()) volumeRows.push({ volume, sizeBytes: await treeBytes(volume.mountpoint), refCount: users.get(volume.name)?.length ?? 0 });
  return { layersSizeBytes: imageRows.reduce((sum, row) => sum + row.sizeBytes, 0), images: imageRows, containers: containerRows, volumes: volumeRows };
}

/**
 * Docker's `system df` rows: images are active when a container uses them (the others are
 * reclaimable), containers when they run (the stopped ones' layers are reclaimable), volumes
 * when a container mounts them. No build cache here (no builder): always zero.
 */
export function summarizeDiskUsage(usage: DiskUsage): DiskUsageSummary[] {
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return [
    { type: 'Images', total: usage.images.length, active: usage.images.filter((row) => row.containers > 0).length, sizeBytes: usage.layersSizeBytes, reclaimableBytes: sum(usage.images.filter((row) => row.containers === 0).map((row) => row.sizeBytes)) },
    { type: 'Containers', total: usage.containers.length, active: usage.containers.filter((row) => isActive(row.container)).length, sizeBytes: sum(usage.containers.map((row) => row.sizeRwBytes)), reclaimableBytes: sum(usage.containers.filter((row) => !isActive(row.container)).map((row) => row.sizeRwBytes)) },
    { type: 'Local Volumes', total: usage.volumes.length, active: usage.volumes.filter((row) => row.refCount > 0).length, sizeBytes: sum(usage.volumes.map((row) => row.sizeBytes)), reclaimableBytes: sum(usage.volumes.filter((row) => row.refCount === 0).map((row) => row.sizeBytes)) },
    { type: 'Build Cache', total: 0, active: 0, sizeBytes: 0, reclaimableBytes: 0 },
  ];
}
