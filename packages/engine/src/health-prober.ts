import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, type Driver } from '@execdriver/driver';
import { containerEvent } from './container-events.js';
import { isActive, type Container } from './container.js';
import type { Engine } from './engine.js';
import { EngineError } from './errors.js';
import { formatRfc3339Nano, nowNanoseconds } from './event-time.js';
import { probeSettings, type ProbeSettings } from './health-config.js';
import { applyProbeResult, limitProbeOutput, type HealthcheckResult } from './health-state.js';

/** Runs one probe; the loop's default runs it in the container through the driver (`runProbe`). */
export type ProbeRunner = (container: Container, settings: ProbeSettings) => Promise<HealthcheckResult>;

export interface HealthProberOptions {
  /** Runs a probe (tests give their own). Default: `runProbe` through the engine's driver, journaling Docker's exec events. */
  probe?: ProbeRunner;
  /** Waits between probes (tests give a fake clock). Default: a timer, cut short by the abort. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The wall clock in ms (default Date.now). */
  now?: () => number;
  /** Told of a failure of the loop itself (a probe's failure is a result, never this). */
  onError?: (error: unknown) => void;
}

/**
 * Docker's cmdProbe: the test as an exec in the running container (its env, user and working
 * directory), stdout and stderr together, kept to 4096 bytes. The timeout counts from the moment
 * the process runs; past it the process is killed and the result is exit -1,
 * `Health check exceeded timeout (30s)` (dockerd 20.10's words, without the output). A probe that cannot run at all is exit -1 with the reason.
 */
