import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Serialises operations per container id within one driver. Reentrant: an operation that holds
 * an id's lock (and everything it awaits) runs a nested `run` for the same id at once, so a helper
 * such as "record the exit" can always take the lock, whoever calls it.
 */
export class IdLock {
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #held = new AsyncLocalStorage<ReadonlySet<string>>();

  /** Whether the current async context holds the lock of `id`. */
  holds(id: string): boolean {
    return this.#held.getStore()?.has(id) ?? false;
  }

  /**
   * Runs `operation` as if no lock were held: for work that outlives the locked operation that
   * starts it (a container's exit watch), whose later `run` calls must wait like anyone's.
   */
  outside<T>(operation: () => T): T {
    return this.#held.exit(operation);
  }

  async run<T>(id: string, operation: () => Promise<T>): Promise<T> {
    if (this.holds(id)) return operation();
    const held = new Set(this.#held.getStore() ?? []).add(id);
    const previous = this.#tails.get(id) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.#held.run(held, operation));
    const tail = current.catch(() => undefined);
    this.#tails.set(id, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(id) === tail) this.#tails.delete(id);
    }
  }
}
