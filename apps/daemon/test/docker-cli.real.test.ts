import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, startDaemonHarness, waitFor, type DaemonHarness } from './harness.js';

let harness: DaemonHarness;
let docker: DaemonHarness['docker'];

beforeAll(async () => {
  harness = await startDaemonHarness('docker');
  docker = harness.docker;
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

function head(socketPath: string, path: string): Promise<{ status: number | undefined; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath, path, method: 'HEAD' }, (response) => {
      response.resume();
      resolve({ status: response.statusCode, headers: response.headers });
    });
    request.on('error', reject);
    request.end();
  });
}

/**
 * Runs `command` (an attach) on a pseudo-terminal of `size` and waits until the shell behind it
 * answers (typing `echo at-$((1+1))` until `at-2` comes back): the terminal, its output so far, its exit code.
 */
async function attachedShell(command: string, args: string[], size: { cols: number; rows: number }) {
  const pty = await import('@lydell/node-pty');
  const terminal = pty.spawn(command, args, { ...size, env: { ...process.env, ...harness.env } as Record<string, string> });
  let text = '';
  terminal.onData((data) => (text += data));
  const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
  await waitFor('the attached shell to answer', async () => {
    if (text.includes('at-2')) return true;
    terminal.write('echo at-$((1+1))\r');
    await new Promise((resolve) => setTimeout(resolve, 300));
    return undefined;
  }, 20_000);
  return { terminal, output: () => text, exited };
}

