import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBusyboxRootfs } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, type DaemonHarness, type RunResult } from './harness.js';

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
async function both(args: readonly string[]): Promise<{ ours: RunResult; theirs: RunResult }> {
  const theirs = await harness.run('docker', args, { env: { DOCKER_HOST: oracleHost } });
  const ours = await harness.docker(args);
  return { ours, theirs };
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
});
