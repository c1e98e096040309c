export type DriverErrorCode =
  | 'CONTAINER_EXISTS'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_NOT_RUNNING'
  | 'CONTAINER_PAUSED'
  /** The container's record (container.json, exit-code) is unreadable: `path` names the file. */
  | 'CONTAINER_BROKEN'
  /** clean() could not remove everything: the message lists what is left. */
  | 'CLEAN_INCOMPLETE'
  | 'INVALID_COMMAND'
  | 'INVALID_ID'
  | 'INVALID_SIGNAL'
  /** A file or directory the driver needs is not accessible (EACCES, EPERM, EROFS): `path` names it. */
  | 'PERMISSION_DENIED'
  /** Another filesystem error: `path` names the file, `reason` is the errno code. */
  | 'IO_FAILED'
  /** A cgroup could not be read (@execdriver/cgroups): `reason` is its code. */
  | 'CGROUP_FAILED'
  /** A pseudo-terminal could not be opened (@execdriver/terminal); `reason` PTY_UNAVAILABLE when node-pty is missing. */
  | 'TERMINAL_FAILED'
  | 'ROOTFS_NOT_FOUND'
  /** The OCI runtime (runc, crun, a path) is not there or does not run: the message names it. */
  | 'RUNC_MISSING'
  /** The OCI runtime cannot run containers on this host (crun on hybrid cgroups): `reason` is its name. */
  | 'RUNTIME_UNSUPPORTED'
  | 'RUNC_FAILED'
  /** The process's program is not in the container (Docker's exit 127); `runc` holds runc's words. */
  | 'COMMAND_NOT_FOUND'
  /** The program or its working directory cannot be used: permission, format, a directory, no such cwd (Docker's 126). */
  | 'COMMAND_NOT_INVOKABLE'
  | 'HOOK_FAILED';

export interface RuncFailure {
  args: readonly string[];
  exitCode: number | undefined;
  stderr: string;
  /** The last error message runc wrote to its JSON log, when there is one. */
  runcMessage: string | undefined;
}

export interface DriverErrorOptions {
  cause?: unknown;
  runc?: RuncFailure;
  path?: string;
  reason?: string;
}

/** The one error class of @execdriver/driver. */
export class DriverError extends Error {
  override readonly name = 'DriverError';
  readonly code: DriverErrorCode;
  /** Set on RUNC_FAILED: what was run and what runc said. */
  readonly runc: RuncFailure | undefined;
  /** The file or directory involved, when there is one. */
  readonly path: string | undefined;
  /** The code of the underlying error (another package's code, or an errno such as EACCES), kept as it was. */
  readonly reason: string | undefined;

  constructor(code: DriverErrorCode, message: string, options: DriverErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.runc = options.runc;
    this.path = options.path;
    this.reason = options.reason;
  }
}
