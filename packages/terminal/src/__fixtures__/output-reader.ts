import type { Readable } from 'node:stream';

/** Collects a stream's text for tests and waits for patterns in it. */
export class OutputReader {
  text = '';
  #waiters: Array<() => void> = [];

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first match of `pattern` in the text after `from`; rejects after `timeoutMs`. */
  async waitFor(pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
    const from = options.from ?? 0;
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const match = pattern.exec(this.text.slice(from));
      if (match !== null) return match;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${pattern}; output so far: ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
