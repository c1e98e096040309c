import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, type DaemonHarness } from './harness.js';

let harness: DaemonHarness;

beforeAll(async () => {
  harness = await startDaemonHarness('dockerpy');
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

/** Runs a docker-py script with `client` connected to the daemon; its stdout is the script's JSON result. */
async function python(script: string): Promise<unknown> {
  const program = ['import json, os, sys', 'import docker', "client = docker.DockerClient(base_url=os.environ['DOCKER_HOST'])", script].join('\n');
  const result = await harness.run('python3', ['-c', program], { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`python exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('execdriverd driven by docker-py', () => {
  it('containers.run(..., remove=True) returns what the container printed, and leaves nothing', async () => {
    const result = await python(
      [
        "out = client.containers.run('busybox', ['sh', '-c', 'echo hi from py; echo $((3*4)); cat /etc/hostname | wc -c'], remove=True)",
        "print(json.dumps({'out': out.decode(), 'left': len(client.containers.list(all=True))}))",
      ].join('\n'),
    );
    expect(result).toEqual({ out: 'hi from py\n12\n13\n', left: 0 });
  });

  it('detached run, exec_run, logs, stop, remove; ContainerError for a failing command', async () => {
    const result = await python(
      [
        "c = client.containers.run('busybox', ['sh', '-c', 'echo ready; sleep 60'], detach=True, name='py', environment={'WHO': 'py'})",
        "code, out = c.exec_run(['sh', '-c', 'echo $WHO $(id -u)'])",
        'c.reload()',
        "status = c.status",
        'c.stop(timeout=1)',
        'c.reload()',
        "logs = c.logs().decode()",
        'c.remove()',
        'try:',
        "    client.containers.run('busybox', ['sh', '-c', 'echo oops >&2; exit 9'], remove=True)",
        "    failed = None",
        'except docker.errors.ContainerError as error:',
        "    failed = {'code': error.exit_status, 'stderr': error.stderr.decode() if error.stderr else None}",
        'try:',
        "    client.containers.get('py')",
        "    missing = False",
        'except docker.errors.NotFound:',
        "    missing = True",
        "print(json.dumps({'exec': [code, out.decode()], 'status': status, 'after': c.status, 'logs': logs, 'failed': failed, 'missing': missing}))",
      ].join('\n'),
    );
    expect(result).toEqual({ exec: [0, 'py 0\n'], status: 'running', after: 'exited', logs: 'ready\n', failed: { code: 9, stderr: 'oops\n' }, missing: true });
  });

  it('images: list and get', async () => {
    const result = await python(
      ["image = client.images.get('busybox')", "print(json.dumps({'tags': image.tags, 'listed': any('busybox:latest' in i.tags for i in client.images.list())}))"].join('\n'),
    );
    expect(result).toEqual({ tags: ['busybox:latest'], listed: true });
  });

  it('volumes: create, list, get, NotFound, APIError 409 while in use, remove, prune', async () => {
    const created = await harness.cli(['create', '--name', 'py-vol-user', '-v', 'py-used:/data', 'busybox', 'true']);
    expect(created.exitCode, created.stderr).toBe(0);
    try {
      const result = await python(
        [
          "v = client.volumes.create('py-vol', labels={'by': 'py'})",
          "listed = sorted(x.name for x in client.volumes.list())",
          "labelled = [x.name for x in client.volumes.list(filters={'label': 'by=py'})]",
          "got = client.volumes.get('py-vol')",
          'try:',
          "    client.volumes.get('py-none')",
          '    missing = None',
          'except docker.errors.NotFound as error:',
          '    missing = error.status_code',
          'try:',
          "    client.volumes.get('py-used').remove()",
          '    in_use = None',
          'except docker.errors.APIError as error:',
          "    in_use = [error.status_code, error.explanation]",
          'got.remove()',
          "pruned = client.volumes.prune(filters={'all': 'true'})",
          "print(json.dumps({'name': v.name, 'labels': got.attrs['Labels'], 'driver': got.attrs['Driver'], 'listed': listed, 'labelled': labelled, 'missing': missing, 'in_use': in_use, 'pruned': pruned, 'left': [x.name for x in client.volumes.list()]}))",
        ].join('\n'),
      );
      const id = created.stdout.trim();
      expect(result).toEqual({
        name: 'py-vol',
        labels: { by: 'py' },
        driver: 'local',
        listed: ['py-used', 'py-vol'],
        labelled: ['py-vol'],
        missing: 404,
        in_use: [409, `remove py-used: volume is in use - [${id}]`],
        pruned: { VolumesDeleted: null, SpaceReclaimed: 0 },
        left: ['py-used'],
      });
    } finally {
      await harness.cli(['rm', '-f', 'py-vol-user']);
      await harness.cli(['volume', 'rm', 'py-used']);
    }
  });

  it('networks: create with IPAM, list, get, connect and disconnect a running container, remove, prune', async () => {
    const run = await harness.cli(['run', '-d', '--name', 'py-net-user', '--network', 'bridge', 'busybox', 'sleep', '600']);
    expect(run.exitCode, run.stderr).toBe(0);
    const subnet = `10.${150 + (process.pid % 50)}.${process.pid % 250}.0/24`;
    try {
      const result = await python(
        [
          `pool = docker.types.IPAMPool(subnet='${subnet}')`,
          "n = client.networks.create('py-net', driver='bridge', ipam=docker.types.IPAMConfig(pool_configs=[pool]), labels={'by': 'py'}, check_duplicate=True)",
          'try:',
          "    client.networks.create('py-net')",
          '    duplicate = None',
          'except docker.errors.APIError as error:',
          '    duplicate = error.status_code',
          "listed = [x.name for x in client.networks.list(names=['py-net'])]",
          "c = client.containers.get('py-net-user')",
          "n.connect(c, aliases=['py-alias'])",
          'n.reload()',
          "members = [x.name for x in n.containers]",
          "code, out = c.exec_run(['ip', '-o', '-4', 'addr', 'show'])",
          "n.disconnect(c)",
          'n.reload()',
          "after = [x.name for x in n.containers]",
          "config = n.attrs['IPAM']['Config']",
          'n.remove()',
          'try:',
          "    client.networks.get('py-net')",
          '    gone = False',
          'except docker.errors.NotFound:',
          '    gone = True',
          "client.networks.create('py-prune')",
          'pruned = client.networks.prune()',
          `print(json.dumps({'duplicate': duplicate, 'listed': listed, 'members': members, 'on_subnet': '${subnet.replace(/0\/24$/, '')}' in out.decode(), 'after': after, 'subnet': config[0]['Subnet'], 'gone': gone, 'pruned': pruned}))`,
        ].join('\n'),
      );
      expect(result).toEqual({ duplicate: 409, listed: ['py-net'], members: ['py-net-user'], on_subnet: true, after: [], subnet, gone: true, pruned: { NetworksDeleted: ['py-prune'] } });
    } finally {
      await harness.cli(['rm', '-f', 'py-net-user']);
    }
  });
});

