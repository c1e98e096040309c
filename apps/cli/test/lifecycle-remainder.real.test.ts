// The rest of Docker's lifecycle (issue 12): AutoRemove on start, start -a of a tty container,
// inspect under --init, the oom event, restart policies after a reboot, logs --details.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];

async function ok(args: readonly string[]): Promise<string> {
  const result = await cli(args);
  expect(result, args.join(' ')).toMatchObject({ exitCode: 0 });
  return result.stdout.trim();
}

async function exists(reference: string): Promise<boolean> {
  return (await cli(['inspect', reference])).exitCode === 0;
}

beforeAll(async () => {
  harness = await createHarness('remainder');
  cli = harness.cli;
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

describe('create --rm, then start (Docker AutoRemove)', () => {
  it('start -a removes it once it exited, with its anonymous volume', async () => {
    const before = await ok(['volume', 'ls', '-q']);
    await ok(['create', '--rm', '--name', 'rm-attached', '-v', '/anon', 'busybox', 'sh', '-c', 'echo bye; exit 4']);
    const volume = (await ok(['volume', 'ls', '-q'])).split('\n').find((name) => !before.includes(name))!;
    expect(volume).toMatch(/^[0-9a-f]{64}$/);
    expect(await cli(['start', '-a', 'rm-attached'])).toEqual({ exitCode: 4, stdout: 'bye\n', stderr: '' });
    expect(await exists('rm-attached')).toBe(false);
    expect(await ok(['volume', 'ls', '-q'])).not.toContain(volume);
  });

  it('start (detached) removes it once it exited', async () => {
    await ok(['create', '--rm', '--name', 'rm-detached', 'busybox', 'sleep', '1']);
    await ok(['start', 'rm-detached']);
    expect(await exists('rm-detached')).toBe(true);
    await waitFor('the removal of rm-detached', async () => ((await exists('rm-detached')) ? undefined : true), 15_000);
  });

  it('start of a tty container (detached) removes it too', async () => {
    await ok(['create', '--rm', '-t', '--name', 'rm-tty', 'busybox', 'sleep', '1']);
    await ok(['start', 'rm-tty']);
    await waitFor('the removal of rm-tty', async () => ((await exists('rm-tty')) ? undefined : true), 15_000);
  });
});

describe('start -a of a tty container', () => {
  it('attaches to its terminal: the output, the exit code', async () => {
    await ok(['create', '-t', '--name', 'tty-attach', 'busybox', 'sh', '-c', 'echo "on $(tty)"; exit 5']);
    const result = await cli(['start', '-a', 'tty-attach']);
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toMatch(/^on \/dev\/pts\/\d+\r?\n$/);
    expect(await ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'tty-attach'])).toBe('exited 5');
    // Again: the same container starts and attaches a second time.
    expect((await cli(['start', '-a', 'tty-attach'])).exitCode).toBe(5);
    expect((await cli(['start', '-a', '-i', 'tty-attach'])).stderr).toContain('the input device is not a TTY');
    await ok(['rm', 'tty-attach']);
  });

  it('with --rm: removed after it exited', async () => {
    await ok(['create', '--rm', '-t', '--name', 'tty-rm', 'busybox', 'sh', '-c', 'echo x']);
    expect((await cli(['start', '-a', 'tty-rm'])).exitCode).toBe(0);
    await waitFor('the removal of tty-rm', async () => ((await exists('tty-rm')) ? undefined : true), 15_000);
  });
});

describe('inspect under --init', () => {
  it('Path and Args are the user command, not the init', async () => {
    await ok(['create', '--init', '--name', 'with-init', 'busybox', 'sleep', '30']);
    expect(await ok(['inspect', '-f', '{{.Path}} {{json .Args}} {{.HostConfig.Init}}', 'with-init'])).toBe('sleep ["30"] true');
    expect(await ok(['ps', '-a', '--filter', 'name=with-init', '--format', '{{.Command}}'])).toBe('"sleep 30"');
    await ok(['rm', 'with-init']);
  });
});

