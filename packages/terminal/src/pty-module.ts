import { TerminalError } from './errors.js';

type PtyModule = typeof import('@lydell/node-pty');

let loading: Promise<PtyModule> | undefined;

/**
 * node-pty, loaded on first use with a dynamic import: it is a native addon, and a host (or a
 * bundle) without its binary must still be able to use everything that needs no terminal.
 * @throws TerminalError PTY_UNAVAILABLE when it cannot be loaded (the next call tries again).
 */
export function loadPty(): Promise<PtyModule> {
  loading ??= import('@lydell/node-pty').catch((error: unknown) => {
    loading = undefined;
    throw new TerminalError('PTY_UNAVAILABLE', `cannot use a terminal: node-pty (@lydell/node-pty) could not be loaded: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  return loading;
}
