import type { Driver } from '@execdriver/driver';
import type { Engine } from '@execdriver/engine';
import { fdOutput } from './fd-output.js';
import { spawnHelper } from './helpers.js';

export interface Output {
  write(data: string | Uint8Array): unknown;
}

/** What every command gets: where state lives, the engine (made on first use), and the output streams. */
export interface Context {
  stateRoot: string;
  dataRoot: string;
  /** The parent cgroup of containers without --cgroup-parent (EXECDRIVER_CGROUP_PREFIX, default `execdriver`). */
  cgroupPrefix: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: Output;
  stderr: Output;
  /** The CLI's own file (dist/cli.js), to start helpers with. */
  cliPath: string;
  engine(): Promise<Engine>;
  driver(): Promise<Driver>;
}

export function createContext(options: { env: Readonly<Record<string, string | undefined>>; cliPath: string; stdout?: Output; stderr?: Output }): Context {
  const stateRoot = options.env.EXECDRIVER_STATE_ROOT ?? '/run/execdriver';
  const dataRoot = options.env.EXECDRIVER_DATA_ROOT ?? '/var/lib/execdriver';
  const cgroupPrefix = options.env.EXECDRIVER_CGROUP_PREFIX || 'execdriver';
  let engine: Promise<Engine> | undefined;
  const context: Context = {
    stateRoot,
    dataRoot,
    cgroupPrefix,
    env: options.env,
    // 141 = 128 + SIGPIPE: what a shell sees of `docker ps | head -1` when docker dies of it.
    stdout: options.stdout ?? fdOutput(1, () => process.stdout, () => process.exit(141)),
    stderr: options.stderr ?? fdOutput(2, () => process.stderr),
    cliPath: options.cliPath,
    engine: () => {
      // Loaded on first use: `version` and `--help` never load the engine or the driver.
      engine ??= import('@execdriver/engine').then(
        ({ Engine }) =>
          new Engine({
            stateRoot,
            dataRoot,
            cgroupsPathPrefix: cgroupPrefix,
            ...(options.env.EXECDRIVER_RUNC ? { runc: options.env.EXECDRIVER_RUNC } : {}),
            ...(options.env.EXECDRIVER_BRIDGE ? { defaultBridge: options.env.EXECDRIVER_BRIDGE } : {}),
            ...(options.env.EXECDRIVER_CNI_PATH ? { cniPluginDirs: options.env.EXECDRIVER_CNI_PATH.split(':') } : {}),
            helper: (args, helperOptions) => spawnHelper(context, args, helperOptions),
          }),
      );
      return engine;
    },
    driver: async () => (await context.engine()).driver(),
  };
  return context;
}
