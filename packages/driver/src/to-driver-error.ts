import { CgroupError } from '@execdriver/cgroups';
import { NamespaceError } from '@execdriver/namespaces';
import { OciError } from '@execdriver/oci';
import { SpecError } from '@execdriver/spec';
import { TerminalError } from '@execdriver/terminal';
import { DriverError, type DriverErrorCode } from './errors.js';

const permissionErrnos = new Set(['EACCES', 'EPERM', 'EROFS']);
/** Package codes that say the host could not be read, not that the command is wrong. */
const ioCodes = new Set(['READ_FAILED', 'CHOWN_FAILED', 'TOOL_FAILED', 'PATH_RESOLUTION_FAILED']);

function isErrnoError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * The one mapping from other packages' errors to DriverError, by class, keeping their code in
 * `reason` and the error itself as `cause`. `subject` says what was being done, e.g.
 * `container web` or `exec in web`. A DriverError passes unchanged; anything unknown too.
 */
export function toDriverError(error: unknown, subject: string): unknown {
  if (error instanceof DriverError) return error;
  if (error instanceof SpecError || error instanceof OciError || error instanceof NamespaceError) {
    const code: DriverErrorCode = ioCodes.has(error.code) ? 'IO_FAILED' : 'INVALID_COMMAND';
    return new DriverError(code, `${subject}: ${error.message}`, { cause: error, reason: error.code });
  }
  if (error instanceof CgroupError) return new DriverError('CGROUP_FAILED', `${subject}: ${error.message}`, { cause: error, reason: error.code, path: error.path });
  if (error instanceof TerminalError) return new DriverError('TERMINAL_FAILED', `${subject}: ${error.message}`, { cause: error, reason: error.code });
  if (isErrnoError(error)) {
    const code: DriverErrorCode = permissionErrnos.has(error.code!) ? 'PERMISSION_DENIED' : 'IO_FAILED';
    const path = error.path ?? (error as { dest?: string }).dest;
    const where = path === undefined ? '' : ` ${path}`;
    return new DriverError(code, `${subject}: cannot ${error.syscall}${where}: ${error.code}${code === 'PERMISSION_DENIED' ? ' (permission denied: is the file immutable or read-only?)' : ''}`, {
      cause: error,
      reason: error.code,
      ...(path === undefined ? {} : { path }),
    });
  }
  return error;
}

/** What runc's error text says about the container, classified once, here. */
export type RuncFailureKind = 'not-found' | 'not-running' | 'paused' | 'other';

export function classifyRuncFailure(error: DriverError): RuncFailureKind {
  if (error.code !== 'RUNC_FAILED') return 'other';
  const text = `${error.runc?.runcMessage ?? ''}\n${error.runc?.stderr ?? ''}\n${error.message}`;
  // runc: "container does not exist"; crun: "error opening file `<root>/<id>/status`: No such file or directory".
  if (/container does not exist|container .* does not exist|not exist|error opening file `[^`]*\/status`: No such file|cannot open directory .*: No such file/i.test(text)) return 'not-found';
  if (/container is paused|is paused/i.test(text)) return 'paused';
  // crun: "open pidfd: No such process" (the container's process is gone).
  if (/container not running|is not running|container is stopped|cannot kill a stopped container|open pidfd: No such process/i.test(text)) return 'not-running';
  return 'other';
}

/**
 * Why a container's or exec's process did not start, from the runtime's words, as the driver's
 * own code. runc 1.1.5: `executable file not found in $PATH` or `no such file or directory` ->
 * COMMAND_NOT_FOUND (Docker's 127); permission denied, exec format error, a directory, or a
 * working directory runc cannot enter (`chdir to cwd`) -> COMMAND_NOT_INVOKABLE (126). crun 1.8:
 * ``executable file `x` not found in $PATH: No such file or directory`` -> COMMAND_NOT_FOUND;
 * `open executable: Permission denied` (or `Operation not permitted`, a directory) ->
 * COMMAND_NOT_INVOKABLE. Other errors are returned unchanged.
 */
export function fromStartFailure(error: unknown): unknown {
  if (!(error instanceof DriverError) || error.code !== 'RUNC_FAILED') return error;
  const text = error.runc?.runcMessage ?? error.message;
  if (!/exec[: ]/.test(text) && !/starting container process/.test(text) && !/executable/.test(text)) return error;
  const options = { cause: error, ...(error.runc ? { runc: error.runc } : {}) };
  if (/chdir to cwd/.test(text)) return new DriverError('COMMAND_NOT_INVOKABLE', error.message, options);
  if (/executable file (`[^`]*` )?not found in \$PATH|no such file or directory/i.test(text)) return new DriverError('COMMAND_NOT_FOUND', error.message, options);
  if (/permission denied|exec format error|is a directory|open executable: operation not permitted/i.test(text)) return new DriverError('COMMAND_NOT_INVOKABLE', error.message, options);
  return error;
}

/**
 * A runc failure about the container's state as the driver's own code (runc saw the container
 * gone, stopped or paused after our check), keeping runc's details; other errors unchanged.
 */
export function fromRuncFailure(error: unknown, id: string): unknown {
  if (!(error instanceof DriverError)) return error;
  const options = { cause: error, ...(error.runc ? { runc: error.runc } : {}) };
  switch (classifyRuncFailure(error)) {
    case 'not-found':
      return new DriverError('CONTAINER_NOT_FOUND', `container ${id} does not exist (runc: ${error.runc?.runcMessage ?? error.message})`, options);
    case 'not-running':
      return new DriverError('CONTAINER_NOT_RUNNING', `container ${id} is not running (runc: ${error.runc?.runcMessage ?? error.message})`, options);
    case 'paused':
      return new DriverError('CONTAINER_PAUSED', `container ${id} is paused: unpause it first`, options);
    default:
      return error;
  }
}
