export type CliErrorCode =
  /** A bad flag, value or argument count: Docker's 125. */
  | 'USAGE'
  | 'NO_SUCH_CONTAINER'
  | 'NO_SUCH_IMAGE'
  | 'CONTAINER_EXISTS'
  | 'CONTAINER_NOT_RUNNING'
  | 'CONTAINER_RUNNING'
  | 'IMAGE_FAILED'
  /** `rmi` of an image a container uses (Docker's conflict). */
  | 'IMAGE_IN_USE'
  | 'MOUNT_FAILED'
  | 'CONSOLE_FAILED'
  /** The container's program could not be invoked: Docker's 126. */
  | 'CANNOT_INVOKE'
  /** The container's program was not found: Docker's 127. */
  | 'COMMAND_NOT_FOUND';

/** The one error class of the execdriver CLI: the message is printed as is, on one line. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function usageError(message: string): CliError {
  return new CliError('USAGE', message);
}

/** The exit code Docker's CLI gives for an error: 125 for usage and `run`/`exec` failures, 126/127 for a command that cannot run, else 1. */
export function exitCodeOf(error: unknown, commandName: string | undefined): number {
  if (error instanceof CliError) {
    if (error.code === 'COMMAND_NOT_FOUND') return 127;
    if (error.code === 'CANNOT_INVOKE') return 126;
    if (error.code === 'USAGE') return 125;
  }
  return commandName === 'run' || commandName === 'create' || commandName === 'exec' || commandName === undefined ? 125 : 1;
}
