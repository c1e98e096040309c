import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { DriverError } from '@execdriver/driver';
import { containerEvent, isActive } from '@execdriver/engine';
import type { ProcessConfigInput } from '@execdriver/spec';
import type { Terminal } from '@execdriver/terminal';
import { routeMaker, type DaemonContext } from './context.js';
import { DaemonError } from './errors.js';
import { queryInteger, type Call, type Route } from './http.js';
import { frame, StdStream, streamWriter } from './streams.js';

/** An exec instance (`POST /containers/{id}/exec`), kept in memory as dockerd does. */
export interface ExecInstance {
  id: string;
  containerId: string;
  process: ProcessConfigInput & { args: string[] };
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  terminal: Terminal | undefined;
  pendingSize: { cols: number; rows: number } | undefined;
}

/** The exec instances of this daemon (lost when it stops, as dockerd's are). */
export class ExecStore {
  readonly #instances = new Map<string, ExecInstance>();

  add(instance: Omit<ExecInstance, 'id' | 'running' | 'started' | 'exitCode' | 'pid' | 'terminal' | 'pendingSize'>): ExecInstance {
    const entry: ExecInstance = { ...instance, id: randomBytes(32).toString('hex'), running: false, started: false, exitCode: null, pid: 0, terminal: undefined, pendingSize: undefined };
    this.#instances.set(entry.id, entry);
    if (this.#instances.size > 1000) {
      for (const [id, old] of this.#instances) {
        if (!old.running && old.started) {
          this.#instances.delete(id);
          break;
        }
      }
    }
    return entry;
  }

  get(id: string): ExecInstance {
    const entry = this.#instances.get(id) ?? [...this.#instances.values()].find((candidate) => id.length >= 3 && candidate.id.startsWith(id));
    if (!entry) throw new DaemonError('NOT_FOUND', `No such exec instance: ${id}`);
    return entry;
  }
}

async function createExec(context: DaemonContext, call: Call): Promise<void> {
  const container = await context.engine.find(call.params.id!);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  if (container.state === 'paused') throw new DaemonError('CONFLICT', `Container ${container.id} is paused, unpause the container before exec`);
  const body = ((await call.json()) ?? {}) as Record<string, unknown>;
  const cmd = body.Cmd;
  if (!Array.isArray(cmd) || cmd.length === 0 || !cmd.every((arg) => typeof arg === 'string')) throw new DaemonError('BAD_PARAMETER', 'No exec command specified');
  const process: ExecInstance['process'] = { args: cmd as string[], env: Array.isArray(body.Env) ? (body.Env as string[]) : [], tty: body.Tty === true, privileged: body.Privileged === true };
  if (typeof body.User === 'string' && body.User !== '') process.user = body.User;
  if (typeof body.WorkingDir === 'string' && body.WorkingDir !== '') process.workingDir = body.WorkingDir;
  const size = body.ConsoleSize;
  if (Array.isArray(size) && size.length === 2 && (size as number[]).every((n) => typeof n === 'number' && n > 0)) process.consoleSize = { height: size[0] as number, width: size[1] as number };
  const instance = context.execs.add({ containerId: container.id, process, attachStdin: body.AttachStdin === true, attachStdout: body.AttachStdout !== false, attachStderr: body.AttachStderr !== false });
  context.engine.events.append(containerEvent(container.record, `exec_create: ${process.args.join(' ')}`, { execID: instance.id }));
  call.send(201, { Id: instance.id });
}

function failureExitCode(error: unknown): number {
  if (error instanceof DriverError && error.code === 'COMMAND_NOT_FOUND') return 127;
  if (error instanceof DriverError && error.code === 'COMMAND_NOT_INVOKABLE') return 126;
  return 126;
}

