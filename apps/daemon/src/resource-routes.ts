import { archiveRoutes } from './archive.js';
import { containerAdminRoutes } from './container-admin.js';
import type { DaemonContext } from './context.js';
import { diskUsageRoutes } from './disk-usage.js';
import type { Route } from './http.js';
import { networkRoutes } from './networks.js';
import { volumeRoutes } from './volumes.js';

/**
 * Volumes, networks, container files (archive, export, changes), rename, update, commit, image
 * prune and disk usage. Registered before the other routes: `/images/prune` would otherwise be
 * taken for an image named `prune`.
 */
export function resourceRoutes(context: DaemonContext): Route[] {
  return [...volumeRoutes(context), ...networkRoutes(context), ...archiveRoutes(context), ...containerAdminRoutes(context), ...diskUsageRoutes(context)];
}
