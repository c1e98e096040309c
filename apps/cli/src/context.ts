import type { Driver } from '@execdriver/driver';

/** Labels the CLI keeps on each container's record. */
export const labelKeys = {
  image: 'execdriver.image',
  /** The `--name` the user gave (absent for a generated id, which alone matches by prefix). */
  name: 'execdriver.name',
  /** JSON array: the command as run (entrypoint and arguments). */
  command: 'execdriver.command',
  autoRemove: 'execdriver.auto-remove',
  /** `overlay` when the CLI mounted a writable root that `rm` must unmount. */
  rootfsMount: 'execdriver.rootfs-mount',
  interactive: 'execdriver.interactive',
  /** `console` when a console holder serves the container's terminal. */
  console: 'execdriver.console',
} as const;

export interface Output {
  write(data: string | Uint8Array): unknown;
}

/** What every command gets: where state lives, the driver (made on first use), and the output streams. */
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
  driver(): Promise<Driver>;
}

export function createContext(options: { env: Readonly<Record<string, string | undefined>>; cliPath: string; stdout?: Output; stderr?: Output }): Context {
  const stateRoot = options.env.EXECDRIVER_STATE_ROOT ?? '/run/execdriver';
  const dataRoot = options.env.EXECDRIVER_DATA_ROOT ?? '/var/lib/execdriver';
  const cgroupPrefix = options.env.EXECDRIVER_CGROUP_PREFIX || 'execdriver';
  let driver: Promise<Driver> | undefined;
  return {
    stateRoot,
    dataRoot,
    cgroupPrefix,
    env: options.env,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    cliPath: options.cliPath,
    driver: () => {
      // Loaded on first use: `version` and `--help` never load the driver.
      driver ??= import('@execdriver/driver').then(({ createDriver }) =>
        createDriver({
          stateRoot,
          ...(options.env.EXECDRIVER_RUNC ? { runc: options.env.EXECDRIVER_RUNC } : {}),
          cgroupsPathPrefix: cgroupPrefix,
        }),
      );
      return driver;
    },
  };
}

