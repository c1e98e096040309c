import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

const maxId = 2 ** 32 - 1;
/** The kernel accepts at most 340 lines in uid_map/gid_map (since Linux 4.15; 5 before). */
export const maxIdMapRanges = 340;

const uint32 = lazySchema(() => z.number().int().min(0).max(maxId));

/** One range of a user-namespace ID mapping: ids containerId..containerId+size-1 map to hostId... */
export const idMapSchema = lazySchema(() =>
  z
    .strictObject({
      containerId: uint32,
      hostId: uint32,
      size: z.number().int().min(1, { message: 'size must be at least 1' }).max(maxId),
    })
    .refine((map) => map.containerId + map.size - 1 <= maxId && map.hostId + map.size - 1 <= maxId, {
      message: 'range must end within 32 bits (id + size - 1 <= 4294967295)',
    }),
);

export type IdMap = z.infer<typeof idMapSchema>;

/** Returns a message for the first overlap between ranges on either side, or undefined. */
export function findIdMapOverlap(maps: readonly IdMap[]): string | undefined {
  for (const side of ['containerId', 'hostId'] as const) {
    const sorted = [...maps].sort((a, b) => a[side] - b[side]);
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1]!;
      const current = sorted[index]!;
      if (previous[side] + previous.size > current[side]) {
        return `ranges overlap on the ${side === 'containerId' ? 'container' : 'host'} side: ${previous[side]}+${previous.size} and ${current[side]}+${current.size}`;
      }
    }
  }
  return undefined;
}

/** A whole mapping (uid_map or gid_map): 1 to 340 non-overlapping ranges. */
export const idMapsSchema = lazySchema(() =>
  z
    .array(idMapSchema)
    .min(1, { message: 'needs at least one range' })
    .max(maxIdMapRanges, { message: `the kernel accepts at most ${maxIdMapRanges} ranges` })
    .superRefine((maps, context) => {
      const overlap = findIdMapOverlap(maps);
      if (overlap) context.addIssue({ code: 'custom', message: overlap });
    }),
);
