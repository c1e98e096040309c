import { closeSync, openSync, readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { OomEvent } from '@execdriver/cgroups';
import { pipeStdio } from '@execdriver/terminal';
import type { Command, ExitStatus } from '@execdriver/spec';
import type { DriverContext } from './driver-context.js';
import type { ContainerIo, Hooks, StartedContainer } from './driver-types.js';
import { DriverError } from './errors.js';
import { recordExit, releaseContainer } from './exit-record.js';
import type { HookChannel, HookEvent } from './hook-bridge.js';
import { OomFeed } from './oom-feed.js';
import { closeReaders, fifoStream, fifoWriter, openOutputFifos, outputClosed, withinOutputWait, type OutputReaders } from './output-fifo.js';
import { processStartTime } from './process-identity.js';
import { lastRuncLogMessage, type RuncIo, type RuncProcess } from './runc.js';
import type { ContainerRecord } from './state-store.js';
import { toDriverError } from './to-driver-error.js';
import { removeContainer } from './container-cleanup.js';
import { runtimeKeepsStopped } from './runtime-choice.js';

/** Runs callbacks in order; a throw is HOOK_FAILED naming the phase, with the error as cause. */
export async function runCallbacks(kind: string, callbacks: readonly (() => void | Promise<void>)[]): Promise<void> {
  for (const callback of callbacks) {
    try {
      await callback();
    } catch (error) {
      throw new DriverError('HOOK_FAILED', `${kind} hook failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

function toRuncIo(command: Command, io: ContainerIo, paths: { stdoutLog: string; stderrLog: string; stdinFifo: string; stdoutFifo: string; stderrFifo: string }): RuncIo {
  const size = { cols: command.process.consoleSize?.width ?? 80, rows: command.process.consoleSize?.height ?? 24 };
  if (command.process.tty && io.fifos) return { kind: 'terminal-fifos', stdin: paths.stdinFifo, stdout: paths.stdoutFifo, stderr: paths.stderrFifo, ...size };
  if (command.process.tty) return { kind: 'terminal', ...size };
  if (io.fifos) return { kind: 'fifos', stdout: paths.stdoutFifo, stderr: paths.stderrFifo, ...(io.openStdin ? { stdin: paths.stdinFifo } : {}) };
  if (io.logs) return { kind: 'files', stdout: paths.stdoutLog, stderr: paths.stderrLog };
  return { kind: 'pipes', stdin: io.stdin !== undefined, stdout: io.stdout !== undefined, stderr: io.stderr !== undefined };
}

/**
 * Connects the caller's streams to a runc process (pipes, or the terminal). For pipes, returns
 * when the output has been passed on (the process may be seen to exit before its last output).
 */
export function connectIo(spawned: RuncProcess, io: ContainerIo): Promise<void> | undefined {
  const { terminal, child } = spawned;
  if (terminal) {
    if (io.stdout) terminal.output.pipe(io.stdout, { end: false });
    else terminal.output.resume();
    io.stdin?.on('data', (chunk: Buffer) => terminal.write(chunk));
    io.onTerminal?.(terminal);
    return undefined;
  }
  if (child && (child.stdin || child.stdout || child.stderr)) {
    const passed = pipeStdio(child, { ...(io.stdin ? { stdin: io.stdin } : {}), ...(io.stdout ? { stdout: io.stdout } : {}), ...(io.stderr ? { stderr: io.stderr } : {}) });
    passed.catch(() => undefined);
    return passed;
  }
  return undefined;
}

/**
 * The init process: starts the shim (`runc run --keep` under sh, recording its exit status),
 * resolves once runc wrote the pid file (the user's process runs), and follows the exit: the
 * exit record, runc's release of the container, postStop hooks. Called under the id's lock; the
 * exit watch runs outside it and takes the lock for each step.
 */
export async function launchInit(
  context: DriverContext,
  command: Command,
  initialRecord: ContainerRecord,
  channel: HookChannel | undefined,
  io: ContainerIo,
  hooks: Hooks,
): Promise<StartedContainer> {
  const { store, lock } = context;
  const runc = context.runtimes.forRecord(initialRecord);
  // runc keeps the stopped container and its cgroup (`run --keep`) for its OOM counter; crun deletes
  // both as the process ends, so its OOM kills are counted by watching the cgroup while it runs.
  const keep = runtimeKeepsStopped(runc.name);
  const paths = store.paths(command.id);
  let spawned: RuncProcess;
  // Output FIFOs: our read ends are open before the shim runs, so a quick exit's output waits for us.
  let readers: OutputReaders | undefined;
  // OpenStdin without a tty: our writer is open before the shim opens the FIFO to read.
  let stdinWriter: number | undefined;
  try {
    const stdinFifo = io.fifos && (command.process.tty || io.openStdin);
    if (io.fifos) readers = await openOutputFifos({ stdout: paths.stdoutFifo, stderr: paths.stderrFifo, ...(stdinFifo ? { stdin: paths.stdinFifo } : {}) });
    if (io.fifos && io.openStdin && !command.process.tty) stdinWriter = openSync(paths.stdinFifo, 'r+');
    spawned = await runc.run(command.id, { bundle: paths.dir, keep, pidFile: paths.pidFile, log: paths.runcLog, exitFile: paths.exitCode }, toRuncIo(command, io, paths));
  } catch (error) {
    if (readers) closeReaders(readers);
    if (stdinWriter !== undefined) closeSync(stdinWriter);
    channel?.close();
    await store.remove(command.id);
    throw toDriverError(error, `container ${command.id}`);
  }
  const piped = connectIo(spawned, io);
  const shimPid = spawned.pid;
  let record = initialRecord;

  return lock.outside(
    () =>
      new Promise<StartedContainer>((resolveStart, rejectStart) => {
        let started = false;
        let hookFailure: unknown;
        let pid = 0;
        const processConfig = command.process;
        const oomFeed = new OomFeed(record.cgroupsPath, context.cgroupRoot);
        const oomEvents = (): AsyncIterable<OomEvent> => oomFeed.subscribe();

        let startRecorded: Promise<void> | undefined;
        let outputRead: Promise<void> | undefined;
        const markStarted = (startedPid: number): Promise<void> => {
          if (startRecorded) return startRecorded;
          started = true;
          pid = startedPid;
          // The cgroup exists once the process runs.
          if (!keep) oomFeed.watch();
          const pidStartTime = processStartTime(pid, context.procRoot);
          record = { ...record, pid, ...(shimPid === undefined ? {} : { shimPid }), startedAt: new Date().toISOString(), ...(pidStartTime === undefined ? {} : { pidStartTime }) };
          // start() holds the id's lock until it resolves or rejects: these writes are under it.
          startRecorded = store.write(record).then(async () => {
            if (hooks.start) {
              try {
                await hooks.start(processConfig, pid, oomEvents());
              } catch {
                // As in the original, an error of Start is ignored: the process already runs.
              }
            }
            // The shim holds the FIFOs: the readers end once it is gone.
            const output = readers ? { stdout: fifoStream(readers.stdout), stderr: fifoStream(readers.stderr) } : undefined;
            readers = undefined;
            if (output) outputRead = outputClosed(output);
            const input = stdinWriter === undefined ? undefined : fifoWriter(stdinWriter);
            stdinWriter = undefined;
            resolveStart({ id: command.id, pid, bundle: paths.dir, startedAt: record.startedAt!, exited, warnings: record.warnings, ...(output ? { output } : {}), ...(input ? { input } : {}) });
          });
          return startRecorded;
        };

        channel?.onEvent((event: HookEvent) => {
          pid = event.state.pid ?? 0;
          void runCallbacks('preStart', (hooks.preStart ?? []).map((hook) => () => hook(processConfig, pid, oomEvents())))
            .then(() => channel.answer(true))
            .catch((error: unknown) => {
              hookFailure = error;
              channel.answer(false);
            });
        });

        // runc writes the pid file (write + rename) once the user's process has been started.
        const readPidFile = (): number | undefined => {
          try {
            const value = Number(readFileSync(paths.pidFile, 'utf8').trim());
            return Number.isInteger(value) && value > 0 ? value : undefined;
          } catch {
            return undefined;
          }
        };
        const watcher = watch(paths.dir, (_event, file) => {
          if (file !== 'pid' || started) return;
          const startedPid = readPidFile();
          if (startedPid !== undefined) void markStarted(startedPid);
        });
        watcher.on('error', () => undefined);
        // runc runs from the spawn on: it may have written the pid file before the watch began (this
        // process descheduled or in a GC pause under load), and then no event ever comes for it. So
        // the file is read once now, and then every 100 ms until the start is seen or the shim ends.
        let poll: NodeJS.Timeout | undefined;
        const pollPidFile = () => {
          if (!started) {
            const startedPid = readPidFile();
            if (startedPid !== undefined) void markStarted(startedPid);
          }
          if (started && poll !== undefined) clearInterval(poll);
        };
        pollPidFile();
        if (!started) {
          poll = setInterval(pollPidFile, 100);
          poll.unref();
        }

        const exited: Promise<ExitStatus> = spawned.exited.then(async (shimCode) => {
          channel?.close();
          watcher.close();
          if (poll !== undefined) clearInterval(poll);
          if (!started) {
            // The exit can be seen before the watcher reported the pid file.
            const startedPid = readPidFile();
            if (startedPid !== undefined) await markStarted(startedPid);
          }
          if (started) await startRecorded;
          if (!started) {
            if (readers) closeReaders(readers);
            if (stdinWriter !== undefined) closeSync(stdinWriter);
            const log = await readFile(paths.runcLog, 'utf8').catch(() => '');
            await removeContainer(context, command.id).catch(() => undefined);
            const runcMessage = lastRuncLogMessage(log);
            const error =
              hookFailure instanceof DriverError
                ? hookFailure
                : new DriverError('RUNC_FAILED', `container ${command.id} did not start: ${runcMessage ?? `runc exited with ${shimCode}`}`, {
                    runc: { args: spawned.args, exitCode: shimCode, stderr: '', runcMessage },
                  });
            rejectStart(error);
            throw error;
          }
          // As dockerd: the exit is recorded once the reader has the last output (bounded).
          if (outputRead) await outputRead;
          if (piped) await withinOutputWait(piped);
          // This run's pid: a restart by another process may own the id by now (see releaseContainer).
          const exitedPid = started ? pid : undefined;
          const status = await recordExit(context, command.id, shimCode, (kills) => oomFeed.finish(kills), () => oomFeed.seen, exitedPid);
          oomFeed.finish(0);
          // runc delete releases the cgroups; it runs under the id's lock so clean() waits for it.
          const released = releaseContainer(context, command.id, exitedPid);
          const postStop = hooks.postStop ?? [];
          if (postStop.length === 0) {
            released.catch(() => undefined);
            return status;
          }
          await released;
          await runCallbacks('postStop', postStop.map((hook) => () => hook(processConfig, pid, status)));
          return status;
        });
        exited.catch(() => undefined);
        context.watched.set(command.id, exited);
        void exited.finally(() => context.watched.delete(command.id)).catch(() => undefined);
      }),
  );
}
