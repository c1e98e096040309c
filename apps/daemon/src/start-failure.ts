import { DriverError } from '@execdriver/driver';
import { DaemonError, errorMessage } from './errors.js';

/** dockerd's message and exit code of a start that failed (127 not found, 126 not invokable, else 125). */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  const exitCode = error instanceof DriverError ? (error.code === 'COMMAND_NOT_FOUND' ? 127 : error.code === 'COMMAND_NOT_INVOKABLE' ? 126 : 125) : 125;
  return { message: `failed to create task for container: ${errorMessage(error)}: unknown`, exitCode };
}

/** The HTTP status of a start that failed with that exit code (Docker: 400 for 126/127). */
export function startFailure(message: string, exitCode: number): DaemonError {
  return new DaemonError('START_FAILED', message, { status: exitCode === 126 || exitCode === 127 ? 400 : 500 });
}
