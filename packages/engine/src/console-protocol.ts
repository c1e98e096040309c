import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The console holder's socket protocol: frames of `type (1 byte) | length (4 bytes, big endian) | payload`.
 * Client to holder: DATA (keyboard bytes), RESIZE (cols u16, rows u16). Holder to client: DATA
 * (terminal output), EXIT (JSON `{ exitCode, oomKilled }`), ERROR (JSON `{ message, exitCode }`: the start failed).
 */
export const FrameType = { data: 0, resize: 1, exit: 2, error: 3 } as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

export interface Frame {
  type: FrameTypeValue;
  payload: Buffer;
}

const headerBytes = 5;
/** Frames larger than this are a protocol error (the peer is not a holder). */
export const maxFramePayload = 16 * 1024 * 1024;

export function encodeFrame(type: FrameTypeValue, payload: Uint8Array | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const header = Buffer.alloc(headerBytes);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

export function encodeResize(cols: number, rows: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(cols, 0);
  payload.writeUInt16BE(rows, 2);
  return encodeFrame(FrameType.resize, payload);
}

export function decodeResize(payload: Buffer): { cols: number; rows: number } | undefined {
  if (payload.length !== 4) return undefined;
  return { cols: payload.readUInt16BE(0), rows: payload.readUInt16BE(2) };
}

/** Splits a byte stream into frames, whatever the chunk boundaries. */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    while (this.#buffer.length >= headerBytes) {
      const type = this.#buffer.readUInt8(0);
      const length = this.#buffer.readUInt32BE(1);
      if (type > FrameType.error || length > maxFramePayload) throw new Error(`bad console frame (type ${type}, length ${length})`);
      if (this.#buffer.length < headerBytes + length) break;
      frames.push({ type: type as FrameTypeValue, payload: this.#buffer.subarray(headerBytes, headerBytes + length) });
      this.#buffer = this.#buffer.subarray(headerBytes + length);
    }
    return frames;
  }
}

/**
 * Calls `onFrame` for each frame read from `socket`; a malformed stream destroys the socket.
 * The one reading loop of both ends (console client and holder).
 */
export function readFrames(socket: { on(event: 'data', listener: (chunk: Buffer) => void): unknown; destroy(): void }, onFrame: (frame: Frame) => void): void {
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const frame of frames) onFrame(frame);
  });
}

/** `<stateRoot>/consoles/<id>.sock`, or a hash of the id when that would not fit a socket address (108 bytes). */
export function consoleSocketPath(stateRoot: string, id: string): string {
  const path = join(stateRoot, 'consoles', `${id}.sock`);
  if (Buffer.byteLength(path) < 100) return path;
  return join(stateRoot, 'consoles', `${createHash('sha256').update(id).digest('hex').slice(0, 16)}.sock`);
}

/** The console holder's files of a container: its socket and its own log (errors of the holder process). */
export function consolePaths(stateRoot: string, id: string): { dir: string; socket: string; log: string } {
  return { dir: join(stateRoot, 'consoles'), socket: consoleSocketPath(stateRoot, id), log: join(stateRoot, 'consoles', `${id}.log`) };
}
