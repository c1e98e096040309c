import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBusyboxRootfs } from '@execdriver/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, waitFor, type DaemonHarness, type RunResult } from './harness.js';

/**
 * What `docker run`/`docker create` ask of HostConfig and Config beyond the basics, through the
 * docker CLI against execdriverd: bridge and user networks, published ports, DNS and extra hosts,
 * volumes, restart policies (run by the daemon itself), --init, log drivers, stop timeouts. Where
 * Docker's behaviour is claimed, the same session runs against a real dockerd (oracle; it runs
 * with --bridge=none, so networking is checked against Docker's documented shapes only).
 */
const dockerd = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((path) => existsSync(path));

let harness: DaemonHarness;
let docker: DaemonHarness['docker'];
let oracleBase: string;
let oracle: ChildProcess | undefined;
let oracleHost: string;
/** Ids of this file's containers (and their names), for the iptables census. */
const ids = new Map<string, string>();

async function startOracle(): Promise<void> {
  oracleBase = await mkdtemp(join(tmpdir(), 'execdriverd-create-oracle-'));
  const socket = join(oracleBase, 'd.sock');
  oracleHost = `unix://${socket}`;
  oracle = spawn(dockerd!, ['--iptables=false', '--ip6tables=false', '--bridge=none', '-H', oracleHost, '--data-root', join(oracleBase, 'data'), '--exec-root', join(oracleBase, 'exec'), '--pidfile', join(oracleBase, 'pid')], { stdio: 'ignore' });
  await waitFor('dockerd socket', () => (existsSync(socket) ? true : undefined), 30_000);
  const rootfs = await createBusyboxRootfs(join(oracleBase, 'rootfs'));
  const imported = await harness.run('sh', ['-c', `tar -C '${rootfs}' -c . | docker import - busybox:latest`], { env: { DOCKER_HOST: oracleHost } });
  if (imported.exitCode !== 0) throw new Error(`cannot import busybox into dockerd: ${imported.stderr}`);
}

