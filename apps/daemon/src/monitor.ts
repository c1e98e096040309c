import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, HealthProber, probeSettings, type Container, type Engine } from '@execdriver/engine';
import type { Logger } from './log.js';

/** A Docker event (`GET /events`): `{ Type, Action, Actor: { ID, Attributes }, time, timeNano }`. */
export interface DockerEvent {
  Type: 'container' | 'image';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  /** Before API 1.22 clients; still sent by dockerd. */
  status?: string;
  id?: string;
  from?: string;
}

const tombstoneMs = 60_000;

/**
 * What the daemon knows between requests: the containers it started (so `wait next-exit` never
 * misses an exit that came right after the start), exits it saw, containers removed by AutoRemove
 * (so `wait removed` answers after the removal), open output streams (AutoRemove waits for them),
 * and the events it observed.
 *
 * TODO(events): the engine's events journal (another change) is the source of truth for events and
 * sees what the CLI does too; until it lands, `/events` streams what this daemon did and saw.
 */
export class Monitor extends EventEmitter {
  readonly #engine: Engine;
  readonly #log: Logger;
  /** id -> when this daemon last started it. */
  readonly #starts = new Map<string, number>();
  /** id -> exit code of a container removed by this daemon, kept a while for `wait condition=removed`. */
  readonly #removed = new Map<string, { exitCode: number; at: number; name: string }>();
  readonly #readers = new Map<string, number>();
  readonly #history: DockerEvent[] = [];
  /** id -> the prober of the container's current run (Docker's health monitor, in this process). */
  readonly #probers = new Map<string, HealthProber>();

  constructor(engine: Engine, log: Logger) {
    super();
    this.setMaxListeners(0);
    this.#engine = engine;
    this.#log = log;
  }

