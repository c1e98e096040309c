// Docker's container lifecycle through the built binary on real containers: create/start/restart/
// wait/rename/stop, --init, restart policies enforced with no CLI running, labels and ps filters.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];
let scratch: string;
const ids = new Set<string>();

/** Runs a command that must succeed, returning its stdout trimmed (and remembering printed ids). */
async function ok(args: readonly string[]): Promise<string> {
  const result = await cli(args);
  expect(result, `${args.join(' ')}: ${result.stderr}`).toMatchObject({ exitCode: 0 });
  const text = result.stdout.trim();
  if (/^[0-9a-f]{64}$/.test(text)) ids.add(text);
  return text;
}

async function inspect(reference: string, template: string): Promise<string> {
  return ok(['inspect', '-f', template, reference]);
}

/** Processes whose command line is a monitor of one of this file's containers. */
function monitorProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const at = args.indexOf('__monitor');
    if (at !== -1 && ids.has(args[at + 1] ?? '')) found.push(`${pid}: ${args.join(' ')}`);
  }
  return found;
}

function monitorPid(id: string): number | undefined {
  try {
    return Number(readFileSync(join(harness.stateRoot, 'monitors', `${id}.pid`), 'utf8').split(' ')[0]);
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  harness = await createHarness('lifecycle');
  cli = harness.cli;
  scratch = await mkdtemp(join(tmpdir(), 'execdriver-lifecycle-'));
});

afterAll(async () => {
  const left = await harness.cleanup();
  await rm(scratch, { recursive: true, force: true });
  expect(left).toEqual([]);
  expect(monitorProcesses()).toEqual([]);
});

