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
  /** Containers whose last run this daemon copied to its end, with that run's start (its log is complete for that run). */
  readonly #ended = new Map<string, string | undefined>();
  /** Readers waiting for a container's next run (`docker run -it` attaches first). */
  readonly #waiting = new Map<string, Set<OutputListener>>();
  /** The readers of each run being copied (a run's own set: the next run's readers never hear its end). */
  readonly #runs = new Map<string, Set<OutputListener>>();

  constructor(engine: Engine, log: Logger) {
    this.#engine = engine;
    this.#log = log;
  }

  /**
   * Copies a started container's output to its log until its shim is gone. `startedAt` names the
   * run. A tty's partial lines (a prompt, an echo) are written at once: readers of the log see them.
   */
  copy(record: Pick<ContainerRecord, 'id' | 'logConfig' | 'labels' | 'command'>, output: ContainerOutput, startedAt?: string): void {
    const { id } = record;
    this.#ended.delete(id);
    const writer = openContainerLog(this.#engine, record);
    const tty = record.command.process.tty;
    let failed = false;
    // The readers of this run: those waiting for it now, and those that join while it runs.
    const listeners = new Set(this.#waiting.get(id) ?? []);
    this.#waiting.delete(id);
    this.#runs.set(id, listeners);
    for (const listener of listeners) listener.started();
    const pump = (stream: LogStream, readable: Readable) =>
      new Promise<void>((resolve) => {
        readable.on('data', (chunk: Buffer) => {
          for (const listener of listeners) listener.data(chunk);
          if (!writer) return;
          try {
            writer.write(stream, chunk);
            if (tty) writer.flush(stream);
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
        this.#ended.set(id, startedAt);
        // Bounded: the oldest marks go (their containers long gone); without one, readers wait as for the CLI's logs.
        if (this.#ended.size > 4096) this.#ended.delete(this.#ended.keys().next().value!);
      }
      if (this.#runs.get(id) === listeners) this.#runs.delete(id);
      for (const listener of listeners) listener.end();
      this.#log.debug('log copier ended', { id });
    });
    this.#copies.set(id, copied);
  }

  /** Reads again the output of a running container started with FIFOs (by this daemon's last run); false when it has none. */
  async resume(container: Pick<Container, 'id' | 'record' | 'startedAt'>): Promise<boolean> {
    if (this.#copies.has(container.id)) return true;
    const output = await this.#engine.openOutput(container.id);
    if (!output) return false;
    this.copy(container.record, output, container.startedAt);
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

  /**
   * Hands the container's output to `listener` as it is copied, from now: the run being copied
   * (`running`: the container runs), else the next one to start (a run of a container that
   * already exited, still draining, is not joined). Returns the way to stop listening.
   */
  listen(id: string, listener: OutputListener, options: { running: boolean }): () => void {
    const run = options.running ? this.#runs.get(id) : undefined;
    let set = run;
    if (!set) {
      set = this.#waiting.get(id);
      if (!set) this.#waiting.set(id, (set = new Set()));
    }
    set.add(listener);
    if (run) listener.started();
    const joined = set;
    return () => {
      joined.delete(listener);
      if (joined.size === 0 && this.#waiting.get(id) === joined) this.#waiting.delete(id);
    };
  }

  /** Whether the container's output is being copied now. */
  copying(id: string): boolean {
    return this.#copies.has(id);
  }

  /**
   * Resolves once the container's copier wrote its last lines (at once without one; at most 2 s):
   * true when this daemon copied the run that started at `startedAt` to its end (its log is
   * complete), false when another process writes it (the CLI's log holder) or the wait timed out.
   */
  async settled(id: string, startedAt?: string): Promise<boolean> {
    const copied = this.#copies.get(id);
    // Complete only for the run this daemon copied (the CLI may have run it since).
    if (!copied) return this.#ended.has(id) && startedAt !== undefined && this.#ended.get(id) === startedAt;
    const timeout = new AbortController();
    const done = await Promise.race([copied.then(() => true), sleep(settleMs, false, { signal: timeout.signal }).catch(() => false)]);
    timeout.abort();
    return done;
  }
}
