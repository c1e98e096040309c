export { openTerminal, type OpenTerminalOptions, type Terminal, type TerminalExit } from './open-terminal.js';
export { pipeStdio, type PipeStdioOptions, type StdioStreams } from './pipe-stdio.js';
export { attachLocalTerminal, type AttachLocalTerminalOptions, type AttachResult } from './attach-local-terminal.js';
export { parseDetachKeys, defaultDetachKeys, DetachKeyScanner, type DetachScan } from './detach-keys.js';
export { TerminalError, type TerminalErrorCode } from './errors.js';
export type { WindowSize } from './window-size.js';
export { heldTerminalArgs, resizeTerminalOf, shellQuote } from './held-terminal.js';
