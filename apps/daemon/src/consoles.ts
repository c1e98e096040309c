import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { consolePaths, encodeFrame, encodeResize, FrameType, readFrames, type Container, type Engine, type HolderMessage } from '@execdriver/engine';
import { DaemonError } from './errors.js';
import type { Hijacked } from './http.js';
import type { Monitor } from './monitor.js';

/** The HTTP status of a start that failed with the holder's exit code (Docker: 400 for 126/127). */
export function startFailure(message: string, exitCode: number): DaemonError {
  return new DaemonError('START_FAILED', message, { status: exitCode === 126 || exitCode === 127 ? 400 : 500 });
}

function holderMessage(child: ChildProcess, want: HolderMessage['type'], logPath: string): Promise<HolderMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: HolderMessage) => {
      if (message.type !== want && message.type !== 'failed') return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new DaemonError('START_FAILED', `the console holder exited (${code}) before the container started; see ${logPath}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * The terminals of tty containers, through their console holders (`execdriverd __console ID`,
 * the engine's runConsoleHolder): the holder owns the pty and outlives the daemon; attach
 * connections and resizes go through its socket.
 */
export class Consoles {
  readonly #engine: Engine;
  readonly #monitor: Monitor;
  /** Attach requests waiting for a tty container to start: called once its holder listens. */
  readonly #waiting = new Map<string, Set<() => Promise<void>>>();
  /** Open attach connections of the daemon to holders, by container id (resizes go through one). */
  readonly #connections = new Map<string, Set<net.Socket>>();

  constructor(engine: Engine, monitor: Monitor) {
    this.#engine = engine;
    this.#monitor = monitor;
  }

  /** Starts a tty container through a new console holder; the waiting attaches connect before it runs. */
  async start(container: Container): Promise<void> {
    const paths = consolePaths(this.#engine.stateRoot, container.id);
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    const waiting = this.#waiting.get(container.id);
    const waitForClient = waiting !== undefined && waiting.size > 0;
    const child = this.#engine.helper()(['__console', ...(waitForClient ? ['--wait-for-client'] : []), container.id], { logPath: paths.log, ipc: true });
    try {
      if (waitForClient) {
        const listening = await holderMessage(child, 'listening', paths.log);
        if (listening.type === 'failed') throw startFailure(listening.message, listening.exitCode);
        this.#waiting.delete(container.id);
        await Promise.all([...waiting].map((connect) => connect()));
      }
      const started = await holderMessage(child, 'started', paths.log);
      if (started.type === 'failed') {
        if (container.record.autoRemove) this.#monitor.removed(container, started.exitCode);
        throw startFailure(started.message, started.exitCode);
      }
    } finally {
      if (child.connected) child.disconnect();
      child.unref();
    }
  }

  /**
   * Joins a hijacked connection to the container's terminal: keyboard bytes in, terminal output
   * out (raw, as Docker sends a tty stream), until the container exits or the client leaves.
   * A container not running yet is joined when it starts (`docker run -it` attaches first).
   */
  async attach(container: Container, hijacked: Hijacked, options: { stdin: boolean; running: boolean }): Promise<void> {
    /** Connects; resolves once connected, to a promise of the connection's end. */
    const connect = async (): Promise<{ done: Promise<void> }> => {
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
        else if (frame.type === FrameType.exit) this.#monitor.emit(`exit:${container.id}`, (JSON.parse(frame.payload.toString()) as { exitCode: number }).exitCode);
        else if (frame.type === FrameType.error) hijacked.output.write(`${(JSON.parse(frame.payload.toString()) as { message: string }).message}\r\n`);
      });
      if (options.stdin) hijacked.input.on('data', (chunk: Buffer) => socket.write(encodeFrame(FrameType.data, chunk)));
      void hijacked.closed.then(() => socket.end());
      return { done };
    };
    if (options.running) {
      await (await connect()).done;
      return;
    }
    const joined = new Promise<{ done: Promise<void> }>((resolve, reject) => {
      let set = this.#waiting.get(container.id);
      if (!set) this.#waiting.set(container.id, (set = new Set()));
      const entry = async () => {
        try {
          resolve(await connect());
        } catch (error) {
          reject(error);
        }
      };
      set.add(entry);
      void hijacked.closed.then(() => {
        set.delete(entry);
        resolve({ done: Promise.resolve() });
      });
    });
    await (await joined).done;
  }

  /** Resizes the container's terminal (through an attach connection, or a short one of its own). */
  async resize(id: string, cols: number, rows: number): Promise<void> {
    const frame = encodeResize(cols, rows);
    const open = this.#connections.get(id);
    if (open && open.size > 0) {
      for (const socket of open) socket.write(frame);
      return;
    }
    await new Promise<void>((resolve) => {
      const socket = net.connect(consolePaths(this.#engine.stateRoot, id).socket);
      socket.once('connect', () => socket.end(frame));
      socket.once('error', () => resolve());
      socket.once('close', () => resolve());
      socket.resume();
    });
  }
}
