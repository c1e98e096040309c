import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isActive, type Container } from './container.js';
import type { Engine } from './engine.js';
import { liveMonitor } from './monitor-pid-file.js';
import { ensureMonitor, hasRestartPolicy } from './restart-monitor.js';
import { shouldRestart } from './restart-policy.js';
import { startDetached } from './start-detached.js';

/** The file keeping the boot id of the engine's last use: `<dataRoot>/engine-boot` (it outlives reboots). */
export function bootMarkerPath(dataRoot: string): string {
  return join(dataRoot, 'engine-boot');
}

/**
 * Whether this is the engine's first use since the host booted again (Docker's daemon start): the
 * kernel's boot id against the one kept in the data root, which is then updated. The very first
 * use of a data root is no restart (nothing ran before it).
 */
async function firstUseSinceBoot(dataRoot: string, procRoot: string): Promise<boolean> {
  const bootId = (await readFile(join(procRoot, 'sys/kernel/random/boot_id'), 'utf8').catch(() => 'unknown')).trim();
  const marker = bootMarkerPath(dataRoot);
  const previous = (await readFile(marker, 'utf8').catch(() => undefined))?.trim();
  if (previous === bootId) return false;
  await mkdir(dataRoot, { recursive: true, mode: 0o711 });
  await writeFile(marker, `${bootId}\n`, { mode: 0o600 });
  return previous !== undefined;
}

/**
 * What a daemon does when it starts, with no daemon: on the engine's first `list()` in a process,
 * containers whose restart policy wants them running get it back.
 * - Once per boot (Docker's daemon start): `always` ones, and `unless-stopped` ones the user did not stop.
 * - Always: containers whose monitor was killed before it could decide (a pid file without its
 *   process), not stopped by the user, by their policy's rule for their last exit.
 * Each one gets a monitor again. Returns whether anything was started.
 */
export async function recoverRestartPolicies(engine: Engine, containers: readonly Container[], options: { procRoot?: string } = {}): Promise<boolean> {
  const procRoot = options.procRoot ?? '/proc';
  const boot = await firstUseSinceBoot(engine.dataRoot, procRoot);
  let changed = false;
  for (const container of containers) {
    const { record } = container;
    if (!hasRestartPolicy(record) || container.state === 'dead') continue;
    const monitor = await liveMonitor(engine.stateRoot, record.id, procRoot);
    if (monitor.pid !== undefined) continue;
    const policy = record.restartPolicy!;
    const manuallyStopped = record.manuallyStopped ?? false;
    const wanted = boot
      ? policy.name === 'always' || (policy.name === 'unless-stopped' && !manuallyStopped)
      : monitor.file && shouldRestart(policy, { exitCode: container.exitCode ?? 0, restartCount: record.restartCount, manuallyStopped });
    if (!wanted) continue;
    try {
      if (isActive(container) && container.state !== 'restarting') {
        await ensureMonitor(engine, record);
        continue;
      }
      if (boot) record.manuallyStopped = false;
      record.restarting = false;
      await engine.records.write(record);
      await startDetached(engine, record, { monitor: false });
      await ensureMonitor(engine, record);
      changed = true;
    } catch {
      // One container that cannot start again must not break the listing of all the others; its
      // state shows it (exited), and `start` reports why.
    }
  }
  return changed;
}
