import { DriverError } from '@execdriver/driver';
import { OciError } from '@execdriver/oci';
import { CliError } from './errors.js';

/**
 * A user or group the image does not have, in Docker's words (libcontainer's), without the
 * root filesystem's internal path: `unable to find user X: no matching entries in passwd file`.
 */
function unknownIdentity(error: DriverError): CliError | undefined {
  const cause = error.cause;
  if (!(cause instanceof OciError)) return undefined;
  if (cause.code === 'USER_NOT_FOUND') return new CliError('USAGE', `unable to find user ${String(cause.value)}: no matching entries in passwd file`, { cause: error });
  if (cause.code === 'GROUP_NOT_FOUND') return new CliError('USAGE', `unable to find group ${String(cause.value)}: no matching entries in group file`, { cause: error });
  return undefined;
}

/**
 * Docker's exit codes for a container (or exec) that did not start, from the driver's codes (the
 * driver reads runc's words, once): COMMAND_NOT_FOUND -> 127, COMMAND_NOT_INVOKABLE -> 126, a
 * user or group not in the image -> Docker's message (125); anything else stays the driver's error (125).
 */
export function toStartFailure(error: unknown): unknown {
  if (!(error instanceof DriverError)) return error;
  if (error.code === 'INVALID_COMMAND') return unknownIdentity(error) ?? error;
  if (error.code === 'COMMAND_NOT_FOUND') return new CliError('COMMAND_NOT_FOUND', error.message, { cause: error });
  if (error.code === 'COMMAND_NOT_INVOKABLE') return new CliError('CANNOT_INVOKE', error.message, { cause: error });
  return error;
}
