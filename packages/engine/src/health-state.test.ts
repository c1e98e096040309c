import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHealthConfig, goDuration, mergeHealthConfig, probeSettings } from './health-config.js';
import { applyProbeResult, HealthStore, limitProbeOutput, type HealthcheckResult, type HealthState } from './health-state.js';
import { EngineError } from './errors.js';

const id = 'a'.repeat(64);
const result = (exitCode: number, n = 0): HealthcheckResult => ({ Start: `s${n}`, End: `e${n}`, ExitCode: exitCode, Output: '' });
const fresh = (): HealthState => ({ run: 'r', Status: 'starting', FailingStreak: 0, Log: [] });

/** A fake clock: the container started at 0; each probe at `at` ms. */
function feed(exitCodes: number[], rules: { retries: number; startPeriodMs: number; everyMs: number }): HealthState[] {
  const states: HealthState[] = [];
  let state = fresh();
  exitCodes.forEach((code, index) => {
    state = applyProbeResult(state, result(code, index), { retries: rules.retries, startPeriodMs: rules.startPeriodMs, startedAtMs: 0, probeStartMs: (index + 1) * rules.everyMs });
    states.push(state);
  });
  return states;
}

describe('applyProbeResult (Docker handleProbeResult)', () => {
  it('counts failures to the retries, then unhealthy; the streak goes on; a pass makes healthy and clears it', () => {
    const states = feed([1, 1, 1, 0, 2], { retries: 2, startPeriodMs: 0, everyMs: 1000 });
    expect(states.map((state) => [state.Status, state.FailingStreak])).toEqual([
      ['starting', 1],
      ['unhealthy', 2],
      ['unhealthy', 3],
      ['healthy', 0],
      ['healthy', 1],
    ]);
  });

  it('failures within the start period do not count while starting; after it they do', () => {
    const states = feed([1, 1, 1, 1, 1], { retries: 2, startPeriodMs: 3500, everyMs: 1000 });
    expect(states.map((state) => [state.Status, state.FailingStreak])).toEqual([
      ['starting', 0],
      ['starting', 0],
      ['starting', 0],
      ['starting', 1],
      ['unhealthy', 2],
    ]);
  });

  it('once healthy, a failure in the start period counts (only `starting` is spared)', () => {
    const states = feed([0, 1, 1], { retries: 2, startPeriodMs: 60_000, everyMs: 1000 });
    expect(states.map((state) => [state.Status, state.FailingStreak])).toEqual([
      ['healthy', 0],
      ['healthy', 1],
      ['unhealthy', 2],
    ]);
  });

  it('keeps the last 5 results, oldest first', () => {
    const states = feed([1, 1, 1, 1, 1, 1, 0], { retries: 3, startPeriodMs: 0, everyMs: 1000 });
    expect(states.at(-1)!.Log.map((entry) => entry.Start)).toEqual(['s2', 's3', 's4', 's5', 's6']);
  });

  it('keeps 4096 bytes of output and marks the rest with ...', () => {
    expect(limitProbeOutput(Buffer.from('ok\n'))).toBe('ok\n');
    expect(limitProbeOutput(Buffer.alloc(4096, 'a'))).toBe('a'.repeat(4096));
    expect(limitProbeOutput(Buffer.alloc(5000, 'a'))).toBe(`${'a'.repeat(4096)}...`);
  });
});

