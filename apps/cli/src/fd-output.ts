// The CLI's standard output and error, written with write(2) on the descriptor. Node makes
// `process.stdout` on first use, and making it costs a command like `ps` 5-6 ms of its ~160 (the
// stream classes, and for a pipe `node:net`). On Linux `process.stdout` writes synchronously to
// files, pipes and terminals alike, so writing the descriptor directly keeps the order of
// everything written either way.
import { writeSync } from 'node:fs';
import type { Output } from './context.js';

/**
 * An Output on `fd` (1 or 2). A descriptor another process made non-blocking (EAGAIN) hands the
 * rest over to `stream()` (`process.stdout`), which waits for the reader. A reader that is gone
 * (EPIPE: `execdriver stats | head -1`) calls `onGone` once (the CLI exits, as `docker` dies of
 * SIGPIPE; a streaming command would otherwise go on for nobody) and drops what follows.
 */
export function fdOutput(fd: number, stream: () => Output, onGone: () => void = () => undefined): Output {
  let handedOver: Output | undefined;
  let gone = false;
  return {
    write(data) {
      if (handedOver !== undefined) return handedOver.write(data);
      if (gone) return false;
      let rest = typeof data === 'string' ? Buffer.from(data) : data;
      while (rest.length > 0) {
        try {
          rest = rest.subarray(writeSync(fd, rest));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN') {
            handedOver = stream();
            return handedOver.write(rest);
          }
          if (code === 'EPIPE') {
            gone = true;
            onGone();
            return false;
          }
          throw error;
        }
      }
      return true;
    },
  };
}
