import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Container } from './container.js';
import type { Engine } from './engine.js';
import type { EventInput } from './events.js';
import { HealthProber } from './health-prober.js';
import { HealthStore } from './health-state.js';

const id = 'b'.repeat(64);
const startedAt = '2026-01-01T00:00:00.000Z';
const startMs = Date.parse(startedAt);

/**
 * The probe loop on a fake clock: `wait` advances the clock instead of sleeping, the probe's exit
 * codes are scripted, and the engine is the part the loop uses (find, health files, journal).
 */
function fakeEngine(dir: string, healthcheck: object, exitCodes: number[]) {
  let clock = startMs;
  const waits: number[] = [];
  const events: string[] = [];
  const state = { status: 'running' as Container['state'], startedAt };
  const record = { id, name: 'web', image: 'busybox', labels: {}, healthcheck } as unknown as Container['record'];
  const engine = {
    health: new HealthStore(join(dir, 'health')),
    events: { append: (event: EventInput) => void events.push(event.Action) },
    find: async () => ({ id, name: 'web', record, state: state.status, startedAt: state.startedAt }) as Container,
  } as unknown as Engine;
  engine.health.reset(id, startedAt);
  const prober = new HealthProber(engine, id, {
    now: () => clock,
    wait: async (ms) => {
      waits.push(ms);
      clock += ms;
      if (exitCodes.length === 0) state.status = 'exited';
    },
    probe: async () => ({ Start: new Date(clock).toISOString(), End: new Date(clock).toISOString(), ExitCode: exitCodes.shift()!, Output: '' }),
    onError: (error) => {
      throw error;
    },
  });
  return { engine, prober, waits, events, state };
}

describe('HealthProber on a fake clock', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('probes every start interval while starting in the start period, then every interval; journals each change; ends with the run', async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-prober-'));
    // Interval 10 s, start period 12 s, start interval 2 s, 2 retries.
    const { engine, prober, waits, events } = fakeEngine(dir, { Test: ['CMD', 'check'], Interval: 10e9, StartPeriod: 12e9, StartInterval: 2e9, Retries: 2 }, [1, 1, 0, 1, 1, 0]);
    await prober.done;
    // 2 s, 4 s (spared: starting, in the start period), 6 s: healthy; then every 10 s: 16 s, 26 s unhealthy, 36 s healthy.
    expect(waits).toEqual([2000, 2000, 2000, 10_000, 10_000, 10_000, 10_000]);
    expect(events).toEqual(['health_status: healthy', 'health_status: unhealthy', 'health_status: healthy']);
    expect(engine.health.read(id)).toMatchObject({ run: startedAt, Status: 'healthy', FailingStreak: 0 });
    expect(engine.health.read(id)!.Log.map((entry) => entry.ExitCode)).toEqual([1, 0, 1, 1, 0]);
    // The lease went with the loop.
    expect(engine.health.acquire(id)).toBe(true);
  });

  it('a new run ends the prober of the last one (its result dropped); NONE probes nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-prober-'));
    const first = fakeEngine(dir, { Test: ['CMD', 'check'], Interval: 1e9 }, [0, 0, 0]);
    // The container is started again while the first wait runs: a run of its own.
    first.state.startedAt = '2026-01-01T00:00:05.000Z';
    await first.prober.done;
    expect(first.waits).toEqual([1000]);
    expect(first.events).toEqual([]);
    expect(first.engine.health.read(id)!.Log).toEqual([]);
    const second = fakeEngine(dir, { Test: ['NONE'] }, [0]);
    await second.prober.done;
    expect(second.waits).toEqual([]);
  });

  it('stop() ends the loop during its wait, the health file left as it was', async () => {
    dir = mkdtempSync(join(tmpdir(), 'health-prober-'));
    const store = new HealthStore(join(dir, 'health'));
    store.reset(id, startedAt);
    const record = { id, name: 'web', image: 'busybox', labels: {}, healthcheck: { Test: ['CMD', 'check'] } };
    const engine = { health: store, events: { append: () => undefined }, find: async () => ({ id, record, state: 'running', startedAt }) } as unknown as Engine;
    let waiting: () => void = () => undefined;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    const prober = new HealthProber(engine, id, {
      wait: (_ms, signal) => {
        waiting();
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      },
    });
    await waited;
    await prober.stop();
    expect(store.read(id)).toMatchObject({ Status: 'starting', Log: [] });
  });
});
