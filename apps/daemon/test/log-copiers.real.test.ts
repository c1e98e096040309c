import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, waitFor, type DaemonHarness } from './harness.js';

let harness: DaemonHarness;
let docker: DaemonHarness['docker'];

beforeAll(async () => {
  harness = await startDaemonHarness('logcopy');
  docker = harness.docker;
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

/** A process's parent pid and command line, from /proc; undefined once it is gone. */
function processInfo(pid: number): { ppid: number; comm: string; cmdline: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
    return { ppid, comm, cmdline };
  } catch {
    return undefined;
  }
}

/** The ancestors of a process up to (not including) pid 1. */
function ancestors(pid: number): { pid: number; comm: string; cmdline: string[] }[] {
  const chain: { pid: number; comm: string; cmdline: string[] }[] = [];
  for (let current = processInfo(pid)?.ppid; current !== undefined && current > 1; ) {
    const info = processInfo(current);
    if (!info) break;
    chain.push({ pid: current, comm: info.comm, cmdline: info.cmdline });
    current = info.ppid;
  }
  return chain;
}

/** Every process whose command line names the container (a helper serving it would). */
function processesNaming(id: string): { pid: number; cmdline: string[] }[] {
  const found: { pid: number; cmdline: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = processInfo(Number(entry));
    if (info?.cmdline.some((arg) => arg.includes(id))) found.push({ pid: Number(entry), cmdline: info.cmdline });
  }
  return found;
}

async function inspectField(id: string, format: string): Promise<string> {
  const result = await docker(['inspect', '-f', format, id]);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

describe('non-tty containers of the daemon: output on FIFOs, copied by the daemon (no process of ours per container)', () => {
  it('docker run -d: only the sh shim and runc stand between the container and the daemon; docker logs has its output', async () => {
    const run = await docker(['run', '-d', 'busybox', 'sh', '-c', 'echo a; sleep 2; echo b']);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    const pid = Number(await inspectField(id, '{{.State.Pid}}'));
    expect(pid).toBeGreaterThan(0);
    const chain = ancestors(pid);
    // runc run (the container's parent), the shim (sh -c ... execdriver-shim), then the daemon itself.
    expect(chain[0]?.comm).toBe('runc');
    expect(chain[1]?.comm).toBe('sh');
    expect(chain[1]?.cmdline).toContain('execdriver-shim');
    expect(chain[2]?.pid).toBe(harness.daemon.pid);
    // No other process of ours serves it (no log holder naming it): only the shim and runc name it.
    const naming = processesNaming(id).filter((entry) => entry.pid !== chain[0]!.pid && entry.pid !== chain[1]!.pid);
    expect(naming.filter((entry) => entry.cmdline[0]?.includes('node') || entry.cmdline.some((arg) => arg.startsWith('__')))).toEqual([]);
    // The FIFOs are root-only, in the container's state directory.
    const fifo = join(harness.stateRoot, 'containers', id, 'stdout.fifo');
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(statSync(fifo).mode & 0o777).toBe(0o600);
    expect(await docker(['wait', id])).toEqual({ exitCode: 0, stdout: '0\n', stderr: '' });
    expect(await docker(['logs', id])).toEqual({ exitCode: 0, stdout: 'a\nb\n', stderr: '' });
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('docker run -dit: the terminal is held by script under the shim (no Node process); docker logs and attach see the screen, typed input and resizes reach it', async () => {
    const run = await docker(['run', '-dit', 'busybox', 'sh', '-c', 'echo ready; read line; echo "got $line"; stty size; read more; exit 5']);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    const pid = Number(await inspectField(id, '{{.State.Pid}}'));
    const chain = ancestors(pid);
    // runc run (the container's parent), script(1) holding the host side of the terminal, the shim, the daemon.
    expect(chain.slice(0, 3).map((entry) => entry.comm)).toEqual(['runc', 'script', 'sh']);
    expect(chain[2]?.cmdline).toContain('execdriver-shim');
    expect(chain[3]?.pid).toBe(harness.daemon.pid);
    const naming = processesNaming(id).filter((entry) => !chain.slice(0, 3).some((link) => link.pid === entry.pid));
    expect(naming.filter((entry) => entry.cmdline[0]?.includes('node') || entry.cmdline.some((arg) => arg.startsWith('__')))).toEqual([]);
    expect(statSync(join(harness.stateRoot, 'containers', id, 'stdin.fifo')).mode & 0o777).toBe(0o600);
    await waitFor('the first line in the log', async () => ((await docker(['logs', id])).stdout === 'ready\r\n' ? true : undefined), 20_000);
    // Typed through an attach (docker-py's way: a raw stream on the hijacked socket), resized through the API.
    const pty = await import('@lydell/node-pty');
    const terminal = pty.spawn('docker', ['attach', id], { cols: 70, rows: 20, env: { ...process.env, ...harness.env } as Record<string, string> });
    let screen = '';
    terminal.onData((data) => (screen += data));
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    terminal.write('hello\r');
    await waitFor('the answer on the attached screen', () => (screen.includes('got hello') ? true : undefined), 20_000);
    // docker attach sized the container's terminal as its own window (70x20).
    await waitFor('the size on the screen', () => (/20 70/.test(screen) ? true : undefined), 20_000);
    terminal.write('bye\r');
    expect(await exited).toBe(5);
    expect(await docker(['wait', id])).toEqual({ exitCode: 0, stdout: '5\n', stderr: '' });
    const logs = await docker(['logs', id]);
    expect(logs.stdout).toBe('ready\r\nhello\r\ngot hello\r\n20 70\r\nbye\r\n');
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('output of a container that exits at once, stdout and stderr apart, is all in the log', async () => {
    const run = await docker(['run', '-d', 'busybox', 'sh', '-c', 'seq 1 3000; echo err >&2; printf tail']);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    expect((await docker(['wait', id])).stdout).toBe('0\n');
    const logs = await docker(['logs', id]);
    const expected = `${Array.from({ length: 3000 }, (_, index) => index + 1).join('\n')}\ntail`;
    expect(logs).toEqual({ exitCode: 0, stdout: expected, stderr: 'err\n' });
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('live restore: the daemon SIGKILLed while a container prints; back, the output printed meanwhile is in docker logs, wait has the exit code', async () => {
    const shared = join(harness.base, 'live');
    await mkdir(shared, { recursive: true });
    // Waits for go, prints 2000 lines (about 9 KiB, within the pipe) while the daemon is down, says so, waits for go2, exits 3.
    const script = 'echo before; until [ -e /w/go ]; do sleep 0.05; done; seq 1 2000; echo during >&2; touch /w/printed; until [ -e /w/go2 ]; do sleep 0.05; done; echo after; exit 3';
    const run = await docker(['run', '-d', '--name', 'live', '-v', `${shared}:/w`, 'busybox', 'sh', '-c', script]);
    expect(run.exitCode).toBe(0);
    const id = run.stdout.trim();
    await waitFor('the first line in the log', async () => ((await docker(['logs', id])).stdout === 'before\n' ? true : undefined), 20_000);
    const pid = Number(await inspectField(id, '{{.State.Pid}}'));

    const daemonPid = harness.daemon.pid!;
    const killed = new Promise((resolve) => harness.daemon.once('exit', resolve));
    harness.daemon.kill('SIGKILL');
    await killed;
    await writeFile(join(shared, 'go'), '');
    await waitFor('the container printing while the daemon is down', () => (existsSync(join(shared, 'printed')) ? true : undefined), 20_000);
    // It runs on, its shim no longer the daemon's child.
    expect(processInfo(pid)).toBeDefined();
    expect(ancestors(pid).some((entry) => entry.pid === daemonPid)).toBe(false);

    await harness.restart();
    // Any request but _ping waits for the copiers to resume; the log says when it is done.
    expect((await docker(['inspect', '-f', '{{.State.Running}}', id])).stdout).toBe('true\n');
    await waitFor('the daemon to say it resumed the copier', () => (harness.log().includes(`"msg":"log copier resumed","id":"${id}"`) ? true : undefined));
    await writeFile(join(shared, 'go2'), '');
    expect(await docker(['wait', id])).toEqual({ exitCode: 0, stdout: '3\n', stderr: '' });
    const logs = await docker(['logs', id]);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toBe(`before\n${Array.from({ length: 2000 }, (_, index) => index + 1).join('\n')}\nafter\n`);
    expect(logs.stderr).toBe('during\n');
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('--log-driver none: nothing is written, the FIFOs are drained (a container printing past the pipe buffer ends)', async () => {
    // seq 1 40000 is about 230 KiB: it would block for good if nobody read the FIFO.
    // Created by the CLI on the daemon's roots (the daemon's create maps no LogConfig yet), started by the daemon.
    const created = await harness.cli(['create', '--log-driver', 'none', 'busybox', 'sh', '-c', 'seq 1 40000; exit 4']);
    expect(created.exitCode).toBe(0);
    const id = created.stdout.trim();
    expect(await docker(['start', id])).toEqual({ exitCode: 0, stdout: `${id}\n`, stderr: '' });
    expect((await docker(['wait', id])).stdout).toBe('4\n');
    expect(readdirSync(join(harness.dataRoot, 'containers', id)).filter((file) => file.includes('json.log'))).toEqual([]);
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('--log-opt max-size and max-file: the copier rotates the json-file log', async () => {
    const created = await harness.cli(['create', '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'seq 1 500']);
    expect(created.exitCode).toBe(0);
    const id = created.stdout.trim();
    expect((await docker(['start', id])).exitCode).toBe(0);
    expect((await docker(['wait', id])).stdout).toBe('0\n');
    const dir = join(harness.dataRoot, 'containers', id);
    const files = readdirSync(dir).filter((file) => file.includes('json.log')).sort();
    expect(files).toEqual([`${id}-json.log`, `${id}-json.log.1`]);
    for (const file of files) expect(statSync(join(dir, file)).size).toBeLessThanOrEqual(2048);
    // The last lines are in the current file.
    expect((await docker(['logs', '--tail', '1', id])).stdout).toBe('500\n');
    expect((await docker(['rm', id])).exitCode).toBe(0);
  });

  it('docker logs -f follows to the end; docker rm -f of a printing container leaves nothing', async () => {
    const follow = await docker(['run', '-d', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done']);
    const followId = follow.stdout.trim();
    expect(await docker(['logs', '-f', followId], { timeoutMs: 30_000 })).toEqual({ exitCode: 0, stdout: 'line 1\nline 2\nline 3\n', stderr: '' });
    expect((await docker(['rm', followId])).exitCode).toBe(0);

    const busy = await docker(['run', '-d', 'busybox', 'sh', '-c', 'while true; do echo tick; sleep 0.05; done']);
    const busyId = busy.stdout.trim();
    await waitFor('a tick in the log', async () => ((await docker(['logs', busyId])).stdout.includes('tick') ? true : undefined), 20_000);
    expect((await docker(['rm', '-f', busyId])).exitCode).toBe(0);
    expect(existsSync(join(harness.stateRoot, 'containers', busyId))).toBe(false);
    await waitFor('no process naming the container', () => (processesNaming(busyId).length === 0 ? true : undefined), 20_000);
  });
});
