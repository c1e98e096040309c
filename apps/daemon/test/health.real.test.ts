import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, waitFor, type DaemonHarness } from './harness.js';

/** Health checks through the docker CLI: the daemon probes the containers it runs, in its own process. */
let harness: DaemonHarness;

beforeAll(async () => {
  harness = await startDaemonHarness('health');
}, 60_000);

afterEach(async () => {
  // Whatever a test left (a failed one too) goes before the next.
  const ids = (await harness.docker(['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
  if (ids.length > 0) await harness.docker(['rm', '-f', ...ids]);
}, 60_000);

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
}, 60_000);

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

async function health(name: string): Promise<Health | null> {
  const result = await harness.docker(['inspect', '-f', '{{json .State.Health}}', name]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Health | null;
}

function waitForStatus(name: string, status: string): Promise<Health> {
  return waitFor(`${name} ${status}`, async () => {
    const current = await health(name);
    return current?.Status === status ? current : undefined;
  }, 60_000);
}

async function psNames(filter: string): Promise<string[]> {
  const result = await harness.docker(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']);
  expect(result.exitCode).toBe(0);
  return result.stdout.split('\n').filter((name) => name !== '').sort();
}

function healthFiles(): string[] {
  try {
    return readdirSync(join(harness.stateRoot, 'health'));
  } catch {
    return [];
  }
}

describe('docker run --health-* against execdriverd', () => {
  it('starting, unhealthy after the retries, healthy once the check passes; inspect, ps, events', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    expect((await harness.docker(['run', '-d', '--name', 'checked', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await harness.docker(['run', '-d', '--name', 'waiting', '--health-cmd', 'true', '--health-interval', '1h', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await harness.docker(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await harness.docker(['run', '-d', '--name', 'disabled', '--no-healthcheck', 'busybox', 'sleep', '300'])).exitCode).toBe(0);

    // A check an hour away: starting, deterministically.
    expect((await harness.docker(['ps', '--filter', 'name=waiting', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(health: starting\)\n$/);
    expect(await health('waiting')).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
    expect(await health('plain')).toBeNull();
    expect(await health('disabled')).toBeNull();
    expect((await harness.docker(['inspect', '-f', '{{json .Config.Healthcheck}}', 'checked'])).stdout).toBe('{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":1000000000,"Retries":2}\n');
    expect((await harness.docker(['inspect', '-f', '{{json .Config.Healthcheck}}', 'disabled'])).stdout).toBe('{"Test":["NONE"]}\n');

    const unhealthy = await waitForStatus('checked', 'unhealthy');
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.length).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.length).toBeLessThanOrEqual(5);
    for (const entry of unhealthy.Log) {
      expect(entry).toMatchObject({ ExitCode: 1, Output: '' });
      expect(Date.parse(entry.End)).toBeGreaterThanOrEqual(Date.parse(entry.Start));
    }
    expect((await harness.docker(['ps', '--filter', 'name=checked', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(unhealthy\)\n$/);

    expect((await harness.docker(['exec', 'checked', 'touch', '/tmp/ok'])).exitCode).toBe(0);
    const healthy = await waitForStatus('checked', 'healthy');
    expect(healthy.FailingStreak).toBe(0);
    expect(healthy.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: '' });
    expect((await harness.docker(['ps', '--filter', 'name=checked', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(healthy\)\n$/);

    expect(await psNames('health=healthy')).toEqual(['checked']);
    expect(await psNames('health=starting')).toEqual(['waiting']);
    expect(await psNames('health=none')).toEqual(['disabled', 'plain']);
    const bogus = await harness.docker(['ps', '--filter', 'health=bogus']);
    expect(bogus.exitCode).toBe(1);
    expect(bogus.stderr).toContain('Unrecognised filter value for health: bogus');

    const events = await harness.docker(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=health_status', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    expect(events.exitCode).toBe(0);
    expect(events.stdout.split('\n').filter((line) => line !== '')).toEqual(['health_status: unhealthy checked', 'health_status: healthy checked']);
  }, 120_000);

  it('a probe past its timeout fails with -1 and Docker\'s message; output is kept', async () => {
    expect((await harness.docker(['run', '-d', '--name', 'slow', '--health-cmd', 'echo started; sleep 30', '--health-timeout', '1s', '--health-interval', '1s', '--health-retries', '1', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await harness.docker(['run', '-d', '--name', 'talks', '--health-cmd', 'echo out; echo err >&2; exit 3', '--health-interval', '1s', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    const slow = await waitForStatus('slow', 'unhealthy');
    expect(slow.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (1s)' });
    const talks = await waitFor('a probe of talks', async () => ((await health('talks'))?.Log.length ? await health('talks') : undefined), 60_000);
    // Both streams are kept; how they interleave is not fixed (two pipes, as in dockerd).
    expect(talks!.Log[0]!.ExitCode).toBe(3);
    expect(talks!.Log[0]!.Output.split('\n').sort()).toEqual(['', 'err', 'out']);
  }, 120_000);

  it('stop makes it unhealthy, a start makes it starting again; the daemon probes again after its own restart (live restore)', async () => {
    expect((await harness.docker(['run', '-d', '--name', 'cycle', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', 'busybox', 'sh', '-c', 'touch /tmp/ok; exec sleep 300'])).exitCode).toBe(0);
    await waitForStatus('cycle', 'healthy');
    expect((await harness.docker(['stop', '-t', '1', 'cycle'])).exitCode).toBe(0);
    expect((await health('cycle'))?.Status).toBe('unhealthy');
    expect((await harness.docker(['start', 'cycle'])).exitCode).toBe(0);
    const restarted = await health('cycle');
    // Each run starts again, keeping the log of the last one (Docker).
    expect(restarted?.Status === 'starting' || restarted?.Status === 'healthy').toBe(true);
    expect(restarted!.Log.length).toBeGreaterThan(0);
    await waitForStatus('cycle', 'healthy');

    await harness.stop();
    await harness.restart();
    expect((await harness.docker(['exec', 'cycle', 'rm', '/tmp/ok'])).exitCode).toBe(0);
    // Default retries: 3 failures in a row.
    const unhealthy = await waitForStatus('cycle', 'unhealthy');
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(3);
    expect(unhealthy.Log.at(-1)).toMatchObject({ ExitCode: 1 });
  }, 120_000);

  it('refuses what dockerd refuses, leaving nothing; removal takes the health files', async () => {
    const tooShort = await harness.docker(['run', '-d', '--name', 'bad', '--health-cmd', 'true', '--health-interval', '1us', 'busybox', 'sleep', '300']);
    expect(tooShort.exitCode).toBe(125);
    expect(tooShort.stderr).toContain('Interval in Healthcheck cannot be less than 1ms');
    expect(await psNames('name=bad')).toEqual([]);

    expect((await harness.docker(['run', '-d', '--name', 'gone', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    await waitForStatus('gone', 'healthy');
    expect(healthFiles().length).toBeGreaterThan(0);
    expect((await harness.docker(['rm', '-f', 'gone'])).exitCode).toBe(0);
    expect(healthFiles()).toEqual([]);
  }, 120_000);
});
