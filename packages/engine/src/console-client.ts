import { Socket, connect } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Terminal, TerminalExit } from '@execdriver/terminal';
import { encodeFrame, encodeResize, FrameType, readFrames } from './console-protocol.js';
import { EngineError } from './errors.js';

/** A console holder's terminal, seen through its socket: usable with attachLocalTerminal. */
export interface ConsoleConnection extends Terminal {
  /** Set when the holder reported that the container did not start. */
  readonly failure: { message: string; exitCode: number } | undefined;
  /** True when the socket closed without an exit report. */
  readonly lost: boolean;
}

export async function connectConsole(socketPath: string, id: string, size: { cols: number; rows: number }): Promise<ConsoleConnection> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const candidate = connect(socketPath);
    candidate.once('connect', () => resolve(candidate));
    candidate.once('error', (error) => reject(new EngineError('CONSOLE_FAILED', `cannot connect to the console of container ${id} at ${socketPath}: ${error.message}`, { cause: error })));
  });
  return new SocketTerminal(socket, size);
}

class SocketTerminal implements ConsoleConnection {
  readonly pid = 0;
  readonly output = new PassThrough();
  readonly exited: Promise<TerminalExit>;
  failure: { message: string; exitCode: number } | undefined;
  lost = false;
  #size: { cols: number; rows: number };
  #closed = false;
  readonly #socket: Socket;

  constructor(socket: Socket, size: { cols: number; rows: number }) {
    this.#socket = socket;
    this.#size = size;
    let resolveExit: (exit: TerminalExit) => void = () => undefined;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    let exit: TerminalExit | undefined;
    readFrames(socket, (frame) => {
      if (frame.type === FrameType.data) this.output.write(frame.payload);
      else if (frame.type === FrameType.exit) {
        const status = JSON.parse(frame.payload.toString()) as { exitCode: number };
        exit = { exitCode: status.exitCode, signal: null };
      } else if (frame.type === FrameType.error) {
        this.failure = JSON.parse(frame.payload.toString()) as { message: string; exitCode: number };
        exit = { exitCode: this.failure.exitCode, signal: null };
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#closed = true;
      if (!exit) this.lost = true;
      this.output.end();
      resolveExit(exit ?? { exitCode: 125, signal: null });
    });
    socket.write(encodeResize(size.cols, size.rows));
  }

  get size() {
    return { ...this.#size };
  }

  get closed() {
    return this.#closed;
  }

  write(data: string | Uint8Array): void {
    if (!this.#closed) this.#socket.write(encodeFrame(FrameType.data, data));
  }

  resize(cols: number, rows: number): void {
    this.#size = { cols, rows };
    if (!this.#closed) this.#socket.write(encodeResize(cols, rows));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
  }
}
