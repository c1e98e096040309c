import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, waitFor, type DaemonHarness, type RunResult } from './harness.js';

/**
 * The Docker Engine API endpoints of volumes, networks, container files (cp, export, diff),
 * rename, update, commit, image prune and system df, driven by the docker CLI against execdriverd.
 */
let harness: DaemonHarness;
let work: string;

beforeAll(async () => {
  harness = await startDaemonHarness('endpoints');
  work = join(harness.base, 'work');
  await mkdir(work);
}, 60_000);

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
}, 60_000);

/** Runs a docker command that must succeed; its stdout. */
async function ok(args: readonly string[], options: { input?: string } = {}): Promise<string> {
  const result = await harness.docker(args, options);
  expect(result, `docker ${args.join(' ')}`).toMatchObject({ exitCode: 0 });
  return result.stdout;
}

async function fails(args: readonly string[]): Promise<RunResult> {
  const result = await harness.docker(args);
  expect(result.exitCode, `docker ${args.join(' ')}: ${result.stdout}`).not.toBe(0);
  return result;
}

/** A raw API request on the daemon's socket. */
function request(method: string, path: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const call = http.request({ socketPath: harness.socket, path, method, headers: body ? { 'Content-Type': 'application/x-tar', 'Content-Length': String(body.length) } : {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

describe('volumes through the docker CLI', () => {
  it('create, ls, inspect, in-use refusal, rm, prune; unknown volumes are 404', async () => {
    expect(await ok(['volume', 'create', '--label', 'team=a', 'vol-a'])).toBe('vol-a\n');
    // Creating an existing volume gives it back, as Docker does.
    expect(await ok(['volume', 'create', 'vol-a'])).toBe('vol-a\n');
    await ok(['volume', 'create', 'vol-b']);
    expect(await ok(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}'])).toBe('local vol-a\nlocal vol-b\n');
    expect(await ok(['volume', 'ls', '-q', '--filter', 'label=team=a'])).toBe('vol-a\n');
    const [inspected] = JSON.parse(await ok(['volume', 'inspect', 'vol-a'])) as Record<string, unknown>[];
    expect(inspected).toMatchObject({ Name: 'vol-a', Driver: 'local', Scope: 'local', Labels: { team: 'a' }, Mountpoint: join(harness.dataRoot, 'volumes', 'vol-a', '_data') });
    expect(existsSync(inspected!.Mountpoint as string)).toBe(true);

    const missing = await fails(['volume', 'inspect', 'nosuchvolume']);
    expect(missing.stderr).toContain('no such volume');
    const missingRaw = await request('GET', '/v1.45/volumes/nosuchvolume');
    expect(missingRaw.status).toBe(404);
    expect(JSON.parse(missingRaw.body.toString())).toEqual({ message: 'get nosuchvolume: no such volume' });
    const badName = await request('POST', '/v1.45/volumes/create', Buffer.from(JSON.stringify({ Name: 'bad/name' })));
    expect(badName.status).toBe(400);
    expect(JSON.parse(badName.body.toString()).message).toContain('"bad/name" includes invalid characters for a local volume name');

    // A container (here made by the CLI on the same roots) that mounts vol-a keeps it: 409, Docker's words.
    const created = await harness.cli(['create', '--name', 'vol-user', '-v', 'vol-a:/data', 'busybox', 'true']);
    expect(created.exitCode, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const inUse = await request('DELETE', '/v1.45/volumes/vol-a');
    expect(inUse.status).toBe(409);
    expect(JSON.parse(inUse.body.toString())).toEqual({ message: `remove vol-a: volume is in use - [${id}]` });
    const inUseCli = await fails(['volume', 'rm', 'vol-a']);
    expect(inUseCli.stderr).toContain('volume is in use');
    expect(await ok(['volume', 'ls', '-q', '--filter', 'dangling=true'])).toBe('vol-b\n');
    await ok(['rm', 'vol-user']);

    // prune: named volumes only with --all (API 1.42+); labels filter.
    expect(await ok(['volume', 'prune', '-f'])).not.toContain('vol-');
    const pruned = await ok(['volume', 'prune', '-af', '--filter', 'label=team=a']);
    expect(pruned).toContain('vol-a');
    expect(pruned).not.toContain('vol-b');
    expect(await ok(['volume', 'rm', 'vol-b'])).toBe('vol-b\n');
    expect((await fails(['volume', 'rm', 'vol-b'])).stderr).toContain('no such volume');
    await ok(['volume', 'rm', '-f', 'vol-b']);
    expect(await ok(['volume', 'ls', '-q'])).toBe('');
  });
});

describe('networks through the docker CLI', () => {
  const subnet = `10.${200 + (process.pid % 50)}.${process.pid % 250}.0/24`;

  function links(): string {
    return spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  }

  it('create, ls, inspect, conflict, connect and disconnect a running container, rm, prune; nothing left on the host', async () => {
    const id = (await ok(['network', 'create', '--subnet', subnet, '--gateway', subnet.replace(/0\/24$/, '1'), '--label', 'purpose=test', 'ep-net'])).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect((await fails(['network', 'create', 'ep-net'])).stderr).toContain('network with name ep-net already exists');
    const conflict = await request('POST', '/v1.45/networks/create', Buffer.from(JSON.stringify({ Name: 'ep-net', CheckDuplicate: true })));
    expect(conflict.status).toBe(409);
    expect(await ok(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}', '--filter', 'type=custom'])).toBe('ep-net bridge local\n');
    expect(await ok(['network', 'ls', '-q', '--filter', 'label=purpose=test', '--no-trunc'])).toBe(`${id}\n`);
    const [document] = JSON.parse(await ok(['network', 'inspect', 'ep-net'])) as Record<string, any>[];
    expect(document).toMatchObject({ Name: 'ep-net', Id: id, Driver: 'bridge', Scope: 'local', Labels: { purpose: 'test' }, IPAM: { Config: [{ Subnet: subnet, Gateway: subnet.replace(/0\/24$/, '1') }] }, Containers: {} });
    const missing = await fails(['network', 'inspect', 'nosuchnet']);
    expect(missing.stderr).toContain('network nosuchnet not found');
    expect((await request('GET', '/v1.45/networks/nosuchnet')).status).toBe(404);

    // A running container on the default bridge (made by the CLI: the daemon's create has no bridge networking yet).
    const run = await harness.cli(['run', '-d', '--name', 'net-user', '--network', 'bridge', 'busybox', 'sleep', '600']);
    expect(run.exitCode, run.stderr).toBe(0);
    await ok(['network', 'connect', '--alias', 'svc', 'ep-net', 'net-user']);
    const addresses = await ok(['exec', 'net-user', 'ip', '-o', '-4', 'addr', 'show']);
    expect(addresses).toContain(subnet.replace(/0\/24$/, ''));
    const [connected] = JSON.parse(await ok(['network', 'inspect', 'ep-net'])) as Record<string, any>[];
    expect(Object.values(connected!.Containers as Record<string, { Name: string; IPv4Address: string }>)).toEqual([expect.objectContaining({ Name: 'net-user', IPv4Address: expect.stringContaining(subnet.replace(/0\/24$/, '')) })]);
    expect((await fails(['network', 'connect', 'ep-net', 'net-user'])).stderr).toContain('already exists in network ep-net');
    const inUse = await fails(['network', 'rm', 'ep-net']);
    expect(inUse.stderr).toContain('has active endpoints');
    expect((await request('DELETE', '/v1.45/networks/bridge')).status).toBe(403);

    await ok(['network', 'disconnect', 'ep-net', 'net-user']);
    expect(await ok(['exec', 'net-user', 'ip', '-o', '-4', 'addr', 'show'])).not.toContain(subnet.replace(/0\/24$/, ''));
    expect((await fails(['network', 'disconnect', 'ep-net', 'net-user'])).stderr).toContain('is not connected to network ep-net');
    await ok(['rm', '-f', 'net-user']);

    const bridge = `br-${id.slice(0, 12)}`;
    expect(await ok(['network', 'rm', 'ep-net'])).toBe('ep-net\n');
    expect(links()).not.toContain(bridge);
    expect((await fails(['network', 'rm', 'ep-net'])).stderr).toContain('not found');

    await ok(['network', 'create', 'ep-prune-a']);
    await ok(['network', 'create', '--label', 'keep=1', 'ep-prune-b']);
    const pruned = await ok(['network', 'prune', '-f', '--filter', 'label!=keep']);
    expect(pruned).toBe('Deleted Networks:\nep-prune-a\n\n');
    expect(await ok(['network', 'prune', '-f'])).toBe('Deleted Networks:\nep-prune-b\n\n');
    expect(await ok(['network', 'ls', '-q', '--filter', 'type=custom'])).toBe('');
    // No veth of ours and no NAT rule of the subnet left behind.
    await waitFor('the veth pairs to go', () => (links().includes(`master ${harness.bridge}`) ? undefined : true));
    expect(spawnSync('iptables-save', [], { encoding: 'utf8' }).stdout).not.toContain(subnet);
  });
});

describe('container files: cp both ways, export, diff', () => {
  it('docker cp of files and directories both ways; paths with ../ stay inside the container', async () => {
    await ok(['run', '-d', '--name', 'files', 'busybox', 'sleep', '600']);
    await writeFile(join(work, 'hello.txt'), 'hello from the host\n');
    await mkdir(join(work, 'tree/sub'), { recursive: true });
    await writeFile(join(work, 'tree/sub/leaf'), 'leaf\n');

    await ok(['cp', join(work, 'hello.txt'), 'files:/tmp/']);
    await ok(['cp', join(work, 'tree'), 'files:/tmp/tree']);
    expect(await ok(['exec', 'files', 'sh', '-c', 'cat /tmp/hello.txt /tmp/tree/sub/leaf; stat -c "%u:%g" /tmp/hello.txt'])).toBe('hello from the host\nleaf\n0:0\n');

    await ok(['exec', 'files', 'sh', '-c', 'mkdir -p /srv/out/deep && echo inside > /srv/out/deep/f && echo one > /srv/one']);
    await ok(['cp', 'files:/srv/one', join(work, 'one-copy')]);
    expect(await readFile(join(work, 'one-copy'), 'utf8')).toBe('one\n');
    await ok(['cp', 'files:/srv/out', join(work, 'out-copy')]);
    expect(await readFile(join(work, 'out-copy/deep/f'), 'utf8')).toBe('inside\n');

    // ../ cannot leave the container's root: out of it, the container's /etc/passwd, not the host's;
    // into it, the container's /tmp, never the host's.
    await ok(['cp', 'files:/../../../../../etc/passwd', join(work, 'passwd-copy')]);
    expect(await readFile(join(work, 'passwd-copy'), 'utf8')).toBe(await ok(['exec', 'files', 'cat', '/etc/passwd']));
    expect(await readFile(join(work, 'passwd-copy'), 'utf8')).not.toBe(readFileSync('/etc/passwd', 'utf8'));
    const escapeName = `escape-${harness.marker}`;
    await ok(['cp', join(work, 'hello.txt'), `files:/../../../../../tmp/${escapeName}`]);
    expect(existsSync(join('/tmp', escapeName))).toBe(false);
    expect(await ok(['exec', 'files', 'cat', `/tmp/${escapeName}`])).toBe('hello from the host\n');
    // A symlink in the container pointing out of it is followed inside the container.
    await ok(['exec', 'files', 'ln', '-s', '/../../../../etc', '/srv/hostetc']);
    await ok(['cp', 'files:/srv/hostetc/group', join(work, 'group-copy')]);
    expect(await readFile(join(work, 'group-copy'), 'utf8')).toBe(await ok(['exec', 'files', 'cat', '/etc/group']));
    expect(await readFile(join(work, 'group-copy'), 'utf8')).not.toBe(readFileSync('/etc/group', 'utf8'));

    const missing = await fails(['cp', 'files:/no/such/file', join(work, 'nothing')]);
    expect(missing.stderr).toContain('Could not find the file /no/such/file in container files');
  });

  it('HEAD and GET archive carry the path stat; PUT honours noOverwriteDirNonDir', async () => {
    const head = await request('HEAD', '/v1.45/containers/files/archive?path=/srv/out');
    expect(head.status).toBe(200);
    const stat = JSON.parse(Buffer.from(head.headers['x-docker-container-path-stat'] as string, 'base64').toString()) as Record<string, unknown>;
    expect(stat).toMatchObject({ name: 'out', mode: 2 ** 31 + 0o755, linkTarget: '' });
    expect(stat.mtime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const link = await request('HEAD', '/v1.45/containers/files/archive?path=/srv/hostetc');
    expect(JSON.parse(Buffer.from(link.headers['x-docker-container-path-stat'] as string, 'base64').toString())).toMatchObject({ name: 'hostetc', mode: 2 ** 27 + 0o777, linkTarget: '/etc' });
    expect((await request('HEAD', '/v1.45/containers/files/archive?path=/nothing')).status).toBe(404);
    expect((await request('HEAD', '/v1.45/containers/nosuch/archive?path=/')).status).toBe(404);

    const got = await request('GET', '/v1.45/containers/files/archive?path=/srv/one');
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/x-tar');
    expect(got.headers['x-docker-container-path-stat']).toBeDefined();
    const listed = spawnSync('tar', ['-tv', '-f', '-'], { input: got.body, encoding: 'utf8' });
    expect(listed.stdout).toMatch(/ one\n$/);

    // A tar whose member `out` is a file, over the directory /srv/out: refused with the option, before anything is written.
    await writeFile(join(work, 'out'), 'a file\n');
    const archive = spawnSync('tar', ['-c', '-f', '-', '-C', work, 'out']).stdout;
    const refused = await request('PUT', '/v1.45/containers/files/archive?path=/srv&noOverwriteDirNonDir=true', archive);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body.toString()).message).toContain('cannot overwrite directory "/srv/out" with non-directory');
    expect(await ok(['exec', 'files', 'cat', '/srv/out/deep/f'])).toBe('inside\n');
    const notDirectory = await request('PUT', '/v1.45/containers/files/archive?path=/srv/one', archive);
    expect(notDirectory.status).toBe(400);
    const put = await request('PUT', '/v1.45/containers/files/archive?path=/tmp&noOverwriteDirNonDir=true', archive);
    expect(put.status).toBe(200);
    expect(await ok(['exec', 'files', 'cat', '/tmp/out'])).toBe('a file\n');
  });

  it('docker export gives the root filesystem as tar; docker diff lists the changes', async () => {
    const exported = await harness.run('sh', ['-c', 'docker export files | tar -t']);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const members = exported.stdout.split('\n');
    expect(members).toContain('./etc/passwd');
    expect(members).toContain('./srv/out/deep/f');

    await ok(['run', '--name', 'differ', 'busybox', 'sh', '-c', 'echo x > /etc/added && rm /etc/group && echo changed >> /etc/passwd']);
    try {
      expect(await ok(['diff', 'differ'])).toBe('C /etc\nA /etc/added\nD /etc/group\nC /etc/passwd\n');
      const raw = await request('GET', '/v1.45/containers/differ/changes');
      expect(JSON.parse(raw.body.toString())).toEqual([{ Path: '/etc', Kind: 0 }, { Path: '/etc/added', Kind: 1 }, { Path: '/etc/group', Kind: 2 }, { Path: '/etc/passwd', Kind: 0 }]);
      expect((await request('GET', '/v1.45/containers/nosuch/changes')).status).toBe(404);
    } finally {
      await harness.docker(['rm', 'differ']);
    }
  });
});

describe('rename, update, commit', () => {
  it('docker rename: the new name finds it, the old one no more; a taken name is a conflict', async () => {
    await ok(['rename', 'files', 'files2']);
    expect(await ok(['inspect', '-f', '{{.Name}}', 'files2'])).toBe('/files2\n');
    expect((await fails(['inspect', 'files'])).stderr).toContain('No such object: files');
    await ok(['create', '--name', 'other', 'busybox', 'true']);
    const taken = await fails(['rename', 'files2', 'other']);
    expect(taken.stderr).toContain('Conflict. The container name "/other" is already in use');
    await ok(['rm', 'other']);
  });

  it('docker update --memory 64m reaches the running container cgroup, and is kept', async () => {
    await ok(['run', '-d', '--name', 'upd', 'busybox', 'sleep', '600']);
    const update = await ok(['update', '--memory', '64m', '--memory-swap', '128m', '--cpu-shares', '512', '--pids-limit', '100', 'upd']);
    expect(update).toBe('upd\n');
    const limit = await ok(['exec', 'upd', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max']);
    expect(limit).toBe(`${64 * 1024 * 1024}\n`);
    const pids = await ok(['exec', 'upd', 'sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max']);
    expect(pids).toBe('100\n');
    expect(await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}}', 'upd'])).toBe(`${64 * 1024 * 1024} ${128 * 1024 * 1024} 512 100\n`);
    const tooSmall = await fails(['update', '--memory', '1k', 'upd']);
    expect(tooSmall.stderr).toContain('memory');
    expect(await ok(['exec', 'upd', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'])).toBe(`${64 * 1024 * 1024}\n`);
    expect((await fails(['update', '--memory', '64m', 'nosuch'])).stderr).toContain('No such container: nosuch');
    await ok(['update', '--restart', 'on-failure:2', 'upd']);
    expect(await ok(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}', 'upd'])).toBe('on-failure 2\n');
    await ok(['rm', '-f', 'upd']);
  });

  it('docker update of a stopped container applies at its next start', async () => {
    await ok(['create', '--name', 'upd-later', 'busybox', 'sleep', '600']);
    try {
      await ok(['update', '--memory', '32m', 'upd-later']);
      await ok(['start', 'upd-later']);
      expect(await ok(['exec', 'upd-later', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'])).toBe(`${32 * 1024 * 1024}\n`);
    } finally {
      await harness.docker(['rm', '-f', 'upd-later']);
    }
  });

  it('docker commit makes an image that docker run runs; docker image prune -f removes dangling ones', async () => {
    await ok(['exec', 'files2', 'sh', '-c', 'echo committed content > /hello']);
    const id = (await ok(['commit', '-c', 'CMD ["cat", "/hello"]', '-m', 'a message', 'files2', 'ep-committed:v1'])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ok(['run', '--rm', 'ep-committed:v1'])).toBe('committed content\n');
    expect(await ok(['image', 'inspect', '-f', '{{.Comment}}', 'ep-committed:v1'])).toBe('a message\n');

    const dangling = (await ok(['commit', 'files2'])).trim();
    expect(await ok(['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).toBe(`${dangling}\n`);
    const pruned = await ok(['image', 'prune', '-f']);
    expect(pruned).toContain(`deleted: ${dangling}`);
    expect(await ok(['images', '-q', '--filter', 'dangling=true'])).toBe('');
    expect(await ok(['images', '--format', '{{.Repository}}:{{.Tag}}', 'ep-committed'])).toBe('ep-committed:v1\n');
    await ok(['rmi', 'ep-committed:v1']);
  });
});

describe('docker system df', () => {
  it('counts images, containers and volumes, active and reclaimable', async () => {
    await ok(['volume', 'create', 'df-vol']);
    const table = await ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
    expect(table).toBe('Images 1 1\nContainers 1 1\nLocal Volumes 1 0\nBuild Cache 0 0\n');
    const plain = (await ok(['system', 'df'])).split('\n');
    expect(plain[0]).toMatch(/^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
    const verbose = await ok(['system', 'df', '-v']);
    expect(verbose).toContain('files2');
    expect(verbose).toContain('df-vol');
    await ok(['rm', '-f', 'files2']);
    await ok(['volume', 'rm', 'df-vol']);
  });
});