export async function runProbe(driver: Driver, id: string, settings: ProbeSettings, hooks: { onStart?: () => void; onExit?: (exitCode: number) => void } = {}): Promise<HealthcheckResult> {
  const start = nowNanoseconds();
  const chunks: Buffer[] = [];
  let size = 0;
  const collect = (chunk: Buffer) => {
    // A little past the limit, so that `...` marks output that went on.
    if (size <= 4096) chunks.push(chunk);
    size += chunk.length;
  };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', collect);
  stderr.on('data', collect);
  const drained = Promise.all([stdout, stderr].map((stream) => new Promise((resolve) => stream.once('end', resolve).once('close', resolve))));
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  hooks.onStart?.();
  try {
    const exitCode = await driver.exec(
      id,
      { args: settings.args },
      { stdout, stderr },
      {
        start: (_process, pid) => {
          timer = setTimeout(() => {
            timedOut = true;
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // Gone already.
            }
          }, settings.timeoutMs);
        },
      },
    );
    hooks.onExit?.(exitCode);
    await Promise.race([drained, sleep(1000)]);
    const output = limitProbeOutput(Buffer.concat(chunks));
    const end = formatRfc3339Nano(nowNanoseconds());
    // dockerd 20.10 says only this (newer ones add the output after a colon).
    if (timedOut) return { Start: formatRfc3339Nano(start), End: end, ExitCode: -1, Output: `Health check exceeded timeout (${settings.timeoutText})` };
    return { Start: formatRfc3339Nano(start), End: end, ExitCode: exitCode, Output: output };
  } catch (error) {
    hooks.onExit?.(-1);
    return { Start: formatRfc3339Nano(start), End: formatRfc3339Nano(nowNanoseconds()), ExitCode: -1, Output: probeFailure(error) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Why a probe could not run, in dockerd's words when runc said why (`OCI runtime exec failed: exec failed: ...: unknown`). */
function probeFailure(error: unknown): string {
  const runcMessage = error instanceof DriverError ? error.runc?.runcMessage : undefined;
  return runcMessage ? `OCI runtime exec failed: ${runcMessage}: unknown` : (error as Error).message;
}

/** The engine's probe: `runProbe` through its driver, journaled as Docker journals a probe (exec_create, exec_start, exec_die). */
function engineProbe(engine: Engine): ProbeRunner {
  return async (container, settings) => {
    const execId = randomBytes(32).toString('hex');
    const line = settings.args.join(' ');
    return runProbe(await engine.driver(), container.id, settings, {
      onStart: () => {
        engine.events.append(containerEvent(container.record, `exec_create: ${line}`, { execID: execId }));
        engine.events.append(containerEvent(container.record, `exec_start: ${line}`, { execID: execId }));
      },
      onExit: (exitCode) => engine.events.append(containerEvent(container.record, 'exec_die', { execID: execId, exitCode: String(exitCode) })),
    });
  };
}

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Docker's health monitor of one run of a container: a probe every interval (every start
 * interval while `starting` within the start period), its result folded into the container's
 * health file (`applyProbeResult`), `health_status: <status>` journaled when the status changes.
 * It ends when the container stops, starts again (a new run), is removed, or `stop()` is called.
 * Only the holder of the container's lease probes: of the daemon and a helper watching the same
 * container, one probes and the other waits for the lease.
 */
export class HealthProber {
  readonly id: string;
  /** Resolves once the loop ended (never rejects). */
  readonly done: Promise<void>;
  readonly #controller = new AbortController();

  constructor(engine: Engine, id: string, options: HealthProberOptions = {}) {
    this.id = id;
    this.done = this.#loop(engine, options).catch((error: unknown) => options.onError?.(error));
  }

  stop(): Promise<void> {
    this.#controller.abort();
    return this.done;
  }

  async #loop(engine: Engine, options: HealthProberOptions): Promise<void> {
    const signal = this.#controller.signal;
    const now = options.now ?? Date.now;
    const wait = options.wait ?? abortableSleep;
    const probe = options.probe ?? engineProbe(engine);
    const store = engine.health;
    let container = await engine.find(this.id).catch(() => undefined);
    if (!container || !isActive(container)) return;
    const settings = probeSettings(container.record.healthcheck);
    if (!settings) return;
    const run = container.startedAt;
    const startedAtMs = run === undefined ? now() : Date.parse(run);
    // A run started before anyone reset its health (a start by an older engine): it starts now.
    if (store.read(this.id)?.run !== run) store.reset(this.id, run);
    try {
      for (;;) {
        const state = store.read(this.id);
        if (!state || state.run !== run) return;
        const inStartPeriod = now() - startedAtMs < settings.startPeriodMs;
        await wait(inStartPeriod && state.Status === 'starting' ? settings.startIntervalMs : settings.intervalMs, signal);
        if (signal.aborted) return;
        try {
          container = await engine.find(this.id);
        } catch (error) {
          if (error instanceof EngineError && error.code === 'NO_SUCH_CONTAINER') return;
          throw error;
        }
        if (!isActive(container) || container.startedAt !== run) return;
        if (!store.acquire(this.id)) continue;
        if (container.state !== 'running') {
          // Paused (also by someone else than the engine): what `Engine.pause` does.
          store.markPaused(this.id);
          continue;
        }
        const probeStartMs = now();
        const result = await probe(container, settings);
        // A result that comes after the monitor stopped (the container stopped or was paused meanwhile) is dropped (Docker).
        if (signal.aborted) return;
        const after = await engine.find(this.id).catch(() => undefined);
        if (after?.state !== 'running' || after.startedAt !== run) continue;
        const latest = store.read(this.id);
        if (!latest || latest.run !== run) return;
        const next = applyProbeResult(latest, result, { retries: settings.retries, startPeriodMs: settings.startPeriodMs, startedAtMs, probeStartMs });
        store.write(this.id, next);
        if (next.Status !== latest.Status) engine.events.append(containerEvent(container.record, `health_status: ${next.Status}`));
      }
    } finally {
      store.release(this.id);
    }
  }
}

/**
 * Probes the container's current run until it stops (or `signal` aborts), when its Healthcheck
 * has a test; resolves at once otherwise. What the helpers that hold a container (log holder,
 * console holder, a foreground run) call beside waiting for its exit.
 */
export async function watchHealth(engine: Engine, id: string, options: HealthProberOptions & { signal?: AbortSignal } = {}): Promise<void> {
  const prober = new HealthProber(engine, id, options);
  options.signal?.addEventListener('abort', () => void prober.stop(), { once: true });
  await prober.done;
}
