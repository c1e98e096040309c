/**
 * Pure argument builders for the runc command line (go-runc style): each operation has an
 * options type and a `toXxxArgs` function, tested on its own.
 */

export interface GlobalOptions {
  /** runc's state root (`--root`). */
  root?: string;
  /** File for runc's own log (`--log`), written as JSON (`--log-format json`). */
  log?: string;
  /** Use systemd to manage cgroups (`--systemd-cgroup`). */
  systemdCgroup?: boolean;
}

export function toGlobalArgs(options: GlobalOptions): string[] {
  const args: string[] = [];
  if (options.root !== undefined) args.push('--root', options.root);
  if (options.log !== undefined) args.push('--log', options.log, '--log-format', 'json');
  if (options.systemdCgroup) args.push('--systemd-cgroup');
  return args;
}

export interface RunOptions {
  bundle: string;
  /** Keep the stopped container (and its cgroup) so its exit and OOM state can be read. */
  keep?: boolean;
  pidFile?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
}

export function toRunArgs(id: string, options: RunOptions): string[] {
  const args = ['run', '--bundle', options.bundle];
  if (options.keep) args.push('--keep');
  if (options.pidFile !== undefined) args.push('--pid-file', options.pidFile);
  if (options.noPivot) args.push('--no-pivot');
  if (options.noNewKeyring) args.push('--no-new-keyring');
  args.push(id);
  return args;
}

export interface ExecOptions {
  /** Path of a process.json (an OCI process object). */
  processFile: string;
  tty?: boolean;
  pidFile?: string;
  detach?: boolean;
}

export function toExecArgs(id: string, options: ExecOptions): string[] {
  const args = ['exec', '--process', options.processFile];
  if (options.tty) args.push('--tty');
  if (options.pidFile !== undefined) args.push('--pid-file', options.pidFile);
  if (options.detach) args.push('--detach');
  args.push(id);
  return args;
}

export function toKillArgs(id: string, signal: string, options: { all?: boolean } = {}): string[] {
  return ['kill', ...(options.all ? ['--all'] : []), id, signal];
}

export function toDeleteArgs(id: string, options: { force?: boolean } = {}): string[] {
  return ['delete', ...(options.force ? ['--force'] : []), id];
}

export const toStateArgs = (id: string): string[] => ['state', id];
export const toPauseArgs = (id: string): string[] => ['pause', id];
export const toResumeArgs = (id: string): string[] => ['resume', id];
/** `runc update --resources FILE ID`: the OCI `linux.resources` of a running container, from a JSON file. */
export const toUpdateArgs = (id: string, resourcesFile: string): string[] => ['update', '--resources', resourcesFile, id];