async function startExec(context: DaemonContext, call: Call): Promise<void> {
  const instance = context.execs.get(call.params.id!);
  const body = ((await call.json()) ?? {}) as { Detach?: boolean; Tty?: boolean; ConsoleSize?: number[] };
  if (instance.started) throw new DaemonError('CONFLICT', `exec ${instance.id} has already been started`);
  const container = await context.engine.find(instance.containerId);
  if (!isActive(container)) throw new DaemonError('CONFLICT', `Container ${container.id} is not running`);
  instance.started = true;
  instance.running = true;
  const tty = instance.process.tty === true;
  if (Array.isArray(body.ConsoleSize) && body.ConsoleSize.length === 2 && body.ConsoleSize.every((n) => n > 0)) instance.process.consoleSize = { height: body.ConsoleSize[0]!, width: body.ConsoleSize[1]! };
  const driver = await context.engine.driver();
  const hooks = { start: (_process: unknown, pid: number) => void (instance.pid = pid) };
  const finish = (exitCode: number) => {
    instance.exitCode = exitCode;
    instance.running = false;
    instance.terminal = undefined;
    context.engine.events.append(containerEvent(container.record, 'exec_die', { execID: instance.id, exitCode: String(exitCode) }));
  };
  context.engine.events.append(containerEvent(container.record, `exec_start: ${instance.process.args.join(' ')}`, { execID: instance.id }));
  if (body.Detach) {
    call.send(200);
    driver.exec(container.id, instance.process, tty ? { onTerminal: (terminal) => void terminal.output.resume() } : {}, hooks).then(finish, (error: unknown) => finish(failureExitCode(error)));
    return;
  }
  const hijacked = call.hijack(tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
  let exitCode: number;
  try {
    if (tty) {
      let outputDone: Promise<void> = Promise.resolve();
      exitCode = await driver.exec(
        container.id,
        instance.process,
        {
          onTerminal: (terminal) => {
            instance.terminal = terminal;
            if (instance.pendingSize) terminal.resize(instance.pendingSize.cols, instance.pendingSize.rows);
            outputDone = new Promise((resolve) => {
              terminal.output.on('end', resolve);
              terminal.output.on('close', resolve);
            });
            terminal.output.on('data', (chunk: Buffer) => hijacked.output.write(chunk));
            if (instance.attachStdin) {
              hijacked.input.on('data', (chunk: Buffer) => {
                if (!terminal.closed) {
                  try {
                    terminal.write(chunk);
                  } catch {
                    // The process is gone: its exit ends the stream.
                  }
                }
              });
            }
          },
        },
        hooks,
      );
      await Promise.race([outputDone, new Promise((resolve) => setTimeout(resolve, 1000))]);
    } else {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const out = streamWriter(hijacked.output, StdStream.stdout, false);
      const err = streamWriter(hijacked.output, StdStream.stderr, false);
      stdout.on('data', (chunk: Buffer) => instance.attachStdout && out.write(chunk));
      stderr.on('data', (chunk: Buffer) => instance.attachStderr && err.write(chunk));
      const drained = Promise.all([new Promise((resolve) => stdout.on('end', resolve)), new Promise((resolve) => stderr.on('end', resolve))]);
      let stdin: PassThrough | undefined;
      if (instance.attachStdin) {
        stdin = new PassThrough();
        stdin.on('error', () => undefined);
        hijacked.input.pipe(stdin);
      } else hijacked.input.resume();
      exitCode = await driver.exec(container.id, instance.process, { stdout, stderr, ...(stdin ? { stdin } : {}) }, hooks);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
  } catch (error) {
    exitCode = failureExitCode(error);
    const message = `OCI runtime exec failed: ${(error as Error).message.replace(/\s*\n\s*/g, '; ')}: unknown\r\n`;
    hijacked.output.write(tty ? Buffer.from(message) : frame(StdStream.stderr, Buffer.from(message)));
  }
  finish(exitCode);
  hijacked.end();
}

async function inspectExec(context: DaemonContext, call: Call): Promise<void> {
  const instance = context.execs.get(call.params.id!);
  call.send(200, {
    ID: instance.id,
    Running: instance.running,
    ExitCode: instance.exitCode,
    ProcessConfig: { tty: instance.process.tty === true, entrypoint: instance.process.args[0], arguments: instance.process.args.slice(1), privileged: instance.process.privileged === true, user: instance.process.user ?? '' },
    OpenStdin: instance.attachStdin,
    OpenStderr: instance.attachStderr,
    OpenStdout: instance.attachStdout,
    CanRemove: false,
    ContainerID: instance.containerId,
    DetachKeys: '',
    Pid: instance.pid,
  });
}

async function resizeExec(context: DaemonContext, call: Call): Promise<void> {
  const instance = context.execs.get(call.params.id!);
  const rows = queryInteger(call.query, 'h') ?? 0;
  const cols = queryInteger(call.query, 'w') ?? 0;
  if (rows <= 0 || cols <= 0) throw new DaemonError('BAD_PARAMETER', `invalid terminal size ${cols}x${rows}`);
  if (instance.terminal && !instance.terminal.closed) instance.terminal.resize(cols, rows);
  else instance.pendingSize = { cols, rows };
  call.send(200);
}

export function execRoutes(context: DaemonContext): Route[] {
  const route = routeMaker(context);
  return [route('POST', '/containers/{id}/exec', createExec), route('POST', '/exec/{id}/start', startExec), route('GET', '/exec/{id}/json', inspectExec), route('POST', '/exec/{id}/resize', resizeExec)];
}