describe('HealthConfig', () => {
  it.each([
    [{ Test: ['CMD', 'true'], Interval: 1000 }, 'Interval in Healthcheck cannot be less than 1ms (got 1000 ns)'],
    [{ Test: ['CMD', 'true'], Timeout: -5 }, 'Timeout in Healthcheck cannot be less than 1ms'],
    [{ Test: ['CMD', 'true'], StartPeriod: 10 }, 'StartPeriod in Healthcheck cannot be less than 1ms'],
    [{ Test: ['CMD', 'true'], StartInterval: 1.5 }, 'invalid Healthcheck.StartInterval 1.5'],
    [{ Test: ['CMD', 'true'], Retries: -1 }, 'Retries in Healthcheck cannot be negative (got -1)'],
    [{ Test: ['SHELL', 'true'] }, 'the first element must be NONE, CMD or CMD-SHELL'],
    [{ Test: ['CMD'] }, 'CMD needs a command'],
    [{ Test: 'true' }, 'invalid Healthcheck.Test "true"'],
    [[], 'invalid Healthcheck []'],
  ])('refuses %j: INVALID_REQUEST naming it', (value, message) => {
    expect(() => checkHealthConfig(value)).toThrow(message);
    expect(() => checkHealthConfig(value)).toThrow(EngineError);
  });

  it('keeps the set fields; the container\'s fields win over the image\'s, unset ones inherit', () => {
    expect(checkHealthConfig({ Test: [], Interval: 0, Timeout: 2_000_000_000, Retries: 0 })).toEqual({ Timeout: 2_000_000_000 });
    const image = { Test: ['CMD', 'check'], Interval: 5_000_000_000, Retries: 4 };
    expect(mergeHealthConfig({ Interval: 1_000_000_000 }, image)).toEqual({ Test: ['CMD', 'check'], Interval: 1_000_000_000, Retries: 4 });
    expect(mergeHealthConfig({ Test: ['NONE'] }, image)).toEqual({ Test: ['NONE'], Interval: 5_000_000_000, Retries: 4 });
    expect(mergeHealthConfig(undefined, image)).toEqual(image);
    expect(mergeHealthConfig(undefined, undefined)).toBeUndefined();
  });

  it('probe settings: Docker\'s defaults, CMD-SHELL through /bin/sh -c, NONE and no test mean no probe', () => {
    expect(probeSettings({ Test: ['CMD-SHELL', 'test -e /tmp/ok'] })).toEqual({ args: ['/bin/sh', '-c', 'test -e /tmp/ok'], intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3, timeoutText: '30s' });
    expect(probeSettings({ Test: ['CMD', 'curl', '-f', 'x'], Interval: 1_000_000_000, Timeout: 1_500_000_000, Retries: 2 })).toMatchObject({ args: ['curl', '-f', 'x'], intervalMs: 1000, timeoutMs: 1500, retries: 2, timeoutText: '1.5s' });
    expect(probeSettings({ Test: ['NONE'] })).toBeUndefined();
    expect(probeSettings({ Interval: 1_000_000_000 })).toBeUndefined();
    expect(probeSettings(undefined)).toBeUndefined();
  });

  it.each([
    [1_000_000_000, '1s'],
    [30_000_000_000, '30s'],
    [1_500_000_000, '1.5s'],
    [500_000_000, '500ms'],
    [90_000_000_000, '1m30s'],
    [7_200_000_000_000, '2h0m0s'],
    [1500, '1.5µs'],
  ])('goDuration(%d) is %s', (nanoseconds, text) => {
    expect(goDuration(nanoseconds)).toBe(text);
  });
});

describe('HealthStore', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes whole files, resets each run keeping the log, and removes them', () => {
    dir = mkdtempSync(join(tmpdir(), 'health-store-'));
    const store = new HealthStore(join(dir, 'health'));
    expect(store.read(id)).toBeUndefined();
    store.write(id, { run: 'r1', Status: 'unhealthy', FailingStreak: 4, Log: [result(1)] });
    expect(store.reset(id, 'r2')).toEqual({ run: 'r2', Status: 'starting', FailingStreak: 0, Log: [result(1)] });
    expect(store.read(id)).toEqual({ run: 'r2', Status: 'starting', FailingStreak: 0, Log: [result(1)] });
    expect(readdirSync(join(dir, 'health'))).toEqual([`${id}.json`]);
    writeFileSync(store.path(id), '{"Status":"bogus"}');
    expect(store.read(id)).toBeUndefined();
    store.remove(id);
    expect(readdirSync(join(dir, 'health'))).toEqual([]);
    expect(() => store.path('../x')).toThrow('invalid container id');
  });

  it('lends the probing lease to one live process at a time, and takes over the lease of a dead one', () => {
    dir = mkdtempSync(join(tmpdir(), 'health-store-'));
    const store = new HealthStore(join(dir, 'health'));
    expect(store.acquire(id)).toBe(true);
    expect(store.acquire(id)).toBe(true);
    store.release(id);
    // A live process (our parent) holds it: not ours.
    writeFileSync(store.lockPath(id), String(process.ppid));
    expect(store.acquire(id)).toBe(false);
    store.release(id);
    expect(readdirSync(join(dir, 'health'))).toEqual([`${id}.lock`]);
    // A dead one's lease is taken over (pid 2^22 + 1 is above Linux's pid_max).
    writeFileSync(store.lockPath(id), String(4_194_305));
    expect(store.acquire(id)).toBe(true);
    store.release(id);
    expect(readdirSync(join(dir, 'health'))).toEqual([]);
  });
});
