export type TerminalErrorCode =
  /** A detach-keys string that is not Docker's `ctrl-<value>` / single-character list. */
  | 'INVALID_DETACH_KEYS'
  /** A window size that is not a whole number of columns and rows between 1 and 65535. */
  | 'INVALID_SIZE'
  /** node-pty (its native binary) could not be loaded: terminals are not available on this host. */
  | 'PTY_UNAVAILABLE'
  /** The program could not be found or started. */
  | 'SPAWN_FAILED'
  /** The terminal was used after its program exited or after `close()`. */
  | 'TERMINAL_CLOSED'
  /** The kernel refused the new window size. */
  | 'RESIZE_FAILED'
  /** A stream being piped failed (read or write error other than the program closing its stdin). */
  | 'STREAM_FAILED'
  /** A signal (SIGINT, SIGTERM, SIGHUP) ended an attachment; the program keeps running. */
  | 'ATTACH_INTERRUPTED'
  /** The caller's AbortSignal ended an attachment; the program keeps running. */
  | 'ATTACH_ABORTED';

/** The one error class of @execdriver/terminal. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  readonly code: TerminalErrorCode;

  constructor(code: TerminalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
