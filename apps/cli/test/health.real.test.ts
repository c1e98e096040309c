import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from './harness.js';

/** Health checks through the execdriver CLI: probes run in the container's helper (log or console holder) or the foreground run. */
let harness: Harness;
let cli: Harness['cli'];

beforeAll(async () => {
  harness = await createHarness('health');
  cli = harness.cli;
});

afterEach(async () => {
  const ids = (await cli(['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
  if (ids.length > 0) await cli(['rm', '-f', ...ids]);
}, 60_000);

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
}, 60_000);

async function status(name: string): Promise<string> {
  const result = await cli(['inspect', '-f', '{{.State.Health.Status}}', name]);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

function waitForStatus(name: string, wanted: string): Promise<string> {
  return waitFor(`${name} ${wanted}`, async () => ((await status(name)) === wanted ? wanted : undefined), 60_000);
}

async function psNames(filter: string): Promise<string[]> {
  const result = await cli(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']);
  expect(result.exitCode).toBe(0);
  return result.stdout.split('\n').filter((name) => name !== '').sort();
}

describe('execdriver run --health-* (built binary, real containers)', () => {
  it('run -d: starting, unhealthy after the retries, healthy after exec; ps, inspect, events', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const run = await cli(['run', '-d', '--network', 'none', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '300']);
    expect(run.exitCode).toBe(0);
    expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-later', '--health-cmd', 'true', '--health-interval', '1h', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-plain', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await cli(['ps', '--filter', 'name=hc-later', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(health: starting\)\n$/);
    expect((await cli(['inspect', '-f', '{{json .Config.Healthcheck}}', 'hc'])).stdout).toBe('{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":1000000000,"Retries":2}\n');

    await waitForStatus('hc', 'unhealthy');
    const unhealthy = JSON.parse((await cli(['inspect', '-f', '{{json .State.Health}}', 'hc'])).stdout) as { FailingStreak: number; Log: { ExitCode: number }[] };
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(unhealthy.Log.every((entry) => entry.ExitCode === 1)).toBe(true);
    expect((await cli(['ps', '--filter', 'name=^hc$', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(unhealthy\)\n$/);

    expect((await cli(['exec', 'hc', 'touch', '/tmp/ok'])).exitCode).toBe(0);
    await waitForStatus('hc', 'healthy');
    expect((await cli(['ps', '--filter', 'name=^hc$', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .+ \(healthy\)\n$/);
    expect(await psNames('health=healthy')).toEqual(['hc']);
    expect(await psNames('health=starting')).toEqual(['hc-later']);
    expect(await psNames('health=none')).toEqual(['hc-plain']);
    const bogus = await cli(['ps', '--filter', 'health=bogus']);
    expect(bogus.exitCode).not.toBe(0);
    expect(bogus.stderr).toContain('Unrecognised filter value for health: bogus');

    const events = await cli(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=health_status', '--format', '{{json .}}']);
    expect(events.exitCode).toBe(0);
    const actions = events.stdout.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { Action: string; Actor: { Attributes: { name: string } } }));
    expect(actions.map((event) => `${event.Action} ${event.Actor.Attributes.name}`)).toEqual(['health_status: unhealthy hc', 'health_status: healthy hc']);

    // Stopped: unhealthy (Docker); started again by the CLI: its holder probes the new run.
    expect((await cli(['stop', '-t', '1', 'hc'])).exitCode).toBe(0);
    expect(await status('hc')).toBe('unhealthy');
    expect((await cli(['start', 'hc'])).exitCode).toBe(0);
    expect((await cli(['exec', 'hc', 'touch', '/tmp/ok'])).exitCode).toBe(0);
    await waitForStatus('hc', 'healthy');
  }, 180_000);

  it('a tty container (console holder), a created then started one, and a foreground run are probed too', async () => {
    expect((await cli(['run', '-d', '-t', '--network', 'none', '--name', 'hc-tty', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    expect((await cli(['create', '--network', 'none', '--name', 'hc-created', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    // Created, never started: no health yet (Docker's State.Health is null then).
    expect((await cli(['inspect', '-f', '{{json .State.Health}}', 'hc-created'])).stdout).toBe('null\n');
    expect((await cli(['start', 'hc-created'])).exitCode).toBe(0);
    const foreground = cli(['run', '--network', 'none', '--name', 'hc-fg', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sh', '-c', 'while [ ! -e /tmp/done ]; do sleep 0.2; done; echo done'], { timeoutMs: 120_000 });
    try {
      await waitForStatus('hc-tty', 'healthy');
      await waitForStatus('hc-created', 'healthy');
      await waitFor('hc-fg running', async () => ((await cli(['inspect', '-f', '{{.State.Status}}', 'hc-fg'])).stdout.trim() === 'running' ? true : undefined), 60_000);
      await waitForStatus('hc-fg', 'healthy');
    } finally {
      await cli(['exec', 'hc-fg', 'touch', '/tmp/done']);
    }
    expect(await foreground).toEqual({ exitCode: 0, stdout: 'done\n', stderr: '' });
  }, 180_000);

  it('the runs a restart policy starts (its monitor) and start -a are probed too', async () => {
    // The first run fails, the monitor starts the second one, which stays (the writable layer keeps /once).
    const script = 'if [ -e /once ]; then exec sleep 300; else touch /once; exit 1; fi';
    expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-policy', '--restart', 'on-failure', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sh', '-c', script])).exitCode).toBe(0);
    const probed = await waitFor('a probe of the restarted run', async () => {
      const state = JSON.parse((await cli(['inspect', '-f', '{{json .State}}', 'hc-policy'])).stdout) as { Status: string; StartedAt: string; Health?: { Status: string; Log: { Start: string }[] } };
      const last = state.Health?.Log.at(-1);
      return state.Status === 'running' && state.Health?.Status === 'healthy' && last && Date.parse(last.Start) >= Date.parse(state.StartedAt) ? state : undefined;
    }, 60_000);
    expect(probed.Health!.Status).toBe('healthy');
    expect(Number((await cli(['inspect', '-f', '{{.RestartCount}}', 'hc-policy'])).stdout.trim())).toBeGreaterThanOrEqual(1);

    expect((await cli(['create', '--network', 'none', '--name', 'hc-attached', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sh', '-c', 'while [ ! -e /tmp/done ]; do sleep 0.2; done; echo done'])).exitCode).toBe(0);
    const attached = cli(['start', '-a', 'hc-attached'], { timeoutMs: 120_000 });
    try {
      await waitFor('hc-attached running', async () => ((await cli(['inspect', '-f', '{{.State.Status}}', 'hc-attached'])).stdout.trim() === 'running' ? true : undefined), 60_000);
      await waitForStatus('hc-attached', 'healthy');
    } finally {
      await cli(['exec', 'hc-attached', 'touch', '/tmp/done']);
    }
    expect(await attached).toEqual({ exitCode: 0, stdout: 'done\n', stderr: '' });
  }, 180_000);

  it("an image's health check (commit keeps the container's): inherited, merged field by field, disabled by --no-healthcheck", async () => {
    expect((await cli(['create', '--network', 'none', '--name', 'hc-source', '--health-cmd', 'test -e /etc/passwd', '--health-interval', '1s', '--health-retries', '5', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    try {
      expect((await cli(['commit', 'hc-source', 'hc-image'])).exitCode).toBe(0);
      const config = '{"Test":["CMD-SHELL","test -e /etc/passwd"],"Interval":1000000000,"Retries":5}\n';
      expect((await cli(['image', 'inspect', '-f', '{{json .Config.Healthcheck}}', 'hc-image'])).stdout).toBe(config);
      expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-inherits', 'hc-image', 'sleep', '300'])).exitCode).toBe(0);
      expect((await cli(['inspect', '-f', '{{json .Config.Healthcheck}}', 'hc-inherits'])).stdout).toBe(config);
      await waitForStatus('hc-inherits', 'healthy');
      expect((await cli(['create', '--network', 'none', '--name', 'hc-merged', '--health-interval', '1h', 'hc-image'])).exitCode).toBe(0);
      expect((await cli(['inspect', '-f', '{{json .Config.Healthcheck}}', 'hc-merged'])).stdout).toBe('{"Test":["CMD-SHELL","test -e /etc/passwd"],"Interval":3600000000000,"Retries":5}\n');
      // As dockerd: NONE, the image's other fields kept (and no State.Health once started).
      expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-off', '--no-healthcheck', 'hc-image', 'sleep', '300'])).exitCode).toBe(0);
      expect((await cli(['inspect', '-f', '{{json .Config.Healthcheck}} {{json .State.Health}}', 'hc-off'])).stdout).toBe('{"Test":["NONE"],"Interval":1000000000,"Retries":5} null\n');
    } finally {
      const ids = (await cli(['ps', '-aq'])).stdout.split('\n').filter((id) => id !== '');
      if (ids.length > 0) await cli(['rm', '-f', ...ids]);
      await cli(['rmi', 'hc-image']);
    }
  }, 180_000);

  it('refuses bad flags with the offending value, leaving nothing; rm takes the health files', async () => {
    const conflict = await cli(['run', '-d', '--network', 'none', '--name', 'bad1', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'sleep', '300']);
    expect(conflict.exitCode).toBe(125);
    expect(conflict.stderr).toContain('--no-healthcheck conflicts with --health-* options');
    const negative = await cli(['run', '-d', '--network', 'none', '--name', 'bad2', '--health-retries', '-1', 'busybox', 'sleep', '300']);
    expect(negative.exitCode).toBe(125);
    expect(negative.stderr).toContain('--health-retries cannot be negative');
    const tooShort = await cli(['run', '-d', '--network', 'none', '--name', 'bad3', '--health-cmd', 'true', '--health-interval', '1us', 'busybox', 'sleep', '300']);
    expect(tooShort.exitCode).toBe(125);
    expect(tooShort.stderr).toContain('Interval in Healthcheck cannot be less than 1ms');
    expect(await psNames('name=bad')).toEqual([]);

    expect((await cli(['run', '-d', '--network', 'none', '--name', 'hc-gone', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '300'])).exitCode).toBe(0);
    await waitForStatus('hc-gone', 'healthy');
    const healthDir = join(harness.stateRoot, 'health');
    expect(readdirSync(healthDir).length).toBeGreaterThan(0);
    expect((await cli(['rm', '-f', 'hc-gone'])).exitCode).toBe(0);
    // The holder's lease goes with it once it saw the container go.
    await waitFor('no health files', () => (readdirSync(healthDir).length === 0 ? true : undefined), 30_000);
  }, 180_000);
});