describe('create, start, restart, wait, rename', () => {
  it('create prints the full id; start -a gives the output and the exit code', async () => {
    const id = await ok(['create', '--name', 'created', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await inspect('created', '{{.State.Status}}')).toBe('created');
    expect(await cli(['start', '-a', 'created'])).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(await inspect('created', '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 3');
    await ok(['rm', 'created']);
  });

  it('keeps the writable layer across stop and start', async () => {
    await ok(['create', '--name', 'keeper', 'busybox', 'sh', '-c', 'cat /kept 2>/dev/null || echo none; echo data > /kept']);
    expect((await cli(['start', '-a', 'keeper'])).stdout).toBe('none\n');
    expect((await cli(['start', '-a', 'keeper'])).stdout).toBe('data\n');
    ids.add(await ok(['run', '-d', '--name', 'keeper2', 'busybox', 'sh', '-c', 'echo x > /mark; exec sleep 100']));
    await ok(['stop', '-t', '1', 'keeper2']);
    expect(await ok(['start', 'keeper2'])).toBe('keeper2');
    expect(await ok(['exec', 'keeper2', 'cat', '/mark'])).toBe('x');
    await ok(['rm', '-f', 'keeper', 'keeper2']);
  });

  it('restart gives a new process and keeps the container', async () => {
    await ok(['run', '-d', '--name', 'again', '--init', 'busybox', 'sleep', '100']);
    const before = await inspect('again', '{{.State.Pid}} {{.State.StartedAt}}');
    expect(await ok(['restart', '-t', '2', 'again'])).toBe('again');
    const after = await inspect('again', '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}');
    expect(after.startsWith('running ')).toBe(true);
    expect(after).not.toContain(before);
    await ok(['rm', '-f', 'again']);
  });

  it('wait prints exit codes of running and exited containers; 1 for a missing one', async () => {
    await ok(['run', '-d', '--name', 'waiter', 'busybox', 'sh', '-c', 'sleep 1; exit 5']);
    expect(await cli(['wait', 'waiter'])).toEqual({ exitCode: 0, stdout: '5\n', stderr: '' });
    expect(await cli(['wait', 'waiter'])).toEqual({ exitCode: 0, stdout: '5\n', stderr: '' });
    expect(await cli(['wait', 'nosuchcontainer'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such container: nosuchcontainer\n' });
    await ok(['rm', 'waiter']);
  });

  it('rename: found by the new name only; conflicts and same names refused', async () => {
    const id = await ok(['create', '--name', 'oldname', 'busybox', 'true']);
    await ok(['create', '--name', 'taken', 'busybox', 'true']);
    expect(await cli(['rename', 'oldname', 'newname'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await inspect('newname', '{{.Id}} {{.Name}}')).toBe(`${id} /newname`);
    expect(await cli(['inspect', 'oldname'])).toMatchObject({ exitCode: 1, stderr: 'execdriver: No such object: oldname\n' });
    const conflict = await cli(['rename', 'newname', 'taken']);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr).toContain('Conflict. The container name "/taken" is already in use');
    expect(await cli(['rename', 'newname', 'newname'])).toMatchObject({ exitCode: 1 });
    expect(await cli(['rename', 'nosuch', 'other'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such container: nosuch\n' });
    await ok(['rm', 'newname', 'taken']);
  });
});

describe('--init, --stop-signal, --stop-timeout', () => {
  it('stops a sh container at once under --init, and reaps its zombies', async () => {
    await ok(['run', '-d', '--name', 'initd', '--init', 'busybox', 'sh', '-c', '(sleep 0.1 &); exec sleep 100']);
    await ok(['run', '-d', '--name', 'noinit', 'busybox', 'sh', '-c', '(sleep 0.1 &); exec sleep 100']);
    await sleep(600);
    const zombies = (name: string) => ok(['exec', name, 'sh', '-c', 'grep -l "^State:.Z" /proc/[0-9]*/status 2>/dev/null | wc -l']);
    expect(await zombies('initd')).toBe('0');
    expect(await zombies('noinit')).toBe('1');
    expect(await inspect('initd', '{{.HostConfig.Init}}')).toBe('true');
    const started = Date.now();
    await ok(['stop', 'initd']);
    expect(Date.now() - started).toBeLessThan(5000);
    await ok(['rm', '-f', 'initd', 'noinit']);
  });

  it('keeps --stop-signal and --stop-timeout and stop uses them', async () => {
    await ok(['run', '-d', '--name', 'stopper', '--stop-signal', 'USR1', '--stop-timeout', '1', 'busybox', 'sh', '-c', 'trap "exit 42" USR1; while true; do sleep 0.1; done']);
    expect(await inspect('stopper', '{{.Config.StopSignal}} {{.Config.StopTimeout}}')).toBe('USR1 1');
    await ok(['stop', 'stopper']);
    expect(await inspect('stopper', '{{.State.ExitCode}}')).toBe('42');
    await ok(['rm', 'stopper']);
  });
});

describe('restart policies, with no CLI running', () => {
  it('--restart always survives kill -9 of its process; RestartCount goes up; the monitor is small', async () => {
    const id = await ok(['run', '-d', '--name', 'phoenix', '--restart', 'always', 'busybox', 'sleep', '100']);
    try {
      const pid = Number(await inspect('phoenix', '{{.State.Pid}}'));
      process.kill(pid, 'SIGKILL');
      const seen: string[] = [];
      const restarted = await waitFor('a restart', async () => {
        const line = await inspect('phoenix', '{{.State.Status}} {{.RestartCount}} {{.State.Pid}} {{.State.ExitCode}} {{.State.Error}}');
        if (seen.at(-1) !== line) seen.push(line);
        const [status, count, newPid] = line.split(' ');
        return status === 'running' && count === '1' && Number(newPid) !== pid ? newPid : undefined;
      }).catch(async (error: unknown) => {
        let log = '';
        try {
          log = readFileSync(join(harness.stateRoot, 'monitors', `${id}.log`), 'utf8');
        } catch (readError) {
          log = String(readError);
        }
        const events = await cli(['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000)), '--filter', 'container=phoenix', '--format', '{{.Action}} {{json .Actor.Attributes}}']);
        throw new Error(`${String(error)}; killed ${pid}; inspect said: ${seen.join(' | ')}; monitor log: ${log}; events: ${events.stdout}`);
      });
      expect(Number(restarted)).toBeGreaterThan(0);
      expect(await inspect('phoenix', '{{.HostConfig.RestartPolicy.Name}}')).toBe('always');
      const monitor = monitorPid(id)!;
      const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${monitor}/smaps_rollup`, 'utf8'))?.[1]);
      console.info(`restart monitor ${monitor}: PSS ${pss} kB`);
      expect(pss).toBeLessThan(80 * 1024);
    } finally {
      // A failed step leaves no restarting container for the next tests.
      await cli(['rm', '-f', 'phoenix']);
    }
    expect(await ok(['ps', '-aq', '-f', 'name=phoenix'])).toBe('');
    expect(monitorProcesses()).toEqual([]);
  });

  it('on-failure:2 gives up after 2 restarts', async () => {
    const id = await ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
    await waitFor('giving up', async () => ((await inspect('flaky', '{{.State.Status}} {{.RestartCount}}')) === 'exited 2' && monitorPid(id) === undefined ? true : undefined), 15_000);
    await sleep(1000);
    expect(await inspect('flaky', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}')).toBe('exited 2 3');
    await ok(['rm', 'flaky']);
  });

  it('stop ends a restarting container for good', async () => {
    const id = await ok(['run', '-d', '--name', 'looper', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']);
    await waitFor('some restarts', async () => (Number(await inspect('looper', '{{.RestartCount}}')) >= 3 ? true : undefined), 15_000);
    await ok(['stop', 'looper']);
    const count = await inspect('looper', '{{.State.Status}} {{.RestartCount}}');
    expect(monitorPid(id)).toBeUndefined();
    await sleep(1500);
    expect(await inspect('looper', '{{.State.Status}} {{.RestartCount}} {{.State.Restarting}}')).toBe(`${count.replace('restarting', 'exited')} false`);
    await ok(['rm', 'looper']);
  });

  it('refuses bad policies and --restart with --rm', async () => {
    expect(await cli(['run', '--restart', 'sometimes', 'busybox', 'true'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: 'execdriver: invalid value "sometimes" for flag --restart: invalid restart policy "sometimes": expected no, always, unless-stopped or on-failure[:max-retries]\n',
    });
    expect(await cli(['run', '--rm', '--restart', 'always', 'busybox', 'true'])).toEqual({ exitCode: 125, stdout: '', stderr: 'execdriver: Conflicting options: --restart always and --rm\n' });
    expect(harness.leftovers()).toEqual([]);
  });
});

describe('labels, ps filters, cidfile, attach', () => {
  it('filters by label, status and exited, and removes the exited with ps -q | rm', async () => {
    try {
      await filterSession();
    } finally {
      await cli(['rm', '-f', 'live', 'web', 'db']);
    }
  }, 180_000);

  async function filterSession(): Promise<void> {
    const labels = join(scratch, 'labels');
    await writeFile(labels, '# team\nteam=blue\ntier=web\n');
    const web = await ok(['create', '--name', 'web', '--label-file', labels, '-l', 'tier=front', 'busybox', 'true']);
    expect((await cli(['run', '--name', 'db', '-l', 'team=red', 'busybox', 'sh', '-c', 'exit 4'])).exitCode).toBe(4);
    const run = await ok(['run', '-d', '--name', 'live', '-l', 'team', 'busybox', 'sleep', '100']);
    expect(await inspect('web', '{{.Config.Labels.tier}} {{.Config.Labels.team}}')).toBe('front blue');
    expect(await ok(['ps', '-a', '--no-trunc', '-q', '-f', 'label=team=blue'])).toBe(web);
    expect((await ok(['ps', '-a', '-q', '-f', 'label=team'])).split('\n')).toHaveLength(3);
    expect(await ok(['ps', '-q', '--no-trunc'])).toBe(run);
    expect(await ok(['ps', '-a', '--format', '{{.Names}}', '-f', 'status=exited'])).toBe('db');
    expect(await ok(['ps', '--format', '{{.Names}}', '-f', 'exited=4'])).toBe('db');
    expect(await ok(['ps', '--format', '{{.Names}}', '-f', 'status=created'])).toBe('web');
    expect(await ok(['ps', '-a', '--format', '{{.Names}}', '-f', 'since=web'])).toBe('live\ndb');
    expect(await ok(['ps', '-a', '--format', '{{.Names}}', '-f', 'before=db'])).toBe('web');
    expect(await ok(['ps', '-l', '--format', '{{.Names}}'])).toBe('live');
    expect(await ok(['ps', '-n', '2', '--format', '{{.Names}}'])).toBe('live\ndb');
    expect(await ok(['ps', '-a', '--format', '{{.Names}}', '-f', 'name=^li'])).toBe('live');
    expect(await cli(['ps', '-f', 'status=sleepy'])).toMatchObject({ exitCode: 1, stderr: expect.stringContaining('Unrecognised filter value for status: sleepy') });
    expect(await cli(['ps', '-f', 'colour=red'])).toMatchObject({ exitCode: 1, stderr: "execdriver: invalid filter 'colour'\n" });
    expect(await cli(['ps', '-f', 'nokey'])).toMatchObject({ exitCode: 125, stderr: 'execdriver: bad format of filter (expected name=value): "nokey"\n' });
    expect((await ok(['ps', '-s', '-f', 'name=live'])).split('\n')[0]).toMatch(/SIZE$/);
    const exited = (await ok(['ps', '-a', '-f', 'status=exited', '-q'])).split('\n');
    expect(await ok(['rm', ...exited])).toBe(exited.join('\n'));
    expect(await ok(['ps', '-a', '--format', '{{.Names}}'])).toBe('live\nweb');
  }

  it('--cidfile: written with the full id; an existing file refused', async () => {
    const cidfile = join(scratch, 'cid');
    const id = await ok(['run', '-d', '--cidfile', cidfile, 'busybox', 'sleep', '100']);
    expect(await readFile(cidfile, 'utf8')).toBe(id);
    expect(await cli(['run', '--cidfile', cidfile, 'busybox', 'true'])).toEqual({ exitCode: 125, stdout: '', stderr: `execdriver: Container ID file found, make sure the other container isn't running or delete ${cidfile}\n` });
    await ok(['rm', '-f', id]);
  });

  it('run -a stdout shows only stdout; -a with -d is refused', async () => {
    expect(await cli(['run', '--rm', '-a', 'stdout', 'busybox', 'sh', '-c', 'echo out; echo err >&2'])).toEqual({ exitCode: 0, stdout: 'out\n', stderr: '' });
    expect(await cli(['run', '-d', '-a', 'stdout', 'busybox', 'true'])).toEqual({ exitCode: 125, stdout: '', stderr: 'execdriver: Conflicting options: -a and -d\n' });
    expect(await cli(['start', 'nosuch'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such container: nosuch\n' });
  });

  it('leaves nothing behind', async () => {
    expect(await ok(['ps', '-aq'])).toBe('');
    expect(harness.leftovers()).toEqual([]);
    expect(monitorProcesses()).toEqual([]);
  });
});
