/** What went wrong, as a stable string a caller can switch on. */
export type CgroupErrorCode =
  /** The cgroup directory does not exist in any hierarchy (or vanished while being read). */
  | 'CGROUP_NOT_FOUND'
  /** `/proc/<pid>/cgroup` does not exist: the process is gone or never existed. */
  | 'PROCESS_NOT_FOUND'
  /** A kernel file exists but its content does not have the documented format. */
  | 'INVALID_FORMAT'
  /** A file could not be read for a reason other than its absence (permissions, I/O). */
  | 'READ_FAILED'
  /** The cgroup lacks the controller an operation needs (watchOom without memory). */
  | 'CONTROLLER_NOT_FOUND'
  /** A cgroup path with `..` segments, which could name a directory outside the cgroup root. */
  | 'INVALID_PATH';

/** The one error class of `@execdriver/cgroups`. */
export class CgroupError extends Error {
  override readonly name = 'CgroupError';
  readonly code: CgroupErrorCode;
  /** The file or directory involved. */
  readonly path: string;

  constructor(code: CgroupErrorCode, message: string, options: { path: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
