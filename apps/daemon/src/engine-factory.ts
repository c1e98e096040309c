import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Engine, type HelperLauncher } from '@execdriver/engine';

/** Where the engine lives and what it runs: the daemon's flags, or a helper's environment (the CLI's names). */
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

/** The environment helpers get: the engine's settings, as the CLI names them, so a helper builds the same engine. */
export function helperEnv(settings: EngineSettings): Record<string, string> {
  return {
    EXECDRIVER_STATE_ROOT: settings.stateRoot,
    EXECDRIVER_DATA_ROOT: settings.dataRoot,
    EXECDRIVER_CGROUP_PREFIX: settings.cgroupPrefix,
    ...(settings.runc ? { EXECDRIVER_RUNC: settings.runc } : {}),
    ...(settings.bridge ? { EXECDRIVER_BRIDGE: settings.bridge } : {}),
    ...(settings.cniPath ? { EXECDRIVER_CNI_PATH: settings.cniPath } : {}),
  };
}

export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): EngineSettings {
  return {
    stateRoot: env.EXECDRIVER_STATE_ROOT ?? '/run/execdriver',
    dataRoot: env.EXECDRIVER_DATA_ROOT ?? '/var/lib/execdriver',
    cgroupPrefix: env.EXECDRIVER_CGROUP_PREFIX || 'execdriver',
    runc: env.EXECDRIVER_RUNC || undefined,
    bridge: env.EXECDRIVER_BRIDGE || undefined,
    cniPath: env.EXECDRIVER_CNI_PATH || undefined,
  };
}

/**
 * Starts `execdriverd <args>` detached (own session), output to `logPath`: the engine's helpers
 * (`__console`, `__logs`, `__monitor`), which outlive the daemon.
 */
function helperLauncher(daemonPath: string, settings: EngineSettings): HelperLauncher {
  return (args, options) => {
    let log: number | 'ignore' = 'ignore';
    if (options.logPath) {
      mkdirSync(dirname(options.logPath), { recursive: true, mode: 0o700 });
      log = openSync(options.logPath, 'a', 0o600);
    }
    try {
      const child: ChildProcess = spawn(process.execPath, ['--', daemonPath, ...args], {
        detached: true,
        stdio: ['ignore', log, log, ...(options.ipc ? (['ipc'] as const) : [])],
        env: { ...process.env, ...helperEnv(settings) },
      });
      child.on('error', () => undefined);
      if (!options.ipc) child.unref();
      return child;
    } finally {
      if (typeof log === 'number') closeSync(log);
    }
  };
}

/** The engine of the daemon and of its helpers: the same roots, bridge and runtime, helpers started as `execdriverd __...`; restart policies are the daemon's. */
export function createEngine(settings: EngineSettings, daemonPath: string): Engine {
  return new Engine({
    stateRoot: settings.stateRoot,
    dataRoot: settings.dataRoot,
    cgroupsPathPrefix: settings.cgroupPrefix,
    ...(settings.runc ? { runc: settings.runc } : {}),
    ...(settings.bridge ? { defaultBridge: settings.bridge } : {}),
    ...(settings.cniPath ? { cniPluginDirs: settings.cniPath.split(':') } : {}),
    helper: helperLauncher(daemonPath, settings),
    // The daemon runs restart policies in its own process (its Monitor): no `__monitor` helper per container.
    restartMonitors: false,
    recoverRestartPolicies: false,
  });
}
