import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError, HealthProber, hasRestartPolicy, isActive, liveMonitor, nextRestartDelay, probeSettings, shouldRestart, type Container, type ContainerRecord, type Engine } from '@execdriver/engine';
import type { Logger } from './log.js';
import { heldByConsoleHolder } from './consoles.js';

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

/** A restart this daemon decided and has not finished: cancelled by a stop, kill, restart or rm of the user. */
interface PendingRestart {
  cancelled: boolean;
  wake: () => void;
  done: Promise<void>;
}

/** Starts a container as the API's start does (`startContainer`): given by the server once its context exists. */
export type ContainerStarter = (container: Container) => Promise<void>;

/**
 * What the daemon knows between requests: the containers it started (so `wait next-exit` never
 * misses an exit that came right after the start), exits it saw, containers removed by AutoRemove
 * (so `wait removed` answers after the removal), open output streams (AutoRemove waits for them),
 * and the events it observed. It also runs restart policies (`--restart`), in this process: at a
 * container's exit it decides with Docker's rules (`shouldRestart`), counts the restart, waits
 * Docker's backoff (100 ms doubling up to a minute, reset after 10 s up) while the container shows
 * `restarting`, and starts it again as the API does; at the daemon's start it restarts the ones
 * Docker restarts at boot.
 * Its events (emitted in this process) wake waiters inside the daemon; `GET /events` reads the engine's journal.
 */
export class Monitor extends EventEmitter {
  readonly #engine: Engine;
  readonly #log: Logger;
  /** id -> when this daemon last started it. */
  readonly #starts = new Map<string, number>();
  /** id -> exit code of a container removed by this daemon, kept a while for `wait condition=removed`. */
  readonly #removed = new Map<string, { exitCode: number; at: number; name: string }>();
  readonly #readers = new Map<string, number>();
  /** id -> the last restart delay (Docker's backoff), kept between the runs of one policy. */
  readonly #delays = new Map<string, number>();
  readonly #pending = new Map<string, PendingRestart>();
  /** id -> how many user operations hold its restarts (see holdRestarts). */
  readonly #held = new Map<string, number>();
  #starter: ContainerStarter | undefined;
  /** id -> the prober of the container's current run (Docker's health monitor, in this process). */
  readonly #probers = new Map<string, HealthProber>();

  readonly #settled: (id: string) => Promise<unknown>;

  /** `settled`: resolves once a container's log has its last lines (its exit is told after). */
  constructor(engine: Engine, log: Logger, options: { settled?: (id: string) => Promise<unknown> } = {}) {
    super();
    this.setMaxListeners(0);
    this.#engine = engine;
    this.#log = log;
    this.#settled = options.settled ?? (async () => undefined);
  }

  /** How restart policies start containers (the API's start). */
  useStarter(starter: ContainerStarter): void {
    this.#starter = starter;
  }

