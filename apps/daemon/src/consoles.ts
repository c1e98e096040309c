import net from 'node:net';
import type { Writable } from 'node:stream';
import { consolePaths, encodeFrame, encodeResize, FrameType, readFrames, type Container, type Engine } from '@execdriver/engine';
import { DaemonError } from './errors.js';
import type { Hijacked } from './http.js';
import type { LogCopiers } from './log-copiers.js';

/** Whether a tty container's terminal is held by a CLI console holder (`execdriver run -dit`), not by FIFOs of its shim. */
export function heldByConsoleHolder(container: Pick<Container, 'record' | 'driver'>): boolean {
  return container.record.command.process.tty && container.driver?.fifos !== true;
}

/**
 * The terminals of tty containers. The daemon starts them with FIFOs (the driver's `fifos`: the
 * terminal is held by script(1) under the shim, no process of ours): their screen comes through
 * the log copier (which writes the json-file log and hands each chunk to the attached clients),
 * keyboard bytes go to the stdin FIFO, resizes to the terminal itself. A tty container started by
 * the CLI (`run -dit`, a Node console holder) is reached through its holder's socket.
 */
export class Consoles {
  readonly #engine: Engine;
  readonly #copiers: LogCopiers;
  /** Open attach connections of the daemon to holders, by container id (resizes go through one). */
  readonly #connections = new Map<string, Set<net.Socket>>();

  constructor(engine: Engine, copiers: LogCopiers) {
    this.#engine = engine;
    this.#copiers = copiers;
  }

  /**
   * Joins a hijacked connection to the container's terminal: keyboard bytes in, terminal output
   * out (raw, as Docker sends a tty stream), until the container exits or the client leaves.
   * A container not running yet is joined when it starts (`docker run -it` attaches first).
   */
  async attach(container: Container, hijacked: Hijacked, options: { stdin: boolean; running: boolean }): Promise<void> {
    if (options.running && heldByConsoleHolder(container)) {
      await this.#attachHolder(container, hijacked, options);
      return;
    }
    const { id } = container;
    let keyboard: Writable | undefined;
    let left = false;
    const typed: Buffer[] = [];
    let leave: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      const stop = this.#copiers.listen(
        id,
        {
          started: () => {
            if (!options.stdin || keyboard) return;
            void this.#engine.openInput(id).then((opened) => {
              if (!opened) return;
              // Gone meanwhile (the client, or the run): the keyboard is not kept.
              if (left) {
                opened.destroy();
                return;
              }
              keyboard = opened;
              for (const chunk of typed.splice(0)) opened.write(chunk);
            });
          },
          data: (chunk) => hijacked.output.write(chunk),
          end: () => leave(),
        },
        { running: options.running },
      );
      leave = () => {
        if (left) return;
        left = true;
        stop();
        keyboard?.destroy();
        resolve();
      };
      void hijacked.closed.then(() => leave());
    });
    if (options.stdin) {
      hijacked.input.on('data', (chunk: Buffer) => {
        if (keyboard) keyboard.write(chunk);
        else typed.push(chunk);
      });
    } else hijacked.input.resume();
    await done;
    hijacked.end();
  }

  /** Resizes the container's terminal (its own, or through its console holder). */
  async resize(container: Pick<Container, 'id' | 'record' | 'driver'>, cols: number, rows: number): Promise<void> {
    if (!heldByConsoleHolder(container)) {
      await this.#engine.resizeTerminal(container.id, cols, rows);
      return;
    }
    const frame = encodeResize(cols, rows);
    const open = this.#connections.get(container.id);
    if (open && open.size > 0) {
      for (const socket of open) socket.write(frame);
      return;
    }
    await new Promise<void>((resolve) => {
      const socket = net.connect(consolePaths(this.#engine.stateRoot, container.id).socket);
      socket.once('connect', () => socket.end(frame));
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
      socket.resume();
    });
  }

  /** Attach through the socket of a CLI console holder. */
  async #attachHolder(container: Container, hijacked: Hijacked, options: { stdin: boolean }): Promise<void> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const candidate = net.connect(consolePaths(this.#engine.stateRoot, container.id).socket);
      candidate.once('connect', () => resolve(candidate));
      candidate.once('error', (error) => reject(new DaemonError('CONFLICT', `cannot reach the terminal of container ${container.id}: ${error.message}`, { cause: error })));
    });
    let set = this.#connections.get(container.id);
    if (!set) this.#connections.set(container.id, (set = new Set()));
    set.add(socket);
    const done = new Promise<void>((resolve) => {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        set.delete(socket);
        if (set.size === 0) this.#connections.delete(container.id);
        hijacked.end();
        resolve();
      });
    });
    readFrames(socket, (frame) => {
      if (frame.type === FrameType.data) hijacked.output.write(frame.payload);
      else if (frame.type === FrameType.error) hijacked.output.write(`${(JSON.parse(frame.payload.toString()) as { message: string }).message}\r\n`);
    });
    if (options.stdin) hijacked.input.on('data', (chunk: Buffer) => socket.write(encodeFrame(FrameType.data, chunk)));
    void hijacked.closed.then(() => socket.end());
    await done;
  }
}