describe('oom', () => {
  it('journals oom then die 137, and inspect says OOMKilled', async () => {
    const since = String(Date.now() / 1000);
    const result = await cli(['run', '--name', 'hog', '-m', '16m', '--memory-swap', '16m', 'busybox', 'sh', '-c', 'head -c 200m /dev/zero | tail']);
    expect(result.exitCode).toBe(137);
    expect(await ok(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hog'])).toBe('true 137');
    const events = (await ok(['events', '--since', since, '--until', String(Date.now() / 1000 + 1), '--filter', 'container=hog', '--format', 'json']))
      .split('\n')
      .map((line) => JSON.parse(line) as { Action: string; Actor: { Attributes: Record<string, string> } });
    const actions = events.map((event) => event.Action);
    expect(actions.indexOf('oom')).toBeGreaterThan(-1);
    expect(actions.indexOf('die')).toBeGreaterThan(actions.indexOf('oom'));
    expect(events.find((event) => event.Action === 'die')!.Actor.Attributes.exitCode).toBe('137');
    await ok(['rm', 'hog']);
  });
});

describe('restart policies after a reboot', () => {
  it('restarts always containers the next command lists; leaves a stopped unless-stopped one stopped', async () => {
    const always = await ok(['run', '-d', '--name', 'boot-always', '--restart', 'always', 'busybox', 'sleep', '1000']);
    const unless = await ok(['run', '-d', '--name', 'boot-unless', '--restart', 'unless-stopped', 'busybox', 'sleep', '1000']);
    await ok(['stop', '-t', '1', 'boot-unless']);
    const firstPid = await ok(['inspect', '-f', '{{.State.Pid}}', 'boot-always']);
    // The reboot: monitors and container processes gone, /run (the driver's state, runc's) empty, layers unmounted.
    for (const id of [always, unless]) {
      const pidFile = join(harness.stateRoot, 'monitors', `${id}.pid`);
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split(' ')[0]), 'SIGKILL');
      } catch {
        // No monitor (the stopped one).
      }
      await rm(pidFile, { force: true });
      try {
        execFileSync('runc', ['--root', join(harness.stateRoot, 'runc'), 'delete', '-f', id], { stdio: 'ignore' });
      } catch {
        // Not running.
      }
      await rm(join(harness.stateRoot, 'containers', id), { recursive: true, force: true });
      try {
        execFileSync('umount', [join(harness.dataRoot, 'containers', id, 'rootfs')], { stdio: 'ignore' });
      } catch {
        // Not mounted.
      }
    }
    await writeFile(join(harness.dataRoot, 'engine-boot'), 'another-boot\n');
    const listed = await ok(['ps', '--format', '{{.Names}} {{.State}}']);
    expect(listed).toContain('boot-always running');
    expect(listed).not.toContain('boot-unless');
    expect(await ok(['inspect', '-f', '{{.State.Status}}', 'boot-unless'])).toBe('exited');
    expect(await ok(['inspect', '-f', '{{.State.Pid}}', 'boot-always'])).not.toBe(firstPid);
    await ok(['rm', '-f', 'boot-always', 'boot-unless']);
  });
});

describe('logs --details', () => {
  it('prints the attributes named by --log-opt labels= and env= before each line', async () => {
    await ok(['run', '--name', 'logged', '--label', 'a=1', '--label', 'b=two words', '--label', 'c=3', '-e', 'A=x', '-e', 'B=y', '--log-opt', 'labels=a,b', '--log-opt', 'env=B,MISSING', 'busybox', 'sh', '-c', 'echo one; echo two >&2']);
    expect(await cli(['logs', '--details', 'logged'])).toEqual({ exitCode: 0, stdout: 'B=y,a=1,b=two+words one\n', stderr: 'B=y,a=1,b=two+words two\n' });
    const line = JSON.parse(readFileSync(join(harness.dataRoot, 'containers', await ok(['inspect', '-f', '{{.Id}}', 'logged']), `${await ok(['inspect', '-f', '{{.Id}}', 'logged'])}-json.log`), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(['log', 'stream', 'attrs', 'time']);
    expect(line.attrs).toEqual({ a: '1', b: 'two words', B: 'y' });
    // Without attributes Docker still puts the separating space.
    await ok(['run', '--name', 'plainlog', 'busybox', 'echo', 'plain']);
    expect((await cli(['logs', '--details', 'plainlog'])).stdout).toBe(' plain\n');
    await ok(['rm', 'logged', 'plainlog']);
  });
});

describe('leaks', () => {
  it('leaves nothing behind', async () => {
    expect(harness.leftovers()).toEqual([]);
  });
});
