import { DriverError } from '@execdriver/driver';
import { CliError } from './errors.js';

/**
 * Docker's exit codes for a container that did not start, from runc's error text (runc 1.1.5):
 * `executable file not found in $PATH` or `no such file or directory` -> 127 (COMMAND_NOT_FOUND),
 * `permission denied` -> 126 (CANNOT_INVOKE); anything else stays the driver's error (125).
 */
export function toStartFailure(error: unknown): unknown {
  if (!(error instanceof DriverError) || error.code !== 'RUNC_FAILED') return error;
  const text = error.runc?.runcMessage ?? error.message;
  if (!/exec[: ]/.test(text) && !/starting container process/.test(text)) return error;
  if (/executable file not found in \$PATH|no such file or directory/.test(text)) return new CliError('COMMAND_NOT_FOUND', error.message, { cause: error });
  if (/permission denied|exec format error|is a directory/.test(text)) return new CliError('CANNOT_INVOKE', error.message, { cause: error });
  return error;
}
