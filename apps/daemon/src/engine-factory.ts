import { Engine } from '@execdriver/engine';

/** Where the engine lives and what it runs: the daemon's flags. */
export interface EngineSettings {
  stateRoot: string;
  dataRoot: string;
  cgroupPrefix: string;
  runc: string | undefined;
  /** The default bridge's interface (`EXECDRIVER_BRIDGE`, as the CLI). */
  bridge: string | undefined;
  /** CNI plugin directories (`EXECDRIVER_CNI_PATH`, colon-separated, as the CLI). */
  cniPath: string | undefined;
}

/**
 * The engine of the daemon. It has no helper launcher: the daemon starts no process of its own per
 * container (output, terminals and stdin are FIFOs it reads and writes, restart policies run in its
 * Monitor), so nothing may ask for one.
 */
export function createEngine(settings: EngineSettings): Engine {
  return new Engine({
    stateRoot: settings.stateRoot,
    dataRoot: settings.dataRoot,
    cgroupsPathPrefix: settings.cgroupPrefix,
    ...(settings.runc ? { runc: settings.runc } : {}),
    ...(settings.bridge ? { defaultBridge: settings.bridge } : {}),
    ...(settings.cniPath ? { cniPluginDirs: settings.cniPath.split(':') } : {}),
    // The daemon runs restart policies in its own process (its Monitor): no `__monitor` helper per container.
    restartMonitors: false,
    recoverRestartPolicies: false,
  });
}
