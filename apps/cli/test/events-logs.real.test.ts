import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { cliPath, createHarness, waitFor, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];

interface JsonEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano: number;
}

/** `execdriver events` in the background, as a user leaves it running in another terminal. */
function follow(args: readonly string[]): { child: ChildProcess; lines: () => string[]; stop: () => Promise<void> } {
  const child = spawn(process.execPath, ['--', cliPath, 'events', ...args], { env: { ...process.env, ...harness.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    child,
    lines: () => output.split('\n').filter((line) => line !== ''),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

const actions = (lines: string[], id?: string) =>
  lines
    .map((line) => JSON.parse(line) as JsonEvent)
    .filter((event) => id === undefined || event.Actor.ID === id)
    .map((event) => event.Action);

beforeAll(async () => {
  harness = await createHarness('events');
  cli = harness.cli;
});

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

describe('execdriver events (built binary, real containers)', () => {
  it('a background follower sees a run --rm lifecycle in order, then kill, pause, unpause, exec', async () => {
    const follower = follow(['--format', '{{json .}}', '--filter', 'type=container']);
    // Stopped even when an assertion fails, so no follower outlives the test.
    onTestFinished(() => follower.stop());
    await sleep(500);
    const rm = await cli(['run', '--rm', '--name', 'ev-rm', 'busybox', 'sh', '-c', 'exit 3']);
    expect(rm.exitCode).toBe(3);
    const web = (await cli(['run', '-d', '--name', 'ev-web', 'busybox', 'sleep', '60'])).stdout.trim();
    expect((await cli(['pause', 'ev-web'])).exitCode).toBe(0);
    expect((await cli(['unpause', 'ev-web'])).exitCode).toBe(0);
    expect((await cli(['exec', 'ev-web', 'true'])).exitCode).toBe(0);
    expect((await cli(['kill', '-s', 'KILL', 'ev-web'])).exitCode).toBe(0);
    await waitFor('the die of ev-web', () => (actions(follower.lines(), web).includes('die') ? true : undefined));
    // Seen by several readers (ps, inspect): journaled once all the same.
    await cli(['ps', '-a']);
    await cli(['inspect', 'ev-web']);
    expect((await cli(['rm', 'ev-web'])).exitCode).toBe(0);
    await waitFor('the destroy of ev-web', () => (actions(follower.lines(), web).includes('destroy') ? true : undefined));
    await follower.stop();

    const events = follower.lines().map((line) => JSON.parse(line) as JsonEvent);
    const rmEvents = events.filter((event) => event.Actor.Attributes.name === 'ev-rm');
    expect(rmEvents.map((event) => event.Action)).toEqual(['create', 'start', 'die', 'destroy']);
    expect(rmEvents[2]!.Actor.Attributes).toMatchObject({ exitCode: '3', image: 'busybox', name: 'ev-rm' });
    expect(actions(follower.lines(), web).map((action) => action.split(':')[0])).toEqual(['create', 'start', 'pause', 'unpause', 'exec_create', 'exec_start', 'exec_die', 'kill', 'die', 'destroy']);
    const webEvents = events.filter((event) => event.Actor.ID === web);
    expect(webEvents.find((event) => event.Action === 'kill')!.Actor.Attributes.signal).toBe('9');
    expect(webEvents.find((event) => event.Action === 'die')!.Actor.Attributes.exitCode).toBe('137');
    expect(webEvents.find((event) => event.Action.startsWith('exec_create'))!.Action).toBe('exec_create: true');
    const times = events.map((event) => event.timeNano);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("prints Docker's line format for past events with --since and --until, and filters", async () => {
    const result = await cli(['events', '--since', '10m', '--until', '0s', '--filter', 'container=ev-rm', '--filter', 'event=die']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) container die [0-9a-f]{64} \(exitCode=3, image=busybox, name=ev-rm\)\n$/);
    const bad = await cli(['events', '--since', 'yesterday']);
    expect(bad).toMatchObject({ exitCode: 125, stderr: expect.stringContaining('invalid value "yesterday" for flag --since') });
  });
});

describe('execdriver logs as json-file (built binary, real containers)', () => {
  it('keeps stdout and stderr of a foreground run interleaved in their order, in <id>-json.log', async () => {
    const result = await cli(['run', '--name', 'lg-fg', 'busybox', 'sh', '-c', 'echo 1; sleep 0.1; echo 2 >&2; sleep 0.1; echo 3']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '1\n3\n', stderr: '2\n' });
    const id = (await cli(['inspect', '-f', '{{.Id}}', 'lg-fg'])).stdout.trim();
    const file = join(harness.dataRoot, 'containers', id, `${id}-json.log`);
    const entries = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { log: string; stream: string; time: string });
    expect(entries.map((entry) => [entry.stream, entry.log])).toEqual([['stdout', '1\n'], ['stderr', '2\n'], ['stdout', '3\n']]);
    expect(entries[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const logs = await cli(['logs', 'lg-fg']);
    expect(logs).toMatchObject({ exitCode: 0, stdout: '1\n3\n', stderr: '2\n' });
    expect((await cli(['logs', '--tail', '1', 'lg-fg'])).stdout).toBe('3\n');
    expect((await cli(['logs', '--details', 'lg-fg'])).stdout).toBe(' 1\n 3\n');
    expect((await cli(['rm', 'lg-fg'])).exitCode).toBe(0);
  });

  it('logs -t --since of a detached container, and logs -f until it exits', async () => {
    const id = (await cli(['run', '-d', '--name', 'lg-d', 'busybox', 'sh', '-c', 'echo early; sleep 1.5; echo late; echo late-err >&2; sleep 1'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await waitFor('the early line', async () => ((await cli(['logs', 'lg-d'])).stdout === 'early\n' ? true : undefined));
    await sleep(300);
    const between = (Date.now() / 1000).toFixed(3);
    const followed = await cli(['logs', '-f', 'lg-d']);
    expect(followed).toMatchObject({ exitCode: 0, stdout: 'early\nlate\n', stderr: 'late-err\n' });
    const since = await cli(['logs', '-t', '--since', between, 'lg-d']);
    expect(since.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z late\n$/);
    expect(since.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z late-err\n$/);
    expect((await cli(['logs', '--until', between, 'lg-d'])).stdout).toBe('early\n');
    expect((await cli(['rm', 'lg-d'])).exitCode).toBe(0);
  });

  it('rotates the log at --log-opt max-size, keeping max-file files', async () => {
    const result = await cli(['run', '--name', 'lg-rot', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done']);
    expect(result.exitCode).toBe(0);
    const id = (await cli(['inspect', '-f', '{{.Id}}', 'lg-rot'])).stdout.trim();
    const dir = join(harness.dataRoot, 'containers', id);
    expect(readdirSync(dir).filter((file) => file.includes('-json.log')).sort()).toEqual([`${id}-json.log`, `${id}-json.log.1`]);
    for (const file of [`${id}-json.log`, `${id}-json.log.1`]) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(1024);
    const shown = (await cli(['logs', 'lg-rot'])).stdout.trim().split('\n').map((line) => Number(line.split(' ')[1]));
    expect(shown.at(-1)).toBe(199);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, index) => 200 - shown.length + index));
    expect((await cli(['run', '--rm', '--log-opt', 'max-file=2', 'busybox', 'true'])).stderr).toContain('max-file can only be used with max-size');
    expect((await cli(['rm', 'lg-rot'])).exitCode).toBe(0);
  });

  it("gives a tty container's terminal output, and nothing to read with --log-driver none", async () => {
    const tty = (await cli(['run', '-d', '-t', '--name', 'lg-tty', 'busybox', 'echo', 'on-tty'])).stdout.trim();
    expect(tty).toMatch(/^[0-9a-f]{64}$/);
    await waitFor('the tty output', async () => ((await cli(['logs', 'lg-tty'])).stdout === 'on-tty\r\n' ? true : undefined));
    expect((await cli(['rm', '-f', 'lg-tty'])).exitCode).toBe(0);
    expect((await cli(['run', '--name', 'lg-none', '--log-driver', 'none', 'busybox', 'echo', 'x'])).stdout).toBe('x\n');
    const none = await cli(['logs', 'lg-none']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('configured logging driver does not support reading');
    expect((await cli(['rm', 'lg-none'])).exitCode).toBe(0);
  });
});
