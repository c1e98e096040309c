import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { openContainerLog, type Container, type ContainerRecord, type Engine, type LogStream } from '@execdriver/engine';
import type { ContainerOutput } from '@execdriver/driver';
import { errorMessage } from './errors.js';
import type { Logger } from './log.js';

/** How long an exit waits for the copier's last lines (dockerd waits 2 s for its stream copiers). */
const settleMs = 2000;

/**
 * The daemon's log copiers, Docker's shape (containerd-shim holds the FIFOs, dockerd reads them):
 * one per running non-tty container, in this process, reading the output FIFOs its shim holds into
 * its json-file log (max-size, max-file, attrs; log driver none: the FIFOs are drained, nothing is
 * written), until the shim is gone. No process per container: the container does not depend on
 * the daemon; while it is down, output waits in the FIFOs (a writer blocks once 64 KiB wait), and
 * `resume` reads it when it is back.
 */
/** A reader of a container's output as it is copied (a tty attach): chunks, then the end of the run. */
export interface OutputListener {
  /** The copier of a run began (the container started): its keyboard can be opened now. */
  started(): void;
  data(chunk: Buffer): void;
  /** The run's output ended (the container exited and all of it was read). */
  end(): void;
}

export class LogCopiers {
  readonly #engine: Engine;
  readonly #log: Logger;
  readonly #copies = new Map<string, Promise<void>>();
  /** Containers whose last run's output this daemon copied to its end (until their next run). */
  readonly #ended = new Set<string>();
  /** Live readers by container id, kept across the wait for a start (`docker run -it` attaches first). */
  readonly #listeners = new Map<string, Set<OutputListener>>();

  constructor(engine: Engine, log: Logger) {
    this.#engine = engine;
    this.#log = log;
  }

  /** Copies a started container's output to its log until its shim is gone. */
  copy(record: Pick<ContainerRecord, 'id' | 'logConfig' | 'labels' | 'command'>, output: ContainerOutput): void {
    const { id } = record;
    this.#ended.delete(id);
    const writer = openContainerLog(this.#engine, record);
    let failed = false;
    // The listeners of this run: those waiting now, and those that join while it runs.
    const listeners = this.#listenersOf(id);
    for (const listener of listeners) listener.started();
    const pump = (stream: LogStream, readable: Readable) =>
      new Promise<void>((resolve) => {
        readable.on('data', (chunk: Buffer) => {
          for (const listener of listeners) listener.data(chunk);
          if (!writer) return;
          try {
            writer.write(stream, chunk);
          } catch (error) {
            // A full disk, or the container removed meanwhile: the FIFO is still drained.
            if (!failed) this.#log.warn('cannot write a container log', { id, path: writer.path, error: errorMessage(error) });
            failed = true;
          }
        });
        readable.once('end', () => resolve());
        readable.once('close', () => resolve());
      });
    const copied: Promise<void> = Promise.all([pump('stdout', output.stdout), pump('stderr', output.stderr)]).then(() => {
      try {
        writer?.close();
      } catch {
        // Its partial last lines could not be written: said above when it was the disk.
      }
      if (this.#copies.get(id) === copied) {
        this.#copies.delete(id);
        this.#ended.add(id);
        // Bounded: the oldest marks go (their containers long gone); without one, readers wait as for the CLI's logs.
        if (this.#ended.size > 4096) this.#ended.delete(this.#ended.values().next().value!);
      }
      if (this.#listeners.get(id) === listeners) this.#listeners.delete(id);
      for (const listener of listeners) listener.end();
      this.#log.debug('log copier ended', { id });
    });
    this.#copies.set(id, copied);
  }

  /** Reads again the output of a running container started with FIFOs (by this daemon's last run); false when it has none. */
  async resume(container: Pick<Container, 'id' | 'record'>): Promise<boolean> {
    if (this.#copies.has(container.id)) return true;
    const output = await this.#engine.openOutput(container.id);
    if (!output) return false;
    this.copy(container.record, output);
    return true;
  }

  /**
   * Live restore: reads again the output of every running container that has output FIFOs
   * (started by this daemon's last run); resolves to their ids. One container's failure is logged, not thrown.
   */
  async resumeAll(): Promise<string[]> {
    const driver = await this.#engine.driver();
    const resumed: string[] = [];
    for (const summary of await driver.list()) {
      if (summary.status !== 'running' && summary.status !== 'paused') continue;
      try {
        if (await this.resume(await this.#engine.find(summary.id))) resumed.push(summary.id);
      } catch (error) {
        this.#log.warn('cannot resume a log copier', { id: summary.id, error: errorMessage(error) });
      }
    }
    return resumed;
  }

  #listenersOf(id: string): Set<OutputListener> {
    let set = this.#listeners.get(id);
    if (!set) this.#listeners.set(id, (set = new Set()));
    return set;
  }

  /**
   * Hands the container's output to `listener` as it is copied, from now: the run being copied,
   * or the next one to start. Returns the way to stop listening.
   */
  listen(id: string, listener: OutputListener): () => void {
    const set = this.#listenersOf(id);
    set.add(listener);
    if (this.#copies.has(id)) listener.started();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(id) === set && !this.#copies.has(id)) this.#listeners.delete(id);
    };
  }

  /** Whether the container's output is being copied now. */
  copying(id: string): boolean {
    return this.#copies.has(id);
  }

  /**
   * Resolves once the container's copier wrote its last lines (at once without one; at most 2 s):
   * true when this daemon copied its last run (its log is complete), false when another process
   * writes it (the CLI's log holder) or the wait timed out.
   */
  async settled(id: string): Promise<boolean> {
    const copied = this.#copies.get(id);
    if (!copied) return this.#ended.has(id);
    const timeout = new AbortController();
    const done = await Promise.race([copied.then(() => true), sleep(settleMs, false, { signal: timeout.signal }).catch(() => false)]);
    timeout.abort();
    return done;
  }
}