  started(container: Pick<Container, 'id' | 'name' | 'record'>): void {
    this.#starts.set(container.id, Date.now());
    // A start by the user (not by a restart policy): Docker's backoff starts over.
    if (!this.#pending.has(container.id)) this.#delays.delete(container.id);
    this.emit(`start:${container.id}`);
    this.probeHealth(container, { restart: true });
    // This daemon's own start: its AutoRemove is this daemon's to do, tty or not.
    void this.#watchExit(container, { autoRemove: container.record.autoRemove });
  }

  /** Follows a running container this daemon did not start now (one of its last run): its exit, its AutoRemove. */
  watch(container: Pick<Container, 'id' | 'name' | 'record' | 'driver'>): void {
    // A CLI console holder (`run -dit --rm`) removes its own container.
    void this.#watchExit(container, { autoRemove: container.record.autoRemove && !heldByConsoleHolder(container) });
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

  async #watchExit(container: Pick<Container, 'id' | 'name' | 'record'>, options: { autoRemove: boolean }): Promise<void> {
    try {
      if (hasRestartPolicy(container.record)) await this.#runStarted(container.id);
      const status = await this.#engine.wait(container.id);
      await this.#settled(container.id);
      this.emit(`exit:${container.id}`, status.exitCode);
      if (options.autoRemove) await this.autoRemove(container, status.exitCode);
      else if (hasRestartPolicy(container.record)) await this.#restartIfWanted(container.id, status.exitCode);
    } catch (error) {
      this.#log.debug('exit watch ended', { id: container.id, error: (error as Error).message });
    }
  }

  /** A run under a restart policy began: the record no longer says `restarting` (the restart that started it is done). */
  async #runStarted(id: string): Promise<void> {
    const record = await this.#readRecord(id);
    if (!record?.restarting) return;
    await this.#engine.records.update(id, (fresh) => {
      if (!fresh.restarting) return false;
      fresh.restarting = false;
      return true;
    });
  }

  async #readRecord(id: string): Promise<ContainerRecord | undefined> {
    try {
      return await this.#engine.records.read(id);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return undefined;
      throw error;
    }
  }

  /**
   * Docker's restart manager at a container's exit: decides, counts the restart, waits the backoff
   * (the container shows `restarting`), then starts it as the API does. A start that fails counts
   * as an exit (127) and the policy goes on. Every step re-reads the record: a stop or kill from
   * the CLI on the same roots (which marks it manually stopped) ends it too.
   */
  async #restartIfWanted(id: string, exitCode: number): Promise<void> {
    if (this.#pending.has(id) || this.#held.has(id)) return;
    let wake: () => void = () => undefined;
    let finish: () => void = () => undefined;
    const pending: PendingRestart = { cancelled: false, wake: () => wake(), done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#pending.set(id, pending);
    try {
      for (let code = exitCode; ; code = 127) {
        const record = await this.#readRecord(id);
        if (!record || pending.cancelled) return;
        // Started by the CLI on the same roots: its own monitor helper runs the policy.
        if ((await liveMonitor(this.#engine.stateRoot, id)).pid !== undefined) return;
        if (!shouldRestart(record.restartPolicy, { exitCode: code, restartCount: record.restartCount, manuallyStopped: record.manuallyStopped ?? false })) {
          this.#delays.delete(id);
          return;
        }
        const last = record.lastExit;
        const container = await this.#engine.find(id);
        // Started again meanwhile (by the user, the CLI): that run is watched on its own.
        if (container.state === 'running' || container.state === 'paused') return;
        const startedAt = container.startedAt ?? last?.startedAt;
        const finishedAt = container.finishedAt ?? last?.finishedAt;
        const uptimeMs = startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : 0;
        const delayMs = nextRestartDelay(this.#delays.get(id) ?? 0, uptimeMs);
        this.#delays.set(id, delayMs);
        // Docker counts the restart when it decides it (RestartCount shows it while `restarting`),
        // on the freshest record: a stop by the user since the decision wins.
        let counted = false;
        const latest = await this.#engine.records.update(id, (fresh) => {
          if (fresh.manuallyStopped || pending.cancelled || this.#held.has(id)) return false;
          fresh.restartCount += 1;
          fresh.restarting = true;
          counted = true;
          return true;
        });
        if (!counted) return;
        record.restartCount = latest.restartCount;
        this.#log.debug('restart policy: restarting', { id, policy: record.restartPolicy?.name, exitCode: code, restartCount: record.restartCount, delayMs });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const fresh = await this.#readRecord(id);
        if (!fresh || pending.cancelled || fresh.manuallyStopped || this.#held.has(id)) return;
        try {
          if (!this.#starter) throw new Error('the daemon gave its monitor no way to start containers');
          const current = await this.#engine.find(id);
          if (current.state === 'running' || current.state === 'paused') return;
          await this.#starter(current);
          return;
        } catch (error) {
          if (error instanceof EngineError && error.code === 'CONTAINER_RUNNING') return;
          this.#log.warn('restart policy: the restart failed', { id, error: (error as Error).message });
        }
      }
    } catch (error) {
      this.#log.warn('restart policy ended', { id, error: (error as Error).message });
    } finally {
      this.#pending.delete(id);
      finish();
    }
  }

  /**
   * The user acts on the container (stop, kill, restart, rm): a restart this daemon is waiting to
   * make is dropped; one that is starting the container now is let finish first.
   */
  /**
   * A stop, kill, restart or removal by the user is under way: pending restarts are cancelled and
   * no restart decision writes the record or starts the container until the returned release is
   * called (a decision read before the user's stop could otherwise undo its `manuallyStopped`).
   */
  async holdRestarts(id: string): Promise<() => void> {
    this.#held.set(id, (this.#held.get(id) ?? 0) + 1);
    await this.cancelRestart(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.#held.get(id) ?? 1) - 1;
      if (count > 0) this.#held.set(id, count);
      else this.#held.delete(id);
    };
  }

  async cancelRestart(id: string): Promise<void> {
    const pending = this.#pending.get(id);
    if (!pending) return;
    pending.cancelled = true;
    pending.wake();
    await pending.done;
  }

  /** The daemon stops: restarts it waits to make are dropped, ones starting a container now finish first. */
  async close(): Promise<void> {
    await Promise.all([...this.#pending.keys()].map((id) => this.cancelRestart(id)));
  }

  /**
   * The daemon's start (dockerd's restore at boot): running containers under a restart policy are
   * watched again; stopped ones that ran before are started again when Docker's rules say so at
   * boot: `always` (even one stopped by the user), `unless-stopped` unless the user stopped it,
   * `on-failure` after a failure within its retries; one the last daemon was about to restart is.
   * The restart count starts again at 0, as a start by dockerd at boot does.
   */
  async recoverRestartPolicies(containers: readonly Container[]): Promise<void> {
    for (const container of containers) {
      const { record } = container;
      if (!hasRestartPolicy(record) || container.state === 'dead') continue;
      // One the CLI started on the same roots has its own monitor helper.
      if ((await liveMonitor(this.#engine.stateRoot, record.id)).pid !== undefined) continue;
      if (container.state === 'running' || container.state === 'paused') {
        this.watch(container);
        continue;
      }
      const startedBefore = container.startedAt !== undefined || record.lastExit !== undefined;
      if (!startedBefore || container.state === 'created') continue;
      const policy = record.restartPolicy!;
      const manuallyStopped = record.manuallyStopped ?? false;
      const wanted =
        container.state === 'restarting' ||
        policy.name === 'always' ||
        (policy.name === 'unless-stopped' && !manuallyStopped) ||
        (policy.name === 'on-failure' && shouldRestart(policy, { exitCode: container.exitCode ?? 0, restartCount: record.restartCount, manuallyStopped: false }));
      if (!wanted) continue;
      try {
        if (record.restarting) {
          record.restarting = false;
          await this.#engine.records.write(record);
        }
        if (!this.#starter) throw new Error('the daemon gave its monitor no way to start containers');
        await this.#starter(await this.#engine.find(container.id));
        this.#log.info('restart policy: started at daemon start', { id: container.id, policy: policy.name });
      } catch (error) {
        this.#log.warn('restart policy: cannot start at daemon start', { id: container.id, error: (error as Error).message });
      }
    }
  }

  /** Removes an AutoRemove container once its output streams are done (bounded), and remembers its exit. */
  async autoRemove(container: Pick<Container, 'id' | 'name' | 'record'>, exitCode: number, options: { waitForReaders?: boolean } = {}): Promise<void> {
    if ((options.waitForReaders ?? true) && (this.#readers.get(container.id) ?? 0) > 0) {
      // The last reader's end wakes this (`unread:<id>`); 5 s at most.
      const timeout = new AbortController();
      let wake: () => void = () => undefined;
      const unread = new Promise<void>((resolve) => (wake = resolve));
      this.once(`unread:${container.id}`, wake);
      await Promise.race([unread, sleep(5000, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
      this.off(`unread:${container.id}`, wake);
    }
    try {
      // Started again meanwhile (a `docker start` while readers finished): that run is not removed under it.
      const current = await this.#engine.find(container.id);
      if (isActive(current) && current.state !== 'restarting') {
        this.#log.info('auto-remove skipped: the container was started again', { id: container.id });
        return;
      }
      // As Docker's AutoRemove: the container's anonymous volumes go with it.
      await this.#engine.remove(container.id, { force: true, volumes: true });
    } catch (error) {
      if (!(error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER')) this.#log.warn('auto-remove failed', { id: container.id, error: (error as Error).message });
    }
    this.removed(container, exitCode);
  }

  removed(container: Pick<Container, 'id' | 'name' | 'record'>, exitCode: number): void {
    const now = Date.now();
    for (const [id, entry] of this.#removed) if (now - entry.at > tombstoneMs) this.#removed.delete(id);
    this.#removed.set(container.id, { exitCode, at: now, name: container.name });
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
      if (left <= 0) {
        this.#readers.delete(id);
        this.emit(`unread:${id}`);
      } else this.#readers.set(id, left);
    };
  }
}