  emitEvent(type: DockerEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const now = Date.now();
    const event: DockerEvent = { status: action, id, ...(attributes.image ? { from: attributes.image } : {}), Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local', time: Math.floor(now / 1000), timeNano: now * 1e6 };
    this.#history.push(event);
    if (this.#history.length > 1000) this.#history.shift();
    this.emit('event', event);
  }

  /** Events since `sinceSeconds` (the ones this daemon kept). */
  history(sinceSeconds: number): DockerEvent[] {
    return this.#history.filter((event) => event.time >= sinceSeconds);
  }

  containerEvent(action: string, container: Pick<Container, 'id' | 'name' | 'record'>, extra: Record<string, string> = {}): void {
    this.emitEvent('container', action, container.id, { ...container.record.labels, image: container.record.image, name: container.name, ...extra });
  }

  started(container: Pick<Container, 'id' | 'name' | 'record'>): void {
    this.#starts.set(container.id, Date.now());
    this.emit(`start:${container.id}`);
    this.containerEvent('start', container);
    this.probeHealth(container, { restart: true });
    void this.#watchExit(container);
  }

  /** Follows a running container this daemon did not start now (one of its last run): its exit, its AutoRemove. */
  watch(container: Pick<Container, 'id' | 'name' | 'record'>): void {
    void this.#watchExit(container);
  }

  /**
   * Runs the health probes of a running container with a health check in this process, until it
   * stops (its prober ends with the run). `restart`: a new run, so a prober of the last one goes.
   */
  probeHealth(container: Pick<Container, 'id' | 'record'>, options: { restart?: boolean } = {}): void {
    if (!probeSettings(container.record.healthcheck)) return;
    const current = this.#probers.get(container.id);
    if (current && !options.restart) return;
    void current?.stop();
    const prober = new HealthProber(this.#engine, container.id, { onError: (error) => this.#log.warn('health probe loop failed', { id: container.id, error: (error as Error).message }) });
    this.#probers.set(container.id, prober);
    void prober.done.then(() => {
      if (this.#probers.get(container.id) === prober) this.#probers.delete(container.id);
    });
  }

  /** Stops every health prober of this process (the daemon's shutdown): their leases go to whoever probes next. */
  async stopHealthProbes(): Promise<void> {
    const probers = [...this.#probers.values()];
    this.#probers.clear();
    // A probe under way (up to its timeout) is not waited for long: the next prober takes the lease over from a dead pid.
    await Promise.race([Promise.all(probers.map((prober) => prober.stop())), sleep(1000)]);
  }

  /** Whether this daemon started the container within `ms`. */
  startedWithin(id: string, ms: number): boolean {
    const at = this.#starts.get(id);
    return at !== undefined && Date.now() - at <= ms;
  }

  /** Resolves once the container is started again (by this daemon, or seen running by polling: the CLI's starts). */
  async nextStart(id: string, previousStartedAt: string | undefined, signal: AbortSignal): Promise<Container | undefined> {
    let wake: () => void = () => undefined;
    const listener = () => wake();
    this.on(`start:${id}`, listener);
    try {
      while (!signal.aborted) {
        let container: Container;
        try {
          container = await this.#engine.find(id);
        } catch (error) {
          if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return undefined;
          throw error;
        }
        if (container.startedAt !== undefined && container.startedAt !== previousStartedAt) return container;
        await new Promise<void>((resolve) => {
          wake = resolve;
          const timer = setTimeout(resolve, 200);
          signal.addEventListener('abort', () => resolve(), { once: true });
          timer.unref();
        });
      }
      return undefined;
    } finally {
      this.off(`start:${id}`, listener);
    }
  }

  async #watchExit(container: Pick<Container, 'id' | 'name' | 'record'>): Promise<void> {
    try {
      const status = await this.#engine.wait(container.id);
      this.containerEvent('die', container, { exitCode: String(status.exitCode) });
      this.emit(`exit:${container.id}`, status.exitCode);
      if (container.record.autoRemove && !container.record.command.process.tty) await this.autoRemove(container, status.exitCode);
    } catch (error) {
      this.#log.debug('exit watch ended', { id: container.id, error: (error as Error).message });
    }
  }

  /** Removes an AutoRemove container once its output streams are done (bounded), and remembers its exit. */
  async autoRemove(container: Pick<Container, 'id' | 'name' | 'record'>, exitCode: number, options: { waitForReaders?: boolean } = {}): Promise<void> {
    if (options.waitForReaders ?? true) for (let waited = 0; (this.#readers.get(container.id) ?? 0) > 0 && waited < 5000; waited += 50) await sleep(50);
    try {
      await this.#engine.remove(container.id, { force: true });
    } catch (error) {
      if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) this.#log.warn('auto-remove failed', { id: container.id, error: (error as Error).message });
    }
    this.removed(container, exitCode);
  }

  removed(container: Pick<Container, 'id' | 'name' | 'record'>, exitCode: number): void {
    const now = Date.now();
    for (const [id, entry] of this.#removed) if (now - entry.at > tombstoneMs) this.#removed.delete(id);
    this.#removed.set(container.id, { exitCode, at: now, name: container.name });
    this.containerEvent('destroy', container);
    this.emit(`removed:${container.id}`, exitCode);
  }

  /** A container this daemon removed lately, by id, id prefix or name. */
  recentlyRemoved(reference: string): { id: string; exitCode: number } | undefined {
    for (const [id, entry] of this.#removed) {
      if (id === reference || entry.name === reference || entry.name === reference.replace(/^\//, '') || (reference.length >= 3 && id.startsWith(reference))) return { id, exitCode: entry.exitCode };
    }
    return undefined;
  }

  /** Counts an open output stream of a container (attach, logs follow): AutoRemove waits for them. */
  reading(id: string): () => void {
    this.#readers.set(id, (this.#readers.get(id) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#readers.get(id) ?? 1) - 1;
      if (left <= 0) this.#readers.delete(id);
      else this.#readers.set(id, left);
    };
  }
}
