import { DriverError } from '@execdriver/driver';
import { EngineError } from '@execdriver/engine';
import { ImageError } from '@execdriver/images';
import { NetworkError } from '@execdriver/network';
import { SpecError } from '@execdriver/spec';

export type DaemonErrorCode =
  /** A query parameter or body field that is wrong: Docker's 400. */
  | 'BAD_PARAMETER'
  /** A request field the daemon does not implement (yet) and cannot ignore: 400 naming the field. */
  | 'UNSUPPORTED'
  /** No such route, exec instance or object: 404. */
  | 'NOT_FOUND'
  /** The object's state forbids the operation (attach to a stopped container...): 409. */
  | 'CONFLICT'
  /** The operation is refused for this object (a pre-defined network): 403. */
  | 'FORBIDDEN'
  /** A command-line flag of execdriverd that is wrong or unknown. */
  | 'BAD_FLAG'
  /** The API socket cannot be made or is taken. */
  | 'LISTEN_FAILED'
  /** A container that did not start (its message tells why). */
  | 'START_FAILED';

/** The one error class of execdriverd: the message names the container, field or flag. */
export class DaemonError extends Error {
  override readonly name = 'DaemonError';
  readonly code: DaemonErrorCode;
  /** For START_FAILED: the HTTP status Docker gives (400 for a command not found or not executable, else 500). */
  readonly status: number | undefined;

  constructor(code: DaemonErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

const engineStatus: Record<string, number> = {
  NO_SUCH_CONTAINER: 404,
  AMBIGUOUS_REFERENCE: 400,
  NAME_IN_USE: 409,
  INVALID_NAME: 400,
  INVALID_REQUEST: 400,
  CONTAINER_RUNNING: 409,
  CONTAINER_NOT_RUNNING: 409,
  NO_SUCH_VOLUME: 404,
  VOLUME_IN_USE: 409,
};
const imageStatus: Record<string, number> = {
  INVALID_REFERENCE: 400,
  INVALID_CHANGE: 400,
  NO_SUCH_IMAGE: 404,
  IMAGE_EXISTS: 409,
  IMAGE_IN_USE: 409,
  IMPORT_FAILED: 400,
};
const driverStatus: Record<string, number> = {
  CONTAINER_NOT_FOUND: 404,
  CONTAINER_NOT_RUNNING: 409,
  CONTAINER_PAUSED: 409,
  INVALID_SIGNAL: 400,
  INVALID_COMMAND: 400,
  INVALID_ID: 400,
  COMMAND_NOT_FOUND: 400,
  COMMAND_NOT_INVOKABLE: 400,
  /** HostConfig.Runtime names a runtime that cannot run on this host (crun on hybrid cgroups). */
  RUNTIME_UNSUPPORTED: 400,
};
/** Docker's status for network errors: an unknown network 404, a name taken 409, one in use or pre-defined 403. */
const networkStatus: Record<string, number> = {
  NO_SUCH_NETWORK: 404,
  NETWORK_EXISTS: 409,
  NETWORK_IN_USE: 403,
  AMBIGUOUS_NETWORK: 400,
  INVALID_SUBNET: 400,
  INVALID_NETWORK: 400,
  INVALID_PORT: 400,
  INVALID_HOST: 400,
  NOT_CONNECTED: 400,
  ALREADY_CONNECTED: 403,
  NO_FREE_SUBNET: 400,
  PORT_IN_USE: 409,
};
const daemonStatus: Record<DaemonErrorCode, number> = {
  BAD_PARAMETER: 400,
  UNSUPPORTED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  BAD_FLAG: 400,
  LISTEN_FAILED: 500,
  START_FAILED: 500,
};

/**
 * The daemon's one mapping of errors to HTTP status, as Docker's errdefs: not found 404, conflict
 * 409, bad parameter 400, anything else 500. Every route's error goes through it.
 */
export function httpStatusOf(error: unknown): number {
  if (error instanceof DaemonError) return error.status ?? daemonStatus[error.code];
  if (error instanceof EngineError) return engineStatus[error.code] ?? 500;
  if (error instanceof ImageError) return imageStatus[error.code] ?? 500;
  if (error instanceof DriverError) return driverStatus[error.code] ?? 500;
  if (error instanceof NetworkError) return networkStatus[error.code] ?? 500;
  if (error instanceof SpecError) return 400;
  return 500;
}

/** Docker's error body: one line. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, '; ');
}
