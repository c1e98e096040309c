import type { Writable } from 'node:stream';

/**
 * The stdin of running non-tty containers with OpenStdin (`docker run -i`): this daemon holds the
 * only writer of each one's stdin FIFO (the driver's `openStdin`) for the run; attached clients
 * write through it, and the first one's end closes it when the container has StdinOnce (the
 * process reads EOF). The writer goes with the run, or with this daemon (live restore cannot give
 * a -i container its stdin back: it read EOF when the daemon went).
 */
export class StdinWriters {
  readonly #writers = new Map<string, Writable>();
  readonly #waiting = new Map<string, Set<(writer: Writable) => void>>();

  /** The writer of a run that began; given to those waiting for it. */
  hold(id: string, writer: Writable): void {
    this.#writers.get(id)?.destroy();
    this.#writers.set(id, writer);
    const waiting = this.#waiting.get(id);
    this.#waiting.delete(id);
    for (const give of waiting ?? []) give(writer);
  }

  /**
   * The run ended: its writer is destroyed (what was queued for a process that is gone is dropped;
   * `end()` would wait for a drain that never comes).
   */
  release(id: string, writer?: Writable): void {
    const current = this.#writers.get(id);
    if (!current || (writer && current !== writer)) return;
    this.#writers.delete(id);
    current.destroy();
  }

  /** Closes the container's stdin (StdinOnce): what was written is delivered, then the process reads EOF. */
  #close(id: string, writer: Writable): void {
    if (this.#writers.get(id) !== writer) return;
    this.#writers.delete(id);
    writer.end();
  }

  /**
   * Copies an attached client's input to the container's stdin: now, or once its run begins
   * (`docker run -i` attaches first). At the input's end, closes stdin when `once`.
   * Returns the way to stop waiting (the client left first).
   */
  feed(id: string, input: NodeJS.ReadableStream, options: { once: boolean }): () => void {
    const typed: Buffer[] = [];
    let ended = false;
    let writer: Writable | undefined;
    const onData = (chunk: Buffer) => {
      if (writer) writer.write(chunk);
      else typed.push(chunk);
    };
    const onEnd = () => {
      ended = true;
      if (writer && options.once) this.#close(id, writer);
    };
    input.on('data', onData);
    input.once('end', onEnd);
    const give = (given: Writable) => {
      writer = given;
      for (const chunk of typed.splice(0)) given.write(chunk);
      if (ended && options.once) this.#close(id, given);
    };
    const current = this.#writers.get(id);
    if (current) give(current);
    else {
      let set = this.#waiting.get(id);
      if (!set) this.#waiting.set(id, (set = new Set()));
      set.add(give);
    }
    return () => {
      this.#waiting.get(id)?.delete(give);
      input.off('data', onData);
    };
  }
}
