import { mkdir, rm } from 'node:fs/promises';
import { Socket, createServer } from 'node:net';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type { Terminal } from '@execdriver/terminal';
import { consoleSocketPath, decodeResize, encodeFrame, FrameType, readFrames } from './console-protocol.js';
import type { Engine } from './engine.js';
import { openContainerLog } from './log-holder.js';
import { HealthProber } from './health-prober.js';

export interface ConsoleHolderOptions {
  /** Start the container only once the first client is connected (`run -it`), so it sees all output. */
  waitForClient: boolean;
  /** Remove the container when it cannot start (`run`; default true). */
  removeOnFailure?: boolean;
  /** The app's words and exit code for a start that failed (the CLI's 125/126/127). */
  describeFailure: (error: unknown) => { message: string; exitCode: number };
  /** Run the container's health probes while it runs (the CLI's helpers; the daemon probes in its own process). */
  health?: boolean;
}

/** Messages from the holder to the CLI that started it (over the spawn IPC channel). */
export type HolderMessage = { type: 'listening' } | { type: 'started'; pid: number } | { type: 'failed'; message: string; exitCode: number };

function tell(message: HolderMessage): void {
  if (process.connected && process.send) process.send(message);
}

const firstClientTimeoutMs = 30_000;

/**
 * The console holder (`execdriver __console <id>`): a detached process that owns the container's
 * pseudo-terminal master, which must outlive the CLI that ran `run -it` (Node cannot pass it on:
 * it cannot receive file descriptors). It serves `<stateRoot>/consoles/<id>.sock`: output goes
 * to every connected client and to the container's json-file log, keyboard bytes and window sizes
 * come back. It exits once the container exited and its exit was recorded (and, with --rm, the
 * container was removed), after telling connected clients the exit code.
 */
export async function runConsoleHolder(engine: Engine, id: string, options: ConsoleHolderOptions): Promise<number> {
  const record = (await engine.find(id)).record;
  const request = { autoRemove: record.autoRemove, waitForClient: options.waitForClient };
  const removeOnFailure = options.removeOnFailure ?? true;
  const socketPath = consoleSocketPath(engine.stateRoot, id);
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o700 });
  await rm(socketPath, { force: true });

  const clients = new Set<Socket>();
  let terminal: Terminal | undefined;
  let pendingSize: { cols: number; rows: number } | undefined;
  let firstClient: () => void = () => undefined;
  const firstClientConnected = new Promise<void>((resolve) => (firstClient = resolve));

  const server = createServer((socket) => {
    clients.add(socket);
    firstClient();
    readFrames(socket, (frame) => {
      if (frame.type === FrameType.data) {
        if (terminal && !terminal.closed) terminal.write(frame.payload);
      } else if (frame.type === FrameType.resize) {
        const size = decodeResize(frame.payload);
        if (!size || size.cols < 1 || size.rows < 1) return;
        if (terminal && !terminal.closed) {
          try {
            terminal.resize(size.cols, size.rows);
          } catch {
            // The terminal closed meanwhile: the exit frame follows.
          }
        } else pendingSize = size;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => clients.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  tell({ type: 'listening' });

  const broadcast = (frame: Buffer): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (const client of clients) {
      if (client.destroyed) continue;
      if (!client.write(frame)) waits.push(new Promise((resolve) => { client.once('drain', resolve); client.once('close', resolve); }));
    }
    return Promise.all(waits).then(() => undefined);
  };
  const finish = async (frame: Buffer) => {
    await broadcast(frame);
    for (const client of clients) client.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(socketPath, { force: true });
  };

  if (request.waitForClient) {
    const timedOut = await Promise.race([firstClientConnected.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), firstClientTimeoutMs).unref())]);
    if (timedOut) {
      if (removeOnFailure) await engine.remove(id, { force: true }).catch(() => undefined);
      await finish(encodeFrame(FrameType.error, JSON.stringify({ message: `no client attached to container ${id} in time`, exitCode: 125 })));
      return 125;
    }
  }

  // The terminal's output is the container's log (stream stdout), as Docker keeps a tty container's.
  const log = openContainerLog(engine, record);
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        log?.write('stdout', chunk);
      } catch {
        // A full disk must not stop the terminal.
      }
      broadcast(encodeFrame(FrameType.data, chunk)).then(() => callback(), callback);
    },
  });
  let started;
  try {
    started = await engine.start(record, { stdout: output, onTerminal: (opened) => (terminal = opened) });
  } catch (caught) {
    const { message, exitCode } = options.describeFailure(caught);
    if (removeOnFailure) await engine.remove(id, { force: true }).catch(() => undefined);
    tell({ type: 'failed', message, exitCode });
    await finish(encodeFrame(FrameType.error, JSON.stringify({ message, exitCode })));
    return exitCode;
  }
  tell({ type: 'started', pid: started.pid });
  if (pendingSize && terminal && !terminal.closed) {
    try {
      terminal.resize(pendingSize.cols, pendingSize.rows);
    } catch {
      // Already gone.
    }
  }
  const prober = options.health ? new HealthProber(engine, id) : undefined;
  const status = await started.exited.catch(() => ({ exitCode: 125, oomKilled: false }));
  await prober?.stop();
  // The network goes before this process does (a release cut short leaves rules behind).
  await engine.networks.release(id).catch(() => undefined);
  const current = terminal as Terminal | undefined;
  if (current && !current.output.readableEnded) {
    await Promise.race([new Promise((resolve) => current.output.once('end', resolve)), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
  await new Promise((resolve) => setImmediate(resolve));
  log?.close();
  if (request.autoRemove) await engine.remove(id, { force: true, volumes: true }).catch(() => undefined);
  await finish(encodeFrame(FrameType.exit, JSON.stringify(status)));
  return 0;
}
