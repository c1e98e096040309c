import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBusyboxRootfs } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, waitFor, type DaemonHarness, type RunResult } from './harness.js';

/**
 * The same docker CLI sessions against a real dockerd (Debian's docker.io, on a private socket,
 * no network changes) and against execdriverd: exit codes, output and the words of errors agree.
 */
const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((path) => existsSync(path));

let harness: DaemonHarness;
let oracleBase: string;
let oracle: ChildProcess | undefined;
let oracleHost: string;

async function startOracle(): Promise<void> {
  oracleBase = await mkdtemp(join(tmpdir(), 'execdriverd-oracle-'));
  const socket = join(oracleBase, 'd.sock');
  oracleHost = `unix://${socket}`;
  oracle = spawn(dockerd!, ['--iptables=false', '--ip6tables=false', '--bridge=none', '-H', oracleHost, '--data-root', join(oracleBase, 'data'), '--exec-root', join(oracleBase, 'exec'), '--pidfile', join(oracleBase, 'pid')], { stdio: 'ignore' });
  for (let attempt = 0; attempt < 150 && !existsSync(socket); attempt += 1) await sleep(100);
  const rootfs = await createBusyboxRootfs(join(oracleBase, 'rootfs'));
  const imported = await harness.run('sh', ['-c', `tar -C '${rootfs}' -c . | docker import - busybox:latest`], { env: { DOCKER_HOST: oracleHost } });
  if (imported.exitCode !== 0) throw new Error(`cannot import busybox into dockerd: ${imported.stderr}`);
}

beforeAll(async () => {
  harness = await startDaemonHarness('oracle');
  if (dockerd) await startOracle();
}, 120_000);

