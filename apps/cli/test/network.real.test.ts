import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeRuleLines } from '@execdriver/testkit';
import { createServer, connect, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, networkLeftovers, waitFor, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];
const ids: string[] = [];
let iptablesBefore: string;

/** iptables rules naming one of this file's containers (the CNI plugins comment each rule with the container id). */
function ourRules(): string[] {
  const text = execFileSync('iptables-save', { encoding: 'utf8' });
  return text.split('\n').filter((line) => ids.some((id) => line.includes(id)));
}

function veths(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show', 'master', harness.env.EXECDRIVER_BRIDGE!], { encoding: 'utf8' }).split('\n').filter((line) => line !== '');
}

/** Reads what a TCP server at 127.0.0.1:port says (bounded). */
function readFrom(port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on 127.0.0.1:${port} within ${timeoutMs} ms (got ${JSON.stringify(data)})`));
    }, timeoutMs);
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.end();
  });
}

async function runDetached(args: string[]): Promise<string> {
  const result = await cli(['run', '-d', ...args]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  const id = result.stdout.trim();
  ids.push(id);
  return id;
}

beforeAll(async () => {
  harness = await createHarness('network');
  cli = harness.cli;
  iptablesBefore = execFileSync('iptables-save', { encoding: 'utf8' });
});

// A failed test leaves its containers and networks; the next test must not inherit them.
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await harness.reset();
}, 60_000);

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
  // The leak census: no rule of any container of this file, no namespace, attachment or leased address.
  expect(ourRules()).toEqual([]);
  expect(networkLeftovers(harness.stateRoot)).toEqual([]);
  expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toContain(harness.env.EXECDRIVER_BRIDGE);
  expect(iptablesBefore).toBeTypeOf('string');
}, 60_000);

describe('bridge networks (real containers, CNI plugins)', () => {
  it('puts a container on the default bridge network (Docker 172.17.0.0/16 unless taken), with its address in /etc/hosts', async () => {
    const result = await cli(['run', '--rm', '--hostname', 'box', 'busybox', 'sh', '-c', 'ip -o -4 addr show eth0; grep box /etc/hosts; ip route | grep default; ip -o -4 addr show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo lo-ok']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const address = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(result.stdout);
    expect(address).not.toBeNull();
    expect(result.stdout).toContain(`${address![1]}\tbox`);
    expect(result.stdout).toMatch(/default via \d+\.\d+\.\d+\.1 dev eth0/);
    // lo is up (brought up as the namespace is made): 127.0.0.1 answers.
    expect(result.stdout).toMatch(/lo\s+inet 127\.0\.0\.1\/8 .*\nlo-ok\n$/);
    const inspect = JSON.parse((await cli(['network', 'inspect', 'bridge'])).stdout) as { IPAM: { Config: { Subnet: string; Gateway: string }[] }; Options: Record<string, string> }[];
    expect(inspect[0]!.Options['com.docker.network.bridge.name']).toBe(harness.env.EXECDRIVER_BRIDGE);
    expect(inspect[0]!.IPAM.Config[0]!.Gateway).toBe(inspect[0]!.IPAM.Config[0]!.Subnet.replace(/0\/\d+$/, '1'));
    expect(harness.leftovers()).toEqual([]);
    expect(veths()).toEqual([]);
    // --network none keeps only the loopback interface.
    const none = await cli(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']);
    expect(none).toEqual({ exitCode: 0, stdout: 'lo\n', stderr: '' });
  }, 60_000);

  it('lets containers on a user-defined network reach each other by name and alias; the default bridge does not resolve names', async () => {
    const created = await cli(['network', 'create', '--label', 'purpose=test', 'appnet']);
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await cli(['network', 'create', 'appnet'])).stderr).toBe('execdriver: network with name appnet already exists\n');
    await runDetached(['--name', 'web', '--network', 'appnet', '--network-alias', 'www', 'busybox', 'sh', '-c', 'while true; do echo hello-from-web | nc -l -p 8080; done']);
    const client = await cli(['run', '--rm', '--network', 'appnet', 'busybox', 'sh', '-c', 'ping -c 1 -W 2 web >/dev/null && echo ping-ok; ping -c 1 -W 2 www >/dev/null && echo alias-ok; nc -w 3 web 8080 </dev/null']);
    expect(client).toEqual({ exitCode: 0, stdout: 'ping-ok\nalias-ok\nhello-from-web\n', stderr: '' });
    // A peer that starts later appears in the earlier container's /etc/hosts.
    await runDetached(['--name', 'late', '--network', 'appnet', 'busybox', 'sleep', '60']);
    const hosts = await cli(['exec', 'web', 'cat', '/etc/hosts']);
    expect(hosts.stdout).toMatch(/\tlate\n/);
    const inspect = JSON.parse((await cli(['network', 'inspect', 'appnet'])).stdout) as { Containers: Record<string, { Name: string }>; Labels: Record<string, string> }[];
    expect(Object.values(inspect[0]!.Containers).map((entry) => entry.Name).sort()).toEqual(['late', 'web']);
    expect(inspect[0]!.Labels).toEqual({ purpose: 'test' });
    expect((await cli(['network', 'rm', 'appnet'])).stderr).toContain('has active endpoints');
    const onBridge = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'ping -c 1 -W 1 web >/dev/null 2>&1 && echo resolved || echo unresolved']);
    expect(onBridge.stdout).toBe('unresolved\n');
    expect((await cli(['rm', '-f', 'web', 'late'])).exitCode).toBe(0);
    expect(await cli(['network', 'rm', 'appnet'])).toEqual({ exitCode: 0, stdout: 'appnet\n', stderr: '' });
    expect(harness.leftovers()).toEqual([]);
  }, 90_000);

  it('forwards and masquerades with one set of rules per network, made by its first container and gone with it', async () => {
    // An "outside" host in a namespace of its own, reached through the host: it says which address it saw.
    const tag = (process.pid % 10000).toString(36);
    const outside = `edt-out-${tag}`;
    const hostEnd = `edvo${tag}`;
    const third = 200 + (process.pid % 50);
    const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    let server: ReturnType<typeof import('node:child_process').spawn> | undefined;
    try {
      sh(`ip netns add ${outside} && ip link add ${hostEnd} type veth peer name edvi${tag} && ip link set edvi${tag} netns ${outside} && ip addr add 10.231.${third}.1/30 dev ${hostEnd} && ip link set ${hostEnd} up && ip netns exec ${outside} ip addr add 10.231.${third}.2/30 dev edvi${tag} && ip netns exec ${outside} ip link set edvi${tag} up`);
      const { spawn } = await import('node:child_process');
      server = spawn('ip', ['netns', 'exec', outside, process.execPath, '-e', "require('net').createServer((s) => s.end(s.remoteAddress + '\\n')).listen(7777, '0.0.0.0', () => console.log('ready'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => server!.stdout!.once('data', resolve));
      const seen = await cli(['run', '--rm', 'busybox', 'sh', '-c', `nc -w 5 10.231.${third}.2 7777 </dev/null`]);
      // Masqueraded: the outside host saw the host's address on its link, not the container's (it has no route back to that).
      expect(seen).toEqual({ exitCode: 0, stdout: `10.231.${third}.1\n`, stderr: '' });
      const bridge = harness.env.EXECDRIVER_BRIDGE!;
      const subnet = (JSON.parse((await cli(['network', 'inspect', 'bridge'])).stdout) as { IPAM: { Config: { Subnet: string }[] } }[])[0]!.IPAM.Config[0]!.Subnet;
      const rules = execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((line) => line.includes(`execdriver:${bridge}`));
      expect(rules.sort()).toEqual(
        [
          `-A FORWARD -i ${bridge} -m comment --comment "execdriver:${bridge}" -j ACCEPT`,
          `-A FORWARD -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "execdriver:${bridge}" -j ACCEPT`,
          `-A POSTROUTING -s ${subnet} ! -o ${bridge} -m comment --comment "execdriver:${bridge}" -j MASQUERADE`,
        ].sort(),
      );
      // No per-container rule is left by the run (the CNI plugins' ipMasq and firewall chains are not used).
      expect(execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((line) => ids.some((id) => line.includes(id)))).toEqual([]);
      // A user-defined network has its own rules, removed with it.
      expect((await cli(['network', 'create', 'rulenet'])).exitCode).toBe(0);
      const userBridge = (JSON.parse((await cli(['network', 'inspect', 'rulenet'])).stdout) as { Options: Record<string, string> }[])[0]!.Options['com.docker.network.bridge.name']!;
      expect((await cli(['run', '--rm', '--network', 'rulenet', 'busybox', 'sh', '-c', `nc -w 5 10.231.${third}.2 7777 </dev/null`])).stdout).toBe(`10.231.${third}.1\n`);
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).toContain(`execdriver:${userBridge}`);
      expect((await cli(['network', 'rm', 'rulenet'])).exitCode).toBe(0);
      expect(execFileSync('iptables-save', { encoding: 'utf8' })).not.toContain(`execdriver:${userBridge}`);
    } finally {
      server?.kill();
      execFileSync('sh', ['-c', `ip link del ${hostEnd} 2>/dev/null; ip netns del ${outside} 2>/dev/null; true`]);
    }
  }, 60_000);

  it('the first containers of a network started at once make its rules once (a lock between processes)', async () => {
    expect((await cli(['network', 'create', 'racenet'])).exitCode).toBe(0);
    try {
      const bridge = (JSON.parse((await cli(['network', 'inspect', 'racenet'])).stdout) as { Options: Record<string, string> }[])[0]!.Options['com.docker.network.bridge.name']!;
      const runs = await Promise.all(Array.from({ length: 4 }, () => cli(['run', '--rm', '--network', 'racenet', 'busybox', 'true'])));
      expect(runs.map((run) => run.exitCode)).toEqual([0, 0, 0, 0]);
      // Forward in, forward replies, masquerade: each once, however many processes raced to make them.
      expect(bridgeRuleLines(bridge)).toHaveLength(3);
      expect((await cli(['network', 'rm', 'racenet'])).exitCode).toBe(0);
      expect(bridgeRuleLines(bridge)).toEqual([]);
      // The marker and the lock go with the network.
      expect(readdirSync(join(harness.stateRoot, 'network', 'rules')).filter((file) => file.startsWith(bridge))).toEqual([]);
      expect(readdirSync(join(harness.stateRoot, 'network', 'rule-locks'))).not.toContain(bridge);
    } finally {
      await cli(['network', 'rm', 'racenet']);
    }
  }, 60_000);

  it('publishes a port on 127.0.0.1:hostPort, shows it in port, ps and inspect, and frees it with the container', async () => {
    const hostPort = 20000 + (process.pid % 20000);
    const id = await runDetached(['--name', 'pub', '-p', `127.0.0.1:${hostPort}:80`, '-p', '90/udp', '--expose', '91', 'busybox', 'sh', '-c', 'while true; do echo published | nc -l -p 80; done']);
    const answer = await waitFor('the published port', async () => (await readFrom(hostPort).catch(() => '')) || undefined);
    expect(answer).toBe('published\n');
    const port = await cli(['port', 'pub']);
    expect(port.stdout).toMatch(new RegExp(`^80/tcp -> 127\\.0\\.0\\.1:${hostPort}\n90/udp -> 0\\.0\\.0\\.0:\\d+\n$`));
    expect((await cli(['port', 'pub', '80'])).stdout).toBe(`127.0.0.1:${hostPort}\n`);
    expect((await cli(['ps', '--format', '{{.Names}} {{.Ports}}'])).stdout).toMatch(new RegExp(`^pub 127\\.0\\.0\\.1:${hostPort}->80/tcp, 0\\.0\\.0\\.0:\\d+->90/udp, 91/tcp\n$`));
    const settings = JSON.parse((await cli(['inspect', '-f', '{{json .NetworkSettings}}', 'pub'])).stdout) as { IPAddress: string; Gateway: string; MacAddress: string; Ports: Record<string, unknown>; Networks: Record<string, { IPAddress: string }> };
    expect(settings.IPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(settings.MacAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(settings.Networks.bridge!.IPAddress).toBe(settings.IPAddress);
    expect(settings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(hostPort) }]);
    expect(settings.Ports['91/tcp']).toBeNull();
    expect(ourRules().some((line) => line.includes(id) && line.includes(String(hostPort)))).toBe(true);
    // The same host port again is refused, naming it, and leaves nothing.
    const clash = await cli(['run', '--rm', '-p', `127.0.0.1:${hostPort}:80`, 'busybox', 'true']);
    expect(clash).toEqual({ exitCode: 125, stdout: '', stderr: `execdriver: Bind for 127.0.0.1:${hostPort}/tcp failed: port is already allocated\n` });
    expect((await cli(['rm', '-f', 'pub'])).exitCode).toBe(0);
    expect(ourRules()).toEqual([]);
    expect(harness.leftovers()).toEqual([]);
  }, 60_000);

  it('refuses a host port another program holds (PORT_IN_USE), leaving nothing', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await cli(['run', '--rm', '-p', `127.0.0.1:${port}:80`, 'busybox', 'true']);
      expect(result).toEqual({ exitCode: 125, stdout: '', stderr: `execdriver: Bind for 127.0.0.1:${port}/tcp failed: port is already allocated\n` });
      expect((await cli(['ps', '-aq'])).stdout).toBe('');
      expect(harness.leftovers()).toEqual([]);
      expect(veths()).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it('releases the network of a container whose starter is gone once it exits (kill), at the next command', async () => {
    const id = await runDetached(['--name', 'gone', 'busybox', 'sleep', '60']);
    expect(veths()).toHaveLength(1);
    expect((await cli(['kill', 'gone'])).exitCode).toBe(0);
    await waitFor('the network released', async () => {
      await cli(['ps']);
      return networkLeftovers(harness.stateRoot).length === 0 && veths().length === 0 ? true : undefined;
    });
    expect(ourRules().filter((line) => line.includes(id))).toEqual([]);
    expect((await cli(['rm', '-f', 'gone'])).exitCode).toBe(0);
    expect(harness.leftovers()).toEqual([]);
  }, 60_000);

  it('writes --add-host and --dns into /etc/hosts and /etc/resolv.conf', async () => {
    const result = await cli(['run', '--rm', '--add-host', 'db.local:10.1.2.3', '--dns', '10.9.9.9', '--dns-search', 'example.test', 'busybox', 'sh', '-c', 'grep db.local /etc/hosts; cat /etc/resolv.conf']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('10.1.2.3\tdb.local\n');
    expect(result.stdout).toContain('nameserver 10.9.9.9\n');
    expect(result.stdout).toContain('search example.test\n');
    expect(result.stdout).not.toMatch(/nameserver (?!10\.9\.9\.9)/);
  }, 30_000);
});
