export type DriverErrorCode =
  | 'CONTAINER_EXISTS'
  | 'CONTAINER_NOT_FOUND'
  | 'CONTAINER_NOT_RUNNING'
  | 'CONTAINER_PAUSED'
  | 'INVALID_COMMAND'
  | 'INVALID_ID'
  | 'INVALID_SIGNAL'
  | 'ROOTFS_NOT_FOUND'
  | 'RUNC_MISSING'
  | 'RUNC_FAILED'
  | 'HOOK_FAILED'
  | 'STATE_CORRUPT';

export interface RuncFailure {
  args: readonly string[];
  exitCode: number | undefined;
  stderr: string;
  /** The last error message runc wrote to its JSON log, when there is one. */
  runcMessage: string | undefined;
}

/** The one error class of @execdriver/driver. */
export class DriverError extends Error {
  override readonly name = 'DriverError';
  readonly code: DriverErrorCode;
  /** Set on RUNC_FAILED: what was run and what runc said. */
  readonly runc: RuncFailure | undefined;

  constructor(code: DriverErrorCode, message: string, options: { cause?: unknown; runc?: RuncFailure } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.runc = options.runc;
  }
}