describe('execdriverd driven by the docker CLI 28 (DOCKER_HOST=unix://...)', () => {
  it('serves a private socket 0660 and negotiates API 1.45 (min 1.24)', async () => {
    // How soon it answers is a figure of `pnpm bench` (apps/daemon/bench/daemons.mjs), not a timed test: here it answered at all.
    expect(harness.startupMs).toBeGreaterThan(0);
    expect(statSync(harness.socket).mode & 0o777).toBe(0o660);
    expect(statSync(join(harness.base, 'run')).mode & 0o777).toBe(0o750);
    // Its stderr may reach us after its socket answers: wait for the first line.
    const firstLine = await waitFor('the daemon\'s first log line', () => (harness.log().includes('\n') ? harness.log().split('\n')[0] : undefined));
    expect(firstLine, harness.log().slice(0, 2000)).toMatch(/^\{"time":"[^"]+","level":"(info|warn)","msg":/);
    const version = await docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}}']);
    expect(version.exitCode).toBe(0);
    // The client uses the lower of its own newest version and 1.45 (docker 28: 1.45; Debian's docker 20.10: 1.41).
    expect(version.stdout).toMatch(/^1\.45 1\.24 1\.(45|4[0-4]|[23]\d)\n$/);
    // The components: the engine and the runtime new containers get (runc here: crun refuses hybrid cgroups), with its version.
    expect((await docker(['version', '--format', '{{range .Server.Components}}{{.Name}}={{.Version}} {{end}}'])).stdout).toMatch(/^Engine=\S+ runc=\d+\.\d+\.\d+\S* \n$/);
    const ping = await head(harness.socket, '/_ping');
    expect(ping.status).toBe(200);
    expect(ping.headers['api-version']).toBe('1.45');
    expect((await head(harness.socket, '/v1.12/_ping')).status).toBe(400);
  });

  it('docker run --rm busybox echo hi: the output, exit 0, nothing left', async () => {
    expect(await docker(['run', '--rm', 'busybox', 'echo', 'hi'])).toEqual({ exitCode: 0, stdout: 'hi\n', stderr: '' });
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  });

  it("keeps stdout and stderr apart and returns the container's exit code", async () => {
    const result = await docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(result).toEqual({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('exits 127 for a command not found, with the reason, as dockerd does', async () => {
    const result = await docker(['run', '--rm', 'busybox', 'nosuchcommand']);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toContain('executable file not found in $PATH');
  });

  it('maps Config and HostConfig onto the container: env, workdir, user, read-only root, tmpfs, binds, ulimits, caps, labels', async () => {
    const host = join(harness.base, 'bind');
    await mkdir(host, { mode: 0o777 });
    await chmod(host, 0o777);
    await writeFile(join(host, 'in.txt'), 'from the host\n');
    const script = [
      'echo "env=$GREETING"',
      'echo "pwd=$(pwd)"',
      'echo "uid=$(id -u)"',
      'cat /data/in.txt',
      'echo written > /data/out.txt',
      'touch /rootfile 2>/dev/null && echo root=writable || echo root=readonly',
      'echo ok > /scratch/f && echo tmpfs=writable',
      'echo "nofile=$(ulimit -n)"',
      'grep CapEff /proc/self/status',
    ].join('; ');
    const result = await docker(['run', '--rm', '-e', 'GREETING=hello', '-w', '/data', '-u', '1000', '--read-only', '--tmpfs', '/scratch:size=1m', '-v', `${host}:/data`, '--ulimit', 'nofile=512:1024', '--cap-drop', 'ALL', '--label', 'team=core', 'busybox', 'sh', '-c', script]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(['env=hello', 'pwd=/data', 'uid=1000', 'from the host', 'root=readonly', 'tmpfs=writable', 'nofile=512', 'CapEff:\t0000000000000000', ''].join('\n'));
    expect(existsSync(join(host, 'out.txt'))).toBe(true);
  });

  it('refuses a field that matters and is not done with 400 naming it (docker exits 125)', async () => {
    const links = await docker(['run', '--rm', '--link', 'db:db', 'busybox', 'true']);
    expect(links.exitCode).toBe(125);
    expect(links.stderr).toContain('HostConfig.Links is not supported by execdriverd');
    const volumesFrom = await docker(['run', '-d', '--volumes-from', 'other', 'busybox', 'true']);
    expect(volumesFrom.exitCode).toBe(125);
    expect(volumesFrom.stderr).toContain('HostConfig.VolumesFrom is not supported by execdriverd');
    const logDriver = await docker(['run', '-d', '--log-driver', 'syslog', 'busybox', 'true']);
    expect(logDriver.exitCode).toBe(125);
    expect(logDriver.stderr).toContain("no log driver named 'syslog'");
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  });

  it('run -d, ps, logs, exec, top, stats, inspect, stop, rm', async () => {
    const run = await docker(['run', '-d', '--name', 'web', '-m', '64m', '--stop-signal', 'USR1', 'busybox', 'sh', '-c', 'trap "echo got-usr1; exit 0" USR1; echo started; while true; do sleep 0.1; done']);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await docker(['ps', '--format', '{{.Names}} {{.Image}} {{.State}}'])).stdout).toBe('web busybox running\n');
    await waitFor('the first line of output', async () => ((await docker(['logs', 'web'])).stdout === 'started\n' ? true : undefined));
    const exec = await docker(['exec', 'web', 'sh', '-c', 'echo $((6*7)) > /tmp/answer; cat /tmp/answer; hostname; exit 3']);
    expect(exec).toEqual({ exitCode: 3, stdout: `42\n${id.slice(0, 12)}\n`, stderr: '' });
    expect((await docker(['exec', '-e', 'X=y', '-w', '/tmp', 'web', 'sh', '-c', 'echo $X $(pwd) $(cat answer)'])).stdout).toBe('y /tmp 42\n');
    const missing = await docker(['exec', 'web', 'nosuchcommand']);
    expect(missing.exitCode).toBe(127);
    expect((await docker(['top', 'web'])).stdout).toMatch(/^UID\s+PID\s+PPID/);
    const stats = JSON.parse((await docker(['stats', '--no-stream', '--format', '{{json .}}', 'web'])).stdout) as { Name: string; MemUsage: string; PIDs: string };
    expect(stats.Name).toBe('web');
    expect(stats.MemUsage).toMatch(/ \/ 64MiB$/);
    const inspect = JSON.parse((await docker(['inspect', 'web'])).stdout) as [{ Id: string; State: { Status: string; Running: boolean }; HostConfig: { Memory: number }; Config: { Image: string } }];
    expect(inspect[0]).toMatchObject({ Id: id, State: { Status: 'running', Running: true }, HostConfig: { Memory: 64 * 1024 * 1024 }, Config: { Image: 'busybox' } });
    const removeRunning = await docker(['rm', 'web']);
    expect(removeRunning.exitCode).toBe(1);
    expect(removeRunning.stderr).toContain('You cannot remove a running container');
    // The container's StopSignal (USR1) ends it: its trap runs and it exits 0 long before the timeout.
    const stopped = await docker(['stop', '-t', '20', 'web']);
    expect(stopped).toMatchObject({ exitCode: 0, stdout: 'web\n' });
    expect((await docker(['logs', 'web'])).stdout).toBe('started\ngot-usr1\n');
    expect((await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web'])).stdout).toBe('exited 0\n');
    expect((await docker(['start', 'web'])).exitCode).toBe(0);
    expect((await docker(['kill', 'web'])).exitCode).toBe(0);
    expect((await docker(['wait', 'web'])).stdout).toBe('137\n');
    expect(await docker(['rm', 'web'])).toMatchObject({ exitCode: 0, stdout: 'web\n' });
    const gone = await docker(['logs', 'web']);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toContain('No such container: web');
  });

  it('logs --tail, -f and --timestamps; attach; restart; events', async () => {
    const since = Math.floor(Date.now() / 1000);
    expect((await docker(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo tick$i; done; sleep 4; echo late; sleep 60'])).exitCode).toBe(0);
    await waitFor('five ticks', async () => ((await docker(['logs', 'ticker'])).stdout.includes('tick5') ? true : undefined));
    expect((await docker(['logs', '--tail', '2', 'ticker'])).stdout).toBe('tick4\ntick5\n');
    expect((await docker(['logs', '--timestamps', '--tail', '1', 'ticker'])).stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick5\n$/);
    const followed = harness.docker(['logs', '-f', '--tail', '0', 'ticker'], { timeoutMs: 6000 });
    const attached = harness.docker(['attach', '--no-stdin', 'ticker'], { timeoutMs: 6000 });
    expect((await followed).stdout).toBe('late\n');
    expect((await attached).stdout).toBe('late\n');
    expect((await docker(['restart', '-t', '1', 'ticker'])).exitCode).toBe(0);
    await waitFor('the restarted run', async () => ((await docker(['logs', 'ticker'])).stdout.startsWith('tick1') ? true : undefined));
    expect((await docker(['rm', '-f', 'ticker'])).exitCode).toBe(0);
    const events = await docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=ticker', '--format', '{{.Action}}']);
    const actions = events.stdout.split('\n').filter((line) => line !== '');
    // As dockerd: create, start; restart -t 1 of a shell that ignores TERM: kill (15), kill (9), die,
    // stop, start, restart; rm -f: kill (9), die, destroy.
    expect(actions.slice(0, 2)).toEqual(['create', 'start']);
    expect(actions.at(-1)).toBe('destroy');
    expect([...actions].sort()).toEqual(['create', 'destroy', 'die', 'die', 'kill', 'kill', 'kill', 'restart', 'start', 'start', 'stop']);
  });

  it('-i without -t: piped input reaches the process, its end is EOF (StdinOnce); docker attach writes to a -di container', async () => {
    const piped = await docker(['run', '-i', '--rm', 'busybox', 'sh', '-c', 'wc -l; echo done >&2; exit 3'], { input: 'a\nb\nc\n' });
    expect(piped).toEqual({ exitCode: 3, stdout: '3\n', stderr: 'done\n' });
    // Kept open without an attached client (-d -i, no StdinOnce); an attach's stdin reaches it and, ending, does not close it.
    const id = (await docker(['run', '-di', 'busybox', 'sh', '-c', 'while read line; do echo "got $line"; done; echo closed'])).stdout.trim();
    expect(await docker(['inspect', '-f', '{{.Config.OpenStdin}} {{.Config.StdinOnce}}', id])).toEqual({ exitCode: 0, stdout: 'true false\n', stderr: '' });
    const attach = harness.run('docker', ['attach', id], { input: 'one\n', timeoutMs: 3000 }).catch(() => undefined);
    await waitFor('the attached line in the log', async () => ((await docker(['logs', id])).stdout === 'got one\n' ? true : undefined), 20_000);
    await attach;
    expect((await docker(['inspect', '-f', '{{.State.Running}}', id])).stdout).toBe('true\n');
    expect((await docker(['rm', '-f', id])).exitCode).toBe(0);
  });

  it('start -a runs an exited container again with its output; container prune removes the stopped ones', async () => {
    expect((await docker(['run', '--name', 'again', 'busybox', 'sh', '-c', 'echo run; exit 2'])).exitCode).toBe(2);
    expect(await docker(['start', '-a', 'again'])).toEqual({ exitCode: 2, stdout: 'run\n', stderr: '' });
    expect((await docker(['run', '-d', '--name', 'keeper', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    const pruned = await docker(['container', 'prune', '-f']);
    expect(pruned.exitCode).toBe(0);
    expect(pruned.stdout).toMatch(/^Deleted Containers:\n[0-9a-f]{64}\n/);
    expect((await docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('keeper\n');
    expect((await docker(['rm', '-f', 'keeper'])).exitCode).toBe(0);
  });

  it('pause and unpause a container', async () => {
    expect((await docker(['run', '-d', '--name', 'frozen', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect((await docker(['pause', 'frozen'])).exitCode).toBe(0);
    expect((await docker(['inspect', '-f', '{{.State.Status}}', 'frozen'])).stdout).toBe('paused\n');
    expect((await docker(['unpause', 'frozen'])).exitCode).toBe(0);
    expect((await docker(['rm', '-f', 'frozen'])).exitCode).toBe(0);
  });

  it('imports, tags, lists and removes images with conflicts as Docker has them', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const rootfs = join(harness.base, 'rootfs');
    await mkdir(join(rootfs, 'bin'), { recursive: true });
    const tar = await harness.run('sh', ['-c', `cp /bin/busybox ${rootfs}/bin/busybox && ln -s busybox ${rootfs}/bin/sh && ln -s busybox ${rootfs}/bin/cat && echo imported > ${rootfs}/marker && tar -C ${rootfs} -c . | docker import - mini:1`]);
    expect(tar.exitCode).toBe(0);
    expect(tar.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect((await docker(['tag', 'mini:1', 'mini:latest'])).exitCode).toBe(0);
    expect((await docker(['images', '--format', '{{.Repository}}:{{.Tag}}', 'mini'])).stdout.split('\n').sort()).toEqual(['', 'mini:1', 'mini:latest']);
    expect((await docker(['run', '--rm', 'mini', 'cat', '/marker'])).stdout).toBe('imported\n');
    expect((await docker(['run', '-d', '--name', 'user', 'mini:1', 'sh', '-c', 'sleep 60'])).exitCode).toBe(0);
    const conflict = await docker(['rmi', 'mini:1', 'mini:latest']);
    expect(conflict.stderr).toMatch(/conflict: unable to remove repository reference "mini:latest" \(must force\) - container [0-9a-f]{12} is using its referenced image/);
    expect((await docker(['rm', '-f', 'user'])).exitCode).toBe(0);
    // mini:1 went (the image kept another tag), mini:latest stayed: the image's last tag, of a container's image.
    expect(conflict.stdout).toBe('Untagged: mini:1\n');
    const removed = await docker(['rmi', 'mini:latest']);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toMatch(/^Untagged: mini:latest\nDeleted: sha256:[0-9a-f]{64}\n$/);
    expect((await docker(['image', 'inspect', 'mini:1'])).exitCode).toBe(1);
    // Journaled: docker events (the engine's journal, shared with the CLI) has each image action.
    const events = await docker(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=image', '--format', '{{.Action}}']);
    expect(events.stdout.split('\n').filter((line) => line !== '')).toEqual(['import', 'tag', 'untag', 'untag', 'delete']);
  });

  it('docker run -it through a pseudo-terminal: terminal size, typed input, exit code', async () => {
    const pty = await import('@lydell/node-pty');
    const terminal = pty.spawn('docker', ['run', '-it', '--rm', 'busybox', 'sh', '-c', 'stty size; read line; echo "got:$line"; exit 3'], { cols: 100, rows: 30, env: { ...process.env, ...harness.env } as Record<string, string> });
    let output = '';
    terminal.onData((data) => (output += data));
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    await waitFor('stty size', () => (output.includes('30 100') ? true : undefined));
    terminal.write('hello\r');
    expect(await exited).toBe(3);
    expect(output).toContain('got:hello');
    // The console holder removes the --rm container right after its exit (the CLI may return first).
    await waitFor('the --rm container to go', async () => ((await docker(['ps', '-aq'])).stdout === '' ? true : undefined), 15_000).catch(() => undefined);
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  });

  it('resizes the terminal of docker run -it and docker exec -it when the window changes', async () => {
    const pty = await import('@lydell/node-pty');
    const env = { ...process.env, ...harness.env } as Record<string, string>;
    const session = async (args: string[]) => {
      const terminal = pty.spawn('docker', args, { cols: 80, rows: 24, env });
      let output = '';
      terminal.onData((data) => (output += data));
      const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
      await waitFor('the first size', () => (output.includes('24 80') ? true : undefined));
      // The docker CLI watches SIGWINCH only once its start request returned: a resize before is not sent (dockerd alike).
      await new Promise((resolve) => setTimeout(resolve, 500));
      terminal.resize(120, 40);
      await new Promise((resolve) => setTimeout(resolve, 500));
      terminal.write('go\r');
      expect(await exited).toBe(0);
      return output;
    };
    expect(await session(['run', '-it', '--rm', '--name', 'sized', 'busybox', 'sh', '-c', 'stty size; read x; stty size'])).toContain('40 120');
    expect((await docker(['run', '-d', '--name', 'host', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect(await session(['exec', '-it', 'host', 'sh', '-c', 'stty size; read x; stty size; tty'])).toMatch(/40 120\r\n\/dev\/pts\/\d+/);
    expect((await docker(['rm', '-f', 'host'])).exitCode).toBe(0);
  });

  it('shares state with the execdriver CLI, both ways', async () => {
    expect((await harness.cli(['run', '-d', '--name', 'fromcli', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect((await docker(['ps', '--format', '{{.Names}}'])).stdout).toContain('fromcli\n');
    expect((await docker(['exec', 'fromcli', 'echo', 'reached'])).stdout).toBe('reached\n');
    expect((await docker(['run', '-d', '--name', 'fromdaemon', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect((await harness.cli(['ps', '--format', '{{.Names}}'])).stdout.split('\n').sort()).toEqual(['', 'fromcli', 'fromdaemon']);
    expect((await harness.cli(['exec', 'fromdaemon', 'echo', 'reached too'])).stdout).toBe('reached too\n');
    expect((await harness.cli(['rm', '-f', 'fromdaemon'])).exitCode).toBe(0);
    expect((await docker(['rm', '-f', 'fromcli'])).exitCode).toBe(0);
    expect((await docker(['ps', '-aq'])).stdout).toBe('');
  });

  it('the execdriver CLI attaches to a tty container of the daemon: its screen, typed input, its window size, the exit code', async () => {
    expect((await docker(['run', '-dit', '--name', 'clitty', 'busybox', 'sh'])).exitCode).toBe(0);
    const { terminal, output, exited } = await attachedShell(process.execPath, ['--', cliPath, 'attach', 'clitty'], { cols: 90, rows: 25 });
    terminal.write('stty size\r');
    await waitFor('the CLI window size in the container', () => (output().includes('25 90') ? true : undefined));
    // Keys echo before Enter (a partial line of the screen reaches the attached CLI at once).
    terminal.write('echo partial-lin');
    await waitFor('the echo of a line not ended yet', () => (output().includes('echo partial-lin') ? true : undefined));
    terminal.write('e\r');
    await waitFor('the line once ended', () => (/\npartial-line\r*\n/.test(output()) ? true : undefined));
    terminal.write('exit 4\r');
    expect(await exited).toBe(4);
    expect(await docker(['wait', 'clitty'])).toEqual({ exitCode: 0, stdout: '4\n', stderr: '' });
    expect((await docker(['rm', 'clitty'])).exitCode).toBe(0);
  });

  it('survives kill -9: a tty container keeps its terminal (exec, attach), a container that exited meanwhile has its exit code', async () => {
    expect((await docker(['run', '-dit', '--name', 'ttybox', 'busybox', 'sh'])).exitCode).toBe(0);
    expect((await docker(['run', '-d', '--name', 'ender', 'busybox', 'sh', '-c', 'until [ -e /tmp/go ]; do sleep 0.1; done; exit 7'])).exitCode).toBe(0);
    const killed = new Promise((resolve) => harness.daemon.once('exit', resolve));
    harness.daemon.kill('SIGKILL');
    await killed;
    // While the daemon is down: the CLI (same state) makes one container exit.
    expect((await harness.cli(['exec', 'ender', 'touch', '/tmp/go'])).exitCode).toBe(0);
    await waitFor('ender to exit while the daemon is down', async () => ((await harness.cli(['ps', '-a', '--filter', 'name=ender', '--format', '{{.State}}'])).stdout === 'exited\n' ? true : undefined), 20_000);
    expect((await harness.cli(['ps', '--format', '{{.Names}}'])).stdout).toBe('ttybox\n');

    await harness.restart();
    expect((await docker(['ps', '--format', '{{.Names}}'])).stdout).toBe('ttybox\n');
    expect(await docker(['wait', 'ender'])).toEqual({ exitCode: 0, stdout: '7\n', stderr: '' });
    expect((await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'ender'])).stdout).toBe('exited 7\n');
    expect((await docker(['exec', 'ttybox', 'echo', 'alive'])).stdout).toBe('alive\n');
    // docker attach to the tty container: what is typed reaches its shell, its output comes back.
    const { terminal, exited } = await attachedShell('docker', ['attach', 'ttybox'], { cols: 80, rows: 24 });
    terminal.write('exit 4\r');
    expect(await exited).toBe(4);
    expect(await docker(['wait', 'ttybox'])).toEqual({ exitCode: 0, stdout: '4\n', stderr: '' });
    expect((await docker(['rm', 'ttybox', 'ender'])).exitCode).toBe(0);
  });

  it('stops cleanly on SIGTERM, leaving containers running; a new daemon serves them', async () => {
    expect((await docker(['run', '-d', '--name', 'survivor', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect(await harness.stop()).toBe(0);
    expect(existsSync(harness.socket)).toBe(false);
    expect(harness.log()).toContain('"msg":"execdriverd stopped; containers keep running"');
    expect((await harness.cli(['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('survivor running\n');
    await harness.restart();
    expect((await docker(['exec', 'survivor', 'echo', 'still here'])).stdout).toBe('still here\n');
    expect((await docker(['rm', '-f', 'survivor'])).exitCode).toBe(0);
  });
});
