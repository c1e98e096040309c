/** Serialises operations per container id within one driver. */
export class IdLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(operation);
    const tail = current.catch(() => undefined);
    this.#tails.set(id, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    }
  }
}
