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
});