afterAll(async () => {
  if (oracle) {
    await harness.run('sh', ['-c', 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids'], { env: { DOCKER_HOST: oracleHost } });
    const exited = new Promise((resolve) => oracle!.once('exit', resolve));
    oracle.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    await rm(oracleBase, { recursive: true, force: true }).catch(() => undefined);
  }
  expect(await harness.cleanup()).toEqual([]);
}, 60_000);

/** Runs one docker command against both daemons. */
async function both(args: readonly string[], options: { input?: string } = {}): Promise<{ ours: RunResult; theirs: RunResult }> {
  const theirs = await harness.run('docker', args, { env: { DOCKER_HOST: oracleHost }, ...options });
  const ours = await harness.docker(args, options);
  return { ours, theirs };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A real terminal (a tmux server of this file's own): `docker <args>` in a 100x30 pane against
 * `host`, driven by `steps` (keys to send, then a pattern to wait for on the screen); resolves to
 * the screens seen at each step and the command's exit code.
 */
async function tmuxSession(name: string, host: string, args: readonly string[], steps: readonly { keys?: string[]; resize?: [number, number]; until: RegExp }[]): Promise<{ screens: string[]; exitCode: number }> {
  const tmux = (...tmuxArgs: string[]) => execFileSync('tmux', ['-L', harness.marker, ...tmuxArgs], { encoding: 'utf8' });
  const exitFile = join(harness.base, `${name}.exit`);
  const command = `env DOCKER_HOST=${shellQuote(host)} DOCKER_CONFIG=${shellQuote(harness.env.DOCKER_CONFIG!)} docker ${args.map(shellQuote).join(' ')}; echo $? > ${shellQuote(exitFile)}; sleep 60`;
  tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', command);
  const screens: string[] = [];
  try {
    for (const step of steps) {
      if (step.resize) tmux('resize-window', '-t', name, '-x', String(step.resize[0]), '-y', String(step.resize[1]));
      let sentAt = 0;
      screens.push(await waitFor(`${step.until} on the screen of ${name}`, () => {
        // After a resize the keys go again each second: the docker CLI sends the new size on its own time.
        if (step.keys && (sentAt === 0 || (step.resize && Date.now() - sentAt > 1000))) {
          tmux('send-keys', '-t', name, ...step.keys);
          sentAt = Date.now();
        }
        const text = tmux('capture-pane', '-p', '-t', name);
        return step.until.test(text) ? text : undefined;
      }, 20_000));
    }
    const exitCode = await waitFor(`the exit code of ${name}`, async () => {
      const text = await readFile(exitFile, 'utf8').catch(() => '');
      return text.trim() === '' ? undefined : Number(text.trim());
    }, 20_000);
    return { screens, exitCode };
  } finally {
    tmux('kill-session', '-t', name);
  }
}

/** Docker's error line without what differs by design (runtime and shim words before the reason). */
function reason(stderr: string): string {
  return stderr.split('\n')[0]!.replace(/^.*?(exec: "[^"]*": executable file not found in \$PATH).*$/, '$1');
}

describe.skipIf(!dockerd)('the same docker CLI sessions against dockerd 20.10 (oracle) and execdriverd', () => {
  it('run --rm: output, stderr, exit code', async () => {
    for (const args of [
      ['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7'],
      ['run', '--rm', '-e', 'A=1', '-w', '/tmp', '-u', '1000:1000', 'busybox', 'sh', '-c', 'echo $A $(pwd) $(id -u):$(id -g)'],
      ['run', '--rm', '--entrypoint', 'echo', 'busybox', 'entry', 'point'],
      ['run', '--rm', '--read-only', 'busybox', 'sh', '-c', 'touch /x 2>/dev/null || echo read-only'],
    ]) {
      const { ours, theirs } = await both(args);
      expect(ours, args.join(' ')).toEqual(theirs);
    }
  });

  it('run -i without a tty: piped input, its end is EOF, the same output and exit code', async () => {
    const { ours, theirs } = await both(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'wc -l; cat; echo end >&2; exit 4'], { input: 'a\nb\n' });
    expect(theirs).toEqual({ exitCode: 4, stdout: '2\n', stderr: 'end\n' });
    expect(ours).toEqual(theirs);
  });

  it('run -it in a real terminal (tmux): prompt, size, resize, line editing, exit code, logs; the same screens', async () => {
    const session = async (name: string, host: string) => {
      const steps = [
        { until: /^\/ #\s*$/m },
        { keys: ['stty size', 'Enter'], until: /^30 100\n\/ #\s*$/m },
        { resize: [120, 40] as [number, number], keys: ['clear; stty size', 'Enter'], until: /^40 120\n\/ #\s*$/m },
        { keys: ['echo hellx', 'BSpace', 'o-edit', 'Enter'], until: /^hello-edit\n\/ #\s*$/m },
        { keys: ['clear; exit 5', 'Enter'], until: /(?:)/ },
      ];
      const result = await tmuxSession(name, host, ['run', '-it', '--name', `tmuxed-${name}`, 'busybox', 'sh'], steps);
      const inspect = await harness.run('docker', ['inspect', '-f', '{{.State.ExitCode}} {{.Config.Tty}} {{.Config.OpenStdin}} {{.Config.StdinOnce}}', `tmuxed-${name}`], { env: { DOCKER_HOST: host } });
      const logs = await harness.run('docker', ['logs', `tmuxed-${name}`], { env: { DOCKER_HOST: host } });
      await harness.run('docker', ['rm', `tmuxed-${name}`], { env: { DOCKER_HOST: host } });
      // The screens up to the exit (the prompt, the sizes, the edited line), trailing blanks aside.
      const trimmed = result.screens.slice(0, 4).map((screen) => screen.replace(/\s+$/, ''));
      return { screens: trimmed, exitCode: result.exitCode, inspect: inspect.stdout, logs: logs.stdout.includes('hello-edit') };
    };
    const theirs = await session('theirs', oracleHost);
    const ours = await session('ours', harness.env.DOCKER_HOST!);
    expect(theirs.exitCode).toBe(5);
    expect(theirs.inspect).toBe('5 true true true\n');
    expect(ours).toEqual(theirs);
  });

  it('docker exec is journaled: exec_create, exec_start, exec_die in docker events, as dockerd', async () => {
    const actions = async (host: string) => {
      const env = { env: { DOCKER_HOST: host } };
      const since = String(Math.floor(Date.now() / 1000) - 1);
      const id = (await harness.run('docker', ['run', '-d', 'busybox', 'sleep', '60'], env)).stdout.trim();
      const exec = await harness.run('docker', ['exec', id, 'sh', '-c', 'exit 3'], env);
      const until = String(Math.floor(Date.now() / 1000) + 1);
      const events = await harness.run('docker', ['events', '--since', since, '--until', until, '--filter', `container=${id}`, '--filter', 'event=exec_create', '--filter', 'event=exec_start', '--filter', 'event=exec_die', '--format', '{{.Action}} {{.Actor.Attributes.exitCode}}'], env);
      await harness.run('docker', ['rm', '-f', id], env);
      return { exitCode: exec.exitCode, events: events.stdout };
    };
    const theirs = await actions(oracleHost);
    expect(theirs).toEqual({ exitCode: 3, events: 'exec_create: sh -c exit 3 <no value>\nexec_start: sh -c exit 3 <no value>\nexec_die 3\n' });
    expect(await actions(harness.env.DOCKER_HOST!)).toEqual(theirs);
  });

  it('command not found: 127 and the same reason', async () => {
    const { ours, theirs } = await both(['run', '--rm', 'busybox', 'nosuchcommand']);
    expect(theirs.exitCode).toBe(127);
    expect(ours.exitCode).toBe(theirs.exitCode);
    expect(reason(ours.stderr.replace(/^docker: /, ''))).toBe(reason(theirs.stderr.replace(/^docker: /, '')));
  });

  it('errors of a missing container: exit 1, the same message', async () => {
    for (const args of [['rm', 'nosuch'], ['logs', 'nosuch'], ['stop', 'nosuch'], ['exec', 'nosuch', 'true']]) {
      const { ours, theirs } = await both(args);
      expect(ours, args.join(' ')).toEqual(theirs);
    }
  });

  it('a detached container: ps, exec, rm while running, stop, wait, inspect, logs, start, kill', async () => {
    const session: string[][] = [
      ['run', '-d', '--name', 'oracle', 'busybox', 'sh', '-c', 'echo hello; sleep 60'],
      ['ps', '--format', '{{.Names}} {{.Image}} {{.Command}} {{.State}}'],
      ['exec', 'oracle', 'sh', '-c', 'echo in; exit 3'],
      ['stop', '-t', '1', 'oracle'],
      ['wait', 'oracle'],
      ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.Config.Image}} {{.Name}}', 'oracle'],
      ['logs', 'oracle'],
      ['kill', 'oracle'],
      ['start', 'oracle'],
      ['start', 'oracle'],
      ['pause', 'oracle'],
      ['inspect', '-f', '{{.State.Status}}', 'oracle'],
      ['unpause', 'oracle'],
      ['rm', '-f', 'oracle'],
    ];
    for (const args of session) {
      const { ours, theirs } = await both(args);
      if (args[0] === 'run') {
        expect(ours.exitCode).toBe(theirs.exitCode);
        continue;
      }
      if (args[0] === 'kill') {
        // Both refuse a container that is not running, with exit 1 (the words differ: dockerd names the id).
        expect([ours.exitCode, theirs.exitCode]).toEqual([1, 1]);
        expect(ours.stderr).toContain('is not running');
        expect(theirs.stderr).toContain('is not running');
        continue;
      }
      expect(ours, args.join(' ')).toEqual(theirs);
    }
  });

  it('rm of a running container: a conflict, exit 1', async () => {
    await both(['run', '-d', '--name', 'busy', 'busybox', 'sleep', '60']);
    const { ours, theirs } = await both(['rm', 'busy']);
    expect(ours.exitCode).toBe(theirs.exitCode);
    expect(theirs.stderr).toContain('You cannot remove a running container');
    expect(ours.stderr).toContain('You cannot remove a running container');
    await both(['rm', '-f', 'busy']);
  });

  it('volumes: create, ls, inspect, rm and their errors', async () => {
    for (const args of [
      ['volume', 'create', '--label', 'team=a', 'ovol'],
      ['volume', 'create', 'ovol2'],
      ['volume', 'ls', '--format', '{{.Driver}} {{.Name}} {{.Labels}}'],
      ['volume', 'ls', '-q', '--filter', 'label=team=a'],
      ['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Options}}', 'ovol'],
      ['volume', 'inspect', 'nosuchvolume'],
      ['volume', 'create', 'a'],
      ['volume', 'rm', 'ovol', 'ovol2'],
      ['volume', 'rm', 'ovol'],
      ['volume', 'rm', '-f', 'ovol'],
      ['volume', 'ls', '-q'],
    ]) {
      const { ours, theirs } = await both(args);
      expect(ours, args.join(' ')).toEqual(theirs);
    }
  });

  it('cp both ways, diff, rename, commit: the same output and errors', async () => {
    const work = await mkdtemp(join(tmpdir(), 'execdriverd-oracle-cp-'));
    try {
      await writeFile(join(work, 'in.txt'), 'to the container\n');
      await both(['run', '-d', '--name', 'ocp', 'busybox', 'sleep', '60']);
      const session: string[][] = [
        ['cp', join(work, 'in.txt'), 'ocp:/tmp/'],
        ['exec', 'ocp', 'cat', '/tmp/in.txt'],
        ['cp', 'ocp:/no/such/file', join(work, 'x')],
        ['cp', join(work, 'in.txt'), 'ocp:/no/such/dir/'],
        ['rename', 'ocp', 'ocp2'],
        ['rename', 'ocp2', 'ocp2'],
        ['inspect', '-f', '{{.Name}}', 'ocp2'],
        ['rm', '-f', 'ocp2'],
        ['run', '--name', 'odiff', 'busybox', 'sh', '-c', 'echo x > /etc/added && rm /etc/group && mkdir -p /srv/d && echo y > /srv/d/f'],
        ['diff', 'odiff'],
        ['diff', 'nosuch'],
        ['commit', '-c', 'CMD ["cat", "/srv/d/f"]', 'odiff', 'ocommitted:1'],
        ['run', '--rm', 'ocommitted:1'],
        ['image', 'inspect', '-f', '{{.Config.Cmd}}', 'ocommitted:1'],
        ['rm', 'odiff'],
        ['rmi', 'ocommitted:1'],
      ];
      // The docker CLI's own log lines (its tar writer seeing the request end) come or not with timing: left out.
      const ids = (text: string) => text.replace(/^time=.*\n/gm, '').replace(/sha256:[0-9a-f]{64}/g, 'sha256:<id>').replace(/\b[0-9a-f]{64}\b/g, '<id>');
      for (const args of session) {
        const { ours, theirs } = await both(args);
        if (args[0] === 'diff' && theirs.exitCode === 0) {
          // dockerd lists in the order it walks the layer (directory order); the same lines.
          const lines = (text: string) => text.split('\n').filter((line) => line !== '').sort();
          expect([ours.exitCode, lines(ours.stdout)], args.join(' ')).toEqual([theirs.exitCode, lines(theirs.stdout)]);
          continue;
        }
        if (args[0] === 'rmi') {
          // dockerd also deletes the committed layer (one more Deleted line): the store differs by design.
          const first = (text: string) => text.split('\n')[0];
          expect([ours.exitCode, first(ours.stdout), ours.stdout], args.join(' ')).toEqual([theirs.exitCode, first(theirs.stdout), expect.stringMatching(/^Untagged: ocommitted:1\nDeleted: sha256:[0-9a-f]{64}\n$/)]);
          continue;
        }
        if (args[0] === 'commit') {
          expect([ours.exitCode, ids(ours.stdout)], args.join(' ')).toEqual([theirs.exitCode, ids(theirs.stdout)]);
          continue;
        }
        expect({ ...ours, stdout: ids(ours.stdout), stderr: ids(ours.stderr) }, args.join(' ')).toEqual({ ...theirs, stdout: ids(theirs.stdout), stderr: ids(theirs.stderr) });
      }
      // Out of the container, a directory: the same tree and content both ways.
      await both(['run', '-d', '--name', 'ocp3', 'busybox', 'sh', '-c', 'mkdir -p /srv/d/sub && echo hi > /srv/d/sub/f && sleep 60']);
      await waitFor('the tree in both containers', async () => ((await both(['exec', 'ocp3', 'cat', '/srv/d/sub/f'])).ours.stdout === 'hi\n' ? true : undefined));
      const theirs = await harness.run('docker', ['cp', 'ocp3:/srv/d', join(work, 'theirs')], { env: { DOCKER_HOST: oracleHost } });
      const ours = await harness.docker(['cp', 'ocp3:/srv/d', join(work, 'ours')]);
      expect(ours).toEqual(theirs);
      const tree = (dir: string) => harness.run('sh', ['-c', `cd '${dir}' && find . | sort && cat sub/f`]);
      expect(await tree(join(work, 'ours'))).toEqual(await tree(join(work, 'theirs')));
      await both(['rm', '-f', 'ocp3']);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('system df: the same table for the same objects', async () => {
    await both(['volume', 'create', 'odf']);
    await both(['create', '--name', 'odf-c', 'busybox', 'true']);
    try {
      const { ours, theirs } = await both(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
      expect(ours).toEqual(theirs);
      const table = await both(['system', 'df']);
      expect(table.ours.exitCode).toBe(table.theirs.exitCode);
      const columns = (text: string) => text.split('\n').filter((line) => line !== '').map((line) => line.split(/\s{2,}/).slice(0, 3).join('|'));
      expect(columns(table.ours.stdout)).toEqual(columns(table.theirs.stdout));
    } finally {
      await both(['rm', '-f', 'odf-c']);
      await both(['volume', 'rm', 'odf']);
    }
  });
});

describe.skipIf(!dockerd)('health checks: the same session against dockerd 20.10 (oracle) and execdriverd', () => {
  interface Health {
    Status: string;
    FailingStreak: number;
    Log: { Start: string; End: string; ExitCode: number; Output: string }[];
  }

  /** State.Health on one daemon (`env` for dockerd). */
  async function health(name: string, env?: Record<string, string>): Promise<Health | null> {
    const result = env ? await harness.run('docker', ['inspect', '-f', '{{json .State.Health}}', name], { env }) : await harness.docker(['inspect', '-f', '{{json .State.Health}}', name]);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as Health | null;
  }

  /** Waits on both daemons until the check says `test`, then gives both States.Health. */
  async function bothWhen(name: string, test: (health: Health) => boolean): Promise<{ ours: Health; theirs: Health }> {
    const when = (env?: Record<string, string>) =>
      waitFor(`${name} on ${env ? 'dockerd' : 'execdriverd'}`, async () => {
        const current = await health(name, env);
        return current && test(current) ? current : undefined;
      }, 60_000);
    const [ours, theirs] = await Promise.all([when(), when({ DOCKER_HOST: oracleHost })]);
    return { ours, theirs };
  }

  /** ps's status, the duration normalized (`Up 3 seconds (healthy)` -> `Up X (healthy)`). */
  async function statusText(name: string): Promise<{ ours: string; theirs: string }> {
    const { ours, theirs } = await both(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']);
    const normalize = (text: string) => text.replace(/^Up .+?( \(|\n)/, 'Up X$1').replace(/\) .+ ago/, ') X ago');
    return { ours: normalize(ours.stdout), theirs: normalize(theirs.stdout) };
  }

  const entry = (log: Health['Log']) => log.map((item) => ({ ExitCode: item.ExitCode, Output: item.Output }));

  it('starting, unhealthy after the retries, healthy after exec touch: Status, FailingStreak, Log, ps status and filters agree', async () => {
    const run = await both(['run', '-d', '--name', 'hc', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-retries', '2', 'busybox', 'sleep', '120']);
    expect([run.ours.exitCode, run.theirs.exitCode]).toEqual([0, 0]);
    await both(['run', '-d', '--name', 'hc-later', '--health-cmd', 'true', '--health-interval', '1h', 'busybox', 'sleep', '120']);
    await both(['run', '-d', '--name', 'hc-none', '--no-healthcheck', 'busybox', 'sleep', '120']);
    try {
      const later = await statusText('hc-later');
      expect(later.ours).toBe(later.theirs);
      expect(later.ours).toBe('Up X (health: starting)\n');
      const starting = await bothWhen('hc-later', () => true);
      expect(starting.ours).toEqual(starting.theirs);
      expect((await both(['inspect', '-f', '{{json .State.Health}}', 'hc-none'])).ours.stdout).toBe('null\n');
      const config = await both(['inspect', '-f', '{{json .Config.Healthcheck}}', 'hc']);
      expect(config.ours).toEqual(config.theirs);

      const unhealthy = await bothWhen('hc', (current) => current.Status === 'unhealthy');
      for (const side of [unhealthy.ours, unhealthy.theirs]) {
        expect(side.FailingStreak).toBeGreaterThanOrEqual(2);
        expect(new Set(entry(side.Log).map((item) => JSON.stringify(item)))).toEqual(new Set([JSON.stringify({ ExitCode: 1, Output: '' })]));
      }
      const unhealthyText = await statusText('hc');
      expect(unhealthyText.ours).toBe(unhealthyText.theirs);

      expect((await both(['exec', 'hc', 'touch', '/tmp/ok'])).ours.exitCode).toBe(0);
      const healthy = await bothWhen('hc', (current) => current.Status === 'healthy');
      expect(healthy.ours.FailingStreak).toBe(healthy.theirs.FailingStreak);
      expect(entry(healthy.ours.Log).at(-1)).toEqual(entry(healthy.theirs.Log).at(-1));
      const healthyText = await statusText('hc');
      expect(healthyText.ours).toBe(healthyText.theirs);
      expect(healthyText.ours).toBe('Up X (healthy)\n');

      // Each probe is journaled as Docker journals it (exec_create, exec_start, exec_die), around health_status.
      const actions = await both(['events', '--since', '10m', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hc', '--format', '{{.Action}}']);
      // (The user's `docker exec touch` is left out: execdriverd's exec route does not journal its exec events yet.)
      const distinct = (text: string) => [...new Set(text.split('\n').filter((line) => line !== '' && !line.endsWith(' touch /tmp/ok')))].sort();
      expect(distinct(actions.ours.stdout)).toEqual(distinct(actions.theirs.stdout));
      expect(distinct(actions.ours.stdout)).toContain('exec_create: /bin/sh -c test -e /tmp/ok');

      for (const filter of ['health=healthy', 'health=starting', 'health=none', 'health=unhealthy', 'health=bogus']) {
        const { ours, theirs } = await both(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']);
        expect(ours, filter).toEqual(theirs);
      }

      await both(['stop', '-t', '1', 'hc']);
      const stopped = await bothWhen('hc', () => true);
      expect(stopped.ours.Status).toBe(stopped.theirs.Status);
      expect(stopped.ours.FailingStreak).toBe(stopped.theirs.FailingStreak);
      expect((await statusText('hc')).ours).toBe((await statusText('hc')).theirs);
    } finally {
      await both(['rm', '-f', 'hc', 'hc-later', 'hc-none']);
    }
  }, 180_000);

  it('pause stops the check, unhealthy until the first probe after the unpause: the same statuses and events', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    await both(['run', '-d', '--name', 'hc-pause', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '120']);
    try {
      await bothWhen('hc-pause', (current) => current.Status === 'healthy');
      expect((await both(['pause', 'hc-pause'])).ours.exitCode).toBe(0);
      const paused = await bothWhen('hc-pause', () => true);
      expect(paused.ours.Status).toBe(paused.theirs.Status);
      expect(paused.ours.Status).toBe('unhealthy');
      const pausedText = await statusText('hc-pause');
      expect(pausedText.ours).toBe(pausedText.theirs);
      expect((await both(['unpause', 'hc-pause'])).ours.exitCode).toBe(0);
      await bothWhen('hc-pause', (current) => current.Status === 'healthy');
      const events = await both(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hc-pause', '--filter', 'event=health_status', '--format', '{{.Action}}']);
      expect(events.ours).toEqual(events.theirs);
      expect(events.ours.stdout).toBe('health_status: healthy\nhealth_status: healthy\n');
    } finally {
      await both(['rm', '-f', 'hc-pause']);
    }
  }, 180_000);

  it('a CMD probe whose program is not there (API body): -1 and the runtime\'s words, as dockerd', async () => {
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '120'], Healthcheck: { Test: ['CMD', 'nosuch'], Interval: 1_000_000_000 } });
    const sockets = [harness.socket, oracleHost.replace(/^unix:\/\//, '')];
    try {
      for (const socket of sockets) {
        const created = await harness.run('curl', ['-sf', '--unix-socket', socket, '-H', 'Content-Type: application/json', '-d', body, 'http://localhost/v1.41/containers/create?name=hc-missing']);
        expect(created.exitCode, created.stderr).toBe(0);
        expect((await harness.run('curl', ['-sf', '--unix-socket', socket, '-X', 'POST', 'http://localhost/v1.41/containers/hc-missing/start'])).exitCode).toBe(0);
      }
      const missing = await bothWhen('hc-missing', (current) => current.Log.length > 0);
      expect(entry(missing.ours.Log)[0]).toEqual(entry(missing.theirs.Log)[0]);
      expect(missing.ours.Log[0]).toMatchObject({ ExitCode: -1, Output: expect.stringContaining('executable file not found in $PATH') });
    } finally {
      await both(['rm', '-f', 'hc-missing']);
    }
  }, 180_000);

  it('a probe past its timeout, and output past 4096 bytes: the same Log entries', async () => {
    await both(['run', '-d', '--name', 'hc-slow', '--health-cmd', 'echo started; sleep 30', '--health-timeout', '1s', '--health-interval', '1s', 'busybox', 'sleep', '120']);
    // One stream only: how a probe's stdout and stderr interleave in Output is not fixed, in dockerd either.
    await both(['run', '-d', '--name', 'hc-loud', '--health-cmd', 'head -c 5000 /dev/zero | tr "\\000" a; exit 3', '--health-interval', '1s', 'busybox', 'sleep', '120']);
    try {
      const slow = await bothWhen('hc-slow', (current) => current.Log.length > 0);
      expect(entry(slow.ours.Log)[0]).toEqual(entry(slow.theirs.Log)[0]);
      expect(slow.ours.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (1s)' });
      const loud = await bothWhen('hc-loud', (current) => current.Log.length > 0);
      expect(entry(loud.ours.Log)[0]).toEqual(entry(loud.theirs.Log)[0]);
      expect(loud.ours.Log[0]!.Output).toBe(`${'a'.repeat(4096)}...`);
    } finally {
      await both(['rm', '-f', 'hc-slow', 'hc-loud']);
    }
  }, 180_000);
});
