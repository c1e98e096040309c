import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Serialises operations per container id within one driver. Reentrant: an operation that holds
 * an id's lock (and everything it awaits) runs a nested `run` for the same id at once, so a helper
 * such as "record the exit" can always take the lock, whoever calls it.
 */
export class IdLock {
  readonly #tails = new Map<string, Promise<unknown>>();
  // Made at the first `run`: on Node 20 an AsyncLocalStorage turns on promise hooks for every
  // promise of the process, which a driver that only reads (`ps`, `inspect`) need not pay.
  #storage: AsyncLocalStorage<ReadonlySet<string>> | undefined;

  get #held(): AsyncLocalStorage<ReadonlySet<string>> {
    return (this.#storage ??= new AsyncLocalStorage<ReadonlySet<string>>());
  }

  /** Whether the current async context holds the lock of `id`. */
  holds(id: string): boolean {
    return this.#storage?.getStore()?.has(id) ?? false;
  }

  /**
   * Runs `operation` as if no lock were held: for work that outlives the locked operation that
   * starts it (a container's exit watch), whose later `run` calls must wait like anyone's.
   */
  outside<T>(operation: () => T): T {
    // No lock was ever taken: there is no context to leave.
    return this.#storage === undefined ? operation() : this.#storage.exit(operation);
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
