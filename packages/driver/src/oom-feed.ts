import { openCgroup, watchOom, type OomEvent } from '@execdriver/cgroups';

/**
 * The OOM events of one container run, for its callbacks. The cgroup reader's watch is started
 * on the first subscription; when the process exits, `finish(total)` ends it and delivers the
 * kills the watch had not seen yet (an OOM right before the exit, before its next poll), so no
 * OOM is lost between the last poll and the release of the cgroup.
 */
export class OomFeed {
  readonly #cgroupsPath: string;
  readonly #cgroupRoot: string;
  readonly #subscribers = new Set<{ queue: OomEvent[]; wake: () => void }>();
  readonly #abort = new AbortController();
  #started = false;
  #ended = false;
  #delivered = 0;

  constructor(cgroupsPath: string, cgroupRoot: string) {
    this.#cgroupsPath = cgroupsPath;
    this.#cgroupRoot = cgroupRoot;
  }

  /** The OOM kill count last read by the watch (0 before any): what is known once the cgroup is gone. */
  get seen(): number {
    return this.#delivered;
  }

  /** Starts the watch without a subscriber: for a runtime that removes the cgroup as the process ends (crun). */
  watch(): void {
    this.#start();
  }

  #publish(event: OomEvent): void {
    this.#delivered = event.oomKillEvents;
    for (const subscriber of this.#subscribers) {
      subscriber.queue.push(event);
      subscriber.wake();
    }
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    void (async () => {
      try {
        for await (const event of watchOom(openCgroup(this.#cgroupsPath, { cgroupRoot: this.#cgroupRoot }), { signal: this.#abort.signal })) {
          if (this.#ended) break;
          this.#publish(event);
        }
      } catch {
        // The cgroup went away or the watch was aborted: finish() reports what is left.
      }
    })();
  }

  /** Ends the feed after delivering the kills not yet seen, given the final `oom_kill` count. */
  finish(oomKillEvents: number): void {
    if (this.#ended) return;
    if (this.#started && oomKillEvents > this.#delivered) {
      this.#publish({ readAt: new Date().toISOString(), newOomKills: oomKillEvents - this.#delivered, oomKillEvents });
    }
    this.#ended = true;
    this.#abort.abort();
    for (const subscriber of this.#subscribers) subscriber.wake();
  }

  subscribe(): AsyncIterable<OomEvent> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<OomEvent> => {
        const subscriber = { queue: [] as OomEvent[], wake: () => undefined as void };
        this.#subscribers.add(subscriber);
        this.#start();
        return {
          next: async (): Promise<IteratorResult<OomEvent>> => {
            for (;;) {
              const event = subscriber.queue.shift();
              if (event) return { value: event, done: false };
              if (this.#ended) {
                this.#subscribers.delete(subscriber);
                return { value: undefined, done: true };
              }
              await new Promise<void>((resolve) => (subscriber.wake = resolve));
            }
          },
          return: async (): Promise<IteratorResult<OomEvent>> => {
            this.#subscribers.delete(subscriber);
            return { value: undefined, done: true };
          },
        };
      },
    };
  }
}