function theirs(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<RunResult> {
  return harness.run('docker', args, { env: { DOCKER_HOST: oracleHost }, ...options });
}

/** The same docker command against both daemons. */
async function both(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<{ ours: RunResult; theirs: RunResult }> {
  const [oursResult, theirsResult] = await Promise.all([docker(args, options), theirs(args, options)]);
  return { ours: oursResult, theirs: theirsResult };
}

/** iptables rules naming one of this file's containers (the CNI plugins comment each rule with the container id). */
function ourRules(): string[] {
  const text = execFileSync('iptables-save', { encoding: 'utf8' });
  return text.split('\n').flatMap((line) => [...ids].filter(([id]) => line.includes(id)).map(([, name]) => `${name}: ${line}`));
}

function veths(): string[] {
  try {
    return execFileSync('ip', ['-o', 'link', 'show', 'master', harness.bridge], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

async function runDetached(run: (args: readonly string[]) => Promise<RunResult>, args: readonly string[]): Promise<string> {
  const result = await run(['run', '-d', ...args]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  const id = result.stdout.trim();
  ids.set(id, args[args.indexOf('--name') + 1] ?? id);
  return id;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** What a TCP server at 127.0.0.1:port says, or undefined when nothing answers (yet). */
function readFrom(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data === '' ? undefined : data);
    });
    socket.end();
  });
}

async function inspect(run: (args: readonly string[]) => Promise<RunResult>, name: string, format: string): Promise<string> {
  const result = await run(['inspect', '-f', format, name]);
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

/** Polls `docker inspect` on one daemon until the format gives `expected`; returns what it gave last. */
async function untilInspect(run: (args: readonly string[]) => Promise<RunResult>, name: string, format: string, expected: string, timeoutMs = 30_000): Promise<string> {
  let last = '';
  try {
    await waitFor(`${name}: ${format} = ${expected}`, async () => ((last = await inspect(run, name, format)) === expected ? true : undefined), timeoutMs);
  } catch {
    // The caller's expect shows what it was.
  }
  return last;
}

/** Watches the container for `ms`: every state it showed (a restart it should not make would show `running` or `restarting`). */
async function statesDuring(run: (args: readonly string[]) => Promise<RunResult>, name: string, ms: number): Promise<Set<string>> {
  const seen = new Set<string>();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    seen.add(await inspect(run, name, '{{.State.Status}} {{.RestartCount}}'));
    await sleep(200);
  }
  return seen;
}

beforeAll(async () => {
  harness = await startDaemonHarness('create');
  docker = harness.docker;
  if (dockerd) await startOracle();
}, 120_000);

// A failed test leaves its containers; the next one must not inherit them.
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail') return;
  // What the daemon did, for the report of the failure.
  console.error(harness.log().split('\n').slice(-80).join('\n'));
  await harness.run('sh', ['-c', 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids']);
  if (oracle) await harness.run('sh', ['-c', 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids'], { env: { DOCKER_HOST: oracleHost } });
}, 60_000);

afterAll(async () => {
  if (oracle) {
    await harness.run('sh', ['-c', 'ids=$(docker ps -aq); [ -z "$ids" ] || docker rm -f $ids'], { env: { DOCKER_HOST: oracleHost } });
    const exited = new Promise((resolve) => oracle!.once('exit', resolve));
    oracle.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    await rm(oracleBase, { recursive: true, force: true }).catch(() => undefined);
  }
  if (!harness) return;
  expect(await harness.cleanup()).toEqual([]);
  // The leak census: no rule of any container of this file, no veth, namespace, attachment or leased address, no bridge.
  expect(ourRules()).toEqual([]);
  expect(harness.networkLeftovers()).toEqual([]);
  expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(harness.bridge);
}, 90_000);

describe('networking through the docker CLI', () => {
  it('docker run puts the container on the default bridge: an address on eth0, a default route', async () => {
    const result = await docker(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; ip route | grep default']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+: eth0\s+inet (\d+\.\d+\.\d+\.\d+)\/\d+ /);
    expect(result.stdout).toMatch(/^default via \d+\.\d+\.\d+\.\d+ dev eth0/m);
    expect(veths()).toEqual([]);
    expect(harness.networkLeftovers()).toEqual([]);
  });

  it('-p 127.0.0.1:PORT:80 answers on the host port; docker port, ps PORTS, inspect NetworkSettings; nothing left after rm -f', async () => {
    const port = await freePort();
    const id = await runDetached(docker, ['--name', 'web', '-p', `127.0.0.1:${port}:80`, '--expose', '81', 'busybox', 'sh', '-c', 'while true; do echo hi | nc -l -p 80; done']);
    expect(await waitFor(`an answer on 127.0.0.1:${port}`, () => readFrom(port), 20_000)).toBe('hi\n');
    expect(await docker(['port', 'web'])).toEqual({ exitCode: 0, stdout: `80/tcp -> 127.0.0.1:${port}\n`, stderr: '' });
    expect(await docker(['port', 'web', '80'])).toEqual({ exitCode: 0, stdout: `127.0.0.1:${port}\n`, stderr: '' });
    // The docker CLI orders the PORTS column itself (unpublished ports first).
    expect((await docker(['ps', '--format', '{{.Names}} {{.Ports}} {{.Networks}}'])).stdout).toBe(`web 81/tcp, 127.0.0.1:${port}->80/tcp bridge\n`);
    const settings = JSON.parse(await inspect(docker, 'web', '{{json .NetworkSettings}}')) as { Ports: unknown; IPAddress: string; Networks: Record<string, { IPAddress: string; Gateway: string }> };
    expect(settings.Ports).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }], '81/tcp': null });
    expect(settings.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(settings.Networks.bridge!.IPAddress).toBe(settings.IPAddress);
    expect(await inspect(docker, 'web', '{{.HostConfig.NetworkMode}} {{json .HostConfig.PortBindings}}')).toBe(`bridge {"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"${port}"}]}`);
    expect(veths()).toHaveLength(1);
    expect(ourRules().some((line) => line.includes(id))).toBe(true);
    expect((await docker(['rm', '-f', 'web'])).exitCode).toBe(0);
    expect(veths()).toEqual([]);
    expect(ourRules()).toEqual([]);
    expect(harness.networkLeftovers()).toEqual([]);
  }, 60_000);

  it('rm -f of a stopped and a running container together leaves no rule, veth or namespace behind', async () => {
    await runDetached(docker, ['--name', 'pair-a', 'busybox', 'sleep', '600']);
    await runDetached(docker, ['--name', 'pair-b', 'busybox', 'sleep', '600']);
    expect((await docker(['stop', '-t', '0', 'pair-a'])).exitCode).toBe(0);
    expect(await docker(['rm', '-f', 'pair-a', 'pair-b'], { timeoutMs: 90_000 })).toEqual({ exitCode: 0, stdout: 'pair-a\npair-b\n', stderr: '' });
    expect(await waitFor('the rules of pair-b to go', () => (ourRules().length === 0 ? true : undefined), 20_000).catch(() => ourRules())).toBe(true);
    expect(veths()).toEqual([]);
    expect(harness.networkLeftovers()).toEqual([]);
  }, 90_000);

  it('-P publishes the exposed ports on free host ports', async () => {
    await runDetached(docker, ['--name', 'all', '-P', '--expose', '80', 'busybox', 'sh', '-c', 'while true; do echo all | nc -l -p 80; done']);
    const mapping = await docker(['port', 'all', '80/tcp']);
    expect(mapping.exitCode).toBe(0);
    const port = Number(/:(\d+)$/m.exec(mapping.stdout)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await waitFor(`an answer on port ${port}`, () => readFrom(port), 20_000)).toBe('all\n');
    expect((await docker(['rm', '-f', 'all'])).exitCode).toBe(0);
  }, 60_000);

  it('--add-host, --dns, --dns-search, --dns-option reach /etc/hosts and /etc/resolv.conf', async () => {
    const result = await docker(['run', '--rm', '--add-host', 'db:10.1.2.3', '--dns', '9.9.9.9', '--dns-search', 'example.com', '--dns-option', 'ndots:2', 'busybox', 'sh', '-c', 'cat /etc/hosts /etc/resolv.conf']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^10\.1\.2\.3\s+db$/m);
    expect(result.stdout).toMatch(/^nameserver 9\.9\.9\.9$/m);
    expect(result.stdout).toMatch(/^search example\.com$/m);
    expect(result.stdout).toMatch(/^options ndots:2$/m);
  });

  it('a user network made with the CLI: docker run --network NAME --network-alias x, resolvable and reachable by a peer', async () => {
    const created = await harness.cli(['network', 'create', 'front']);
    expect(created.stderr).toBe('');
    expect(created.exitCode).toBe(0);
    try {
      await runDetached(docker, ['--name', 'srv', '--network', 'front', '--network-alias', 'x', 'busybox', 'sh', '-c', 'while true; do echo pong | nc -l -p 80; done']);
      const networks = JSON.parse(await inspect(docker, 'srv', '{{json .NetworkSettings.Networks}}')) as Record<string, { Aliases: string[]; IPAddress: string }>;
      expect(Object.keys(networks)).toEqual(['front']);
      expect(networks.front!.Aliases).toContain('x');
      expect(await inspect(docker, 'srv', '{{.HostConfig.NetworkMode}}')).toBe('front');
      const answer = await waitFor(
        'the peer reaching x:80',
        async () => {
          const result = await docker(['run', '--rm', '--network', 'front', 'busybox', 'sh', '-c', 'ping -c 1 -W 2 x >/dev/null && echo resolved; nc x 80 </dev/null']);
          return result.exitCode === 0 && result.stdout.includes('pong') ? result.stdout : undefined;
        },
        30_000,
      );
      expect(answer).toBe('resolved\npong\n');
      const aliasOnBridge = await docker(['run', '--rm', '--network', 'bridge', '--network-alias', 'y', 'busybox', 'true']);
      expect(aliasOnBridge.exitCode).toBe(125);
      expect(aliasOnBridge.stderr).toContain('network-scoped alias');
      const unknown = await docker(['run', '--rm', '--network', 'nosuch', 'busybox', 'true']);
      expect(unknown.exitCode).toBe(125);
      expect(unknown.stderr).toContain('network nosuch not found');
      expect(unknown.stderr).not.toContain('Unable to find image');
    } finally {
      await docker(['rm', '-f', 'srv']);
      await harness.cli(['network', 'rm', 'front']);
    }
  }, 90_000);

  it('--link stays refused with the reason', async () => {
    const result = await docker(['run', '--rm', '--link', 'other:db', 'busybox', 'true']);
    expect(result.exitCode).toBe(125);
    expect(result.stderr).toContain('HostConfig.Links is not supported by execdriverd');
  });
});

describe('volumes through the docker CLI', () => {
  it('-v name:/path is shared between containers, --mount type=volume,readonly, -v /anon is removed by rm -v, the named one stays', async () => {
    expect(await docker(['run', '--rm', '-v', 'data:/data', 'busybox', 'sh', '-c', 'echo hello > /data/f'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await docker(['run', '--rm', '-v', 'data:/data:ro', 'busybox', 'cat', '/data/f'])).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
    const readonly = await docker(['run', '--rm', '--mount', 'type=volume,source=data,target=/d,readonly', 'busybox', 'sh', '-c', 'cat /d/f; touch /d/x 2>/dev/null || echo read-only']);
    expect(readonly).toEqual({ exitCode: 0, stdout: 'hello\nread-only\n', stderr: '' });
    const created = await docker(['create', '--name', 'anon', '-v', '/anon', '-v', 'data:/data', 'busybox', 'true']);
    expect(created.exitCode).toBe(0);
    const volumes = async () => (await harness.cli(['volume', 'ls', '-q'])).stdout.split('\n').filter((name) => name !== '').sort();
    const listed = await volumes();
    expect(listed).toHaveLength(2);
    expect(listed).toContain('data');
    expect(await docker(['rm', '-v', 'anon'])).toEqual({ exitCode: 0, stdout: 'anon\n', stderr: '' });
    expect(await volumes()).toEqual(['data']);
    expect((await harness.cli(['volume', 'rm', 'data'])).exitCode).toBe(0);
  }, 60_000);
});

describe.skipIf(!dockerd)('lifecycle settings against dockerd (oracle) and execdriverd', () => {
  it('--restart on-failure:2 of a command that exits 3: RestartCount 2, exit 3, as dockerd', async () => {
    await Promise.all([runDetached(docker, ['--name', 'of', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']), runDetached(theirs, ['--name', 'of', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3'])]);
    const [ours, reference] = await Promise.all([untilInspect(docker, 'of', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', 'exited 2 3'), untilInspect(theirs, 'of', '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}', 'exited 2 3')]);
    expect(reference).toBe('exited 2 3');
    expect(ours).toBe(reference);
    const policy = await both(['inspect', '-f', '{{json .HostConfig.RestartPolicy}}', 'of']);
    expect(policy.ours).toEqual(policy.theirs);
    // No Node process per container: the daemon restarted it itself.
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toMatch(/__monitor/);
    await both(['rm', '-f', 'of']);
  }, 90_000);

  it('--restart always: restarted after it exits; docker kill and docker stop end it, as dockerd; docker restart counts from 0', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    for (const run of [docker, theirs]) await runDetached(run, ['--name', 'al', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 1']);
    const [ours, reference] = await Promise.all([untilInspect(docker, 'al', '{{.RestartCount}}', '2'), untilInspect(theirs, 'al', '{{.RestartCount}}', '2')]);
    expect([ours, reference]).toEqual(['2', '2']);
    // A restart the user did not ask for is not a `restart` event: dockerd journals die and start.
    const stopped = await both(['stop', 'al'], { timeoutMs: 60_000 });
    expect(stopped.ours).toEqual(stopped.theirs);
    const afterStop = await Promise.all([statesDuring(docker, 'al', 2500), statesDuring(theirs, 'al', 2500)]);
    expect([...afterStop[0]].map((state) => state.split(' ')[0])).toEqual(['exited']);
    expect([...afterStop[1]].map((state) => state.split(' ')[0])).toEqual(['exited']);

    for (const run of [docker, theirs]) await runDetached(run, ['--name', 'killed', '--restart', 'always', 'busybox', 'sleep', '600']);
    const killed = await both(['kill', 'killed']);
    expect(killed.ours).toEqual(killed.theirs);
    const afterKill = await Promise.all([statesDuring(docker, 'killed', 2500), statesDuring(theirs, 'killed', 2500)]);
    expect([...afterKill[0]]).toEqual([...afterKill[1]]);
    expect([...afterKill[1]]).toEqual(['exited 0']);

    const restarted = await both(['restart', '-t', '1', 'killed'], { timeoutMs: 60_000 });
    expect(restarted.ours).toEqual(restarted.theirs);
    const state = await both(['inspect', '-f', '{{.State.Status}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}', 'killed']);
    expect(state.ours).toEqual(state.theirs);
    expect(state.ours.stdout).toBe('running 0 always\n');
    const journal = await harness.cli(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=killed', '--format', 'json']);
    expect(journal.stderr).toBe('');
    const actions = journal.stdout.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { Action: string }).Action);
    expect(actions.slice(-2)).toEqual(['start', 'restart']);
    await both(['rm', '-f', 'al', 'killed']);
  }, 120_000);

  it('--init: docker-init is pid 1, as with dockerd', async () => {
    const { ours, theirs: reference } = await both(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,comm']);
    expect(reference.exitCode).toBe(0);
    expect(reference.stdout).toMatch(/^\s*1 docker-init$/m);
    // The pid of the command under the init is the runtime's business (dockerd's shim takes a few): the rest agrees.
    const shape = (result: RunResult) => ({ ...result, stdout: result.stdout.replace(/^(\s*)(?!1 )\d+ /gm, '$1N ') });
    expect(shape(ours)).toEqual(shape(reference));
    const created = await Promise.all([docker(['create', '--init', '--name', 'withinit', 'busybox', 'true']), theirs(['create', '--init', '--name', 'withinit', 'busybox', 'true'])]);
    expect(created.map((result) => result.exitCode)).toEqual([0, 0]);
    const init = await both(['inspect', '-f', '{{.HostConfig.Init}}', 'withinit']);
    expect(init.ours).toEqual(init.theirs);
    await both(['rm', 'withinit']);
  }, 60_000);

  it('--log-driver none: docker logs fails as with dockerd; json-file max-size/max-file rotate and keep the last lines', async () => {
    for (const run of [docker, theirs]) await runDetached(run, ['--name', 'nolog', '--log-driver', 'none', 'busybox', 'echo', 'hi']);
    const logs = await both(['logs', 'nolog']);
    expect(logs.theirs.exitCode).toBe(1);
    expect(logs.ours).toEqual(logs.theirs);
    const config = await both(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'nolog']);
    expect(config.ours).toEqual(config.theirs);

    const script = 'i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); done';
    for (const run of [docker, theirs]) await runDetached(run, ['--name', 'rotated', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', script]);
    for (const run of [docker, theirs]) await untilInspect(run, 'rotated', '{{.State.Status}}', 'exited');
    const rotated = await both(['logs', 'rotated']);
    for (const result of [rotated.ours, rotated.theirs]) {
      expect(result.exitCode).toBe(0);
      const lines = result.stdout.split('\n').filter((line) => line !== '');
      expect(lines.at(-1)).toBe('line 399');
      expect(lines.length).toBeLessThan(400);
    }
    const rotatedConfig = await both(['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'rotated']);
    expect(rotatedConfig.ours).toEqual(rotatedConfig.theirs);
    expect((await docker(['run', '--rm', '--log-driver', 'syslog', 'busybox', 'true'])).stderr).toContain("no log driver named 'syslog'");
    await both(['rm', '-f', 'nolog', 'rotated']);
  }, 90_000);

  it('--stop-timeout: docker stop without -t kills after the container\'s own timeout, as dockerd', async () => {
    const script = 'trap "sleep 4; exit 5" TERM; while true; do sleep 0.1; done';
    for (const run of [docker, theirs]) {
      await runDetached(run, ['--name', 'quick', '--stop-timeout', '1', 'busybox', 'sh', '-c', script]);
      await runDetached(run, ['--name', 'patient', 'busybox', 'sh', '-c', script]);
    }
    const stopped = await both(['stop', 'quick', 'patient'], { timeoutMs: 60_000 });
    expect(stopped.ours).toEqual(stopped.theirs);
    const state = await both(['inspect', '-f', '{{.Name}} {{.State.ExitCode}} {{.Config.StopTimeout}}', 'quick', 'patient']);
    expect(state.theirs.stdout).toBe('/quick 137 1\n/patient 5 <nil>\n');
    expect(state.ours).toEqual(state.theirs);
    await both(['rm', '-f', 'quick', 'patient']);
  }, 90_000);
});

describe('restart policies across a daemon restart', () => {
  it('at its start the daemon restarts `always` containers (even stopped ones) and `unless-stopped` ones it did not stop, as dockerd at boot', async () => {
    await runDetached(docker, ['--name', 'boot-always', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 3']);
    await runDetached(docker, ['--name', 'boot-stopped', '--restart', 'always', 'busybox', 'sleep', '600']);
    await runDetached(docker, ['--name', 'boot-unless', '--restart', 'unless-stopped', 'busybox', 'sleep', '600']);
    expect((await docker(['stop', '-t', '0', 'boot-stopped', 'boot-unless'])).exitCode).toBe(0);
    const before = await inspect(docker, 'boot-always', '{{.State.StartedAt}}');
    expect(await harness.stop()).toBe(0);
    // With no daemon, nothing restarts the container once it exits.
    // (`restarting` when the daemon went down while it was starting it again.)
    await waitFor('boot-always to exit with the daemon down', async () => (['exited', 'restarting'].includes((await harness.cli(['inspect', '-f', '{{.State.Status}}', 'boot-always'])).stdout.trim()) ? true : undefined), 30_000);
    await harness.restart();
    expect(await untilInspect(docker, 'boot-always', '{{.State.Status}}', 'running')).toBe('running');
    expect(await inspect(docker, 'boot-always', '{{.State.StartedAt}}')).not.toBe(before);
    expect(await untilInspect(docker, 'boot-stopped', '{{.State.Status}}', 'running')).toBe('running');
    expect(await inspect(docker, 'boot-unless', '{{.State.Status}} {{.RestartCount}}')).toBe('exited 0');
    expect(harness.log()).not.toMatch(/restart policy: cannot start|unhandled rejection|uncaught exception/);
    expect(await docker(['rm', '-f', 'boot-always', 'boot-stopped', 'boot-unless'], { timeoutMs: 90_000 })).toEqual({ exitCode: 0, stdout: 'boot-always\nboot-stopped\nboot-unless\n', stderr: '' });
  }, 120_000);
});
