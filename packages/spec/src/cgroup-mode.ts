import * as z from 'zod';
import { lazySchema } from './lazy-schema.js';

/**
 * How cgroups are mounted under the cgroup root:
 * - `unified`: cgroup v2 only, mounted at the root itself;
 * - `hybrid`: v1 controller hierarchies plus a cgroup2 hierarchy at `<root>/unified`;
 * - `legacy`: v1 hierarchies only.
 * @execdriver/cgroups detects it; @execdriver/oci and the driver shape resources by it.
 */
export const cgroupModeSchema = lazySchema(() => z.enum(['unified', 'hybrid', 'legacy']));
export type CgroupMode = z.infer<typeof cgroupModeSchema>;
