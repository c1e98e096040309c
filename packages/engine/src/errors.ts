export type EngineErrorCode =
  /** No container has this name, id or id prefix: Docker's `No such container: X`. */
  | 'NO_SUCH_CONTAINER'
  /** An id prefix that several containers share. */
  | 'AMBIGUOUS_REFERENCE'
  /** Docker's conflict: the name belongs to another container. */
  | 'NAME_IN_USE'
  | 'INVALID_NAME'
  /** A create request that cannot make a container (no command, a bad value). */
  | 'INVALID_REQUEST'
  | 'CONTAINER_RUNNING'
  | 'CONTAINER_NOT_RUNNING'
  /** A container record that cannot be read: reported for that container alone. */
  | 'CORRUPT_RECORD'
  /** The console holder of a tty container failed or is gone. */
  | 'CONSOLE_FAILED'
  /** The restart monitor of a container could not be started or stopped. */
  | 'MONITOR_FAILED'
  /** The engine's roots cannot be used by this user (not root). */
  | 'PERMISSION_DENIED'
  /** No volume has this name: Docker's `no such volume`. */
  | 'NO_SUCH_VOLUME'
  /** Docker's `volume is in use - [<id>]`. */
  | 'VOLUME_IN_USE'
  /** A `cp` path that does not exist or cannot be copied (Docker's `Could not find the file`, `cannot copy directory`). */
  | 'COPY_FAILED'
  /** A detached start that failed in its log holder: `exitCode` is the app's (125/126/127). */
  | 'START_FAILED'
  /** The container's log driver keeps no log to read (none). */
  | 'LOGS_UNAVAILABLE';

/** The one error class of @execdriver/engine: the message names the container, name or file. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly code: EngineErrorCode;
  /** START_FAILED: the exit code the app gives such a failure. */
  readonly exitCode: number | undefined;

  constructor(code: EngineErrorCode, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.exitCode = options.exitCode;
  }
}
