import { Writable } from 'node:stream';

/**
 * Passes bytes to `target` without ever ending it (the driver ends what it is given). Until
 * `release()`, bytes are held back: runc prints its own error on the process's stderr when the
 * start (of a container or an exec) fails, and the CLI reports that failure in one line of its
 * own instead (`release(false)` drops what runc said).
 */
export function heldForwarder(target: NodeJS.WriteStream): { stream: Writable; release(pass: boolean): void } {
  let held: Buffer[] | undefined = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (held) {
        held.push(chunk);
        callback();
      } else if (target.write(chunk)) callback();
      else target.once('drain', () => callback());
    },
  });
  return {
    stream,
    release(pass) {
      if (held && pass) for (const chunk of held) target.write(chunk);
      held = undefined;
    },
  };
}
