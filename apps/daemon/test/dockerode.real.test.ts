import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemonHarness, type DaemonHarness } from './harness.js';

let harness: DaemonHarness;
let docker: Docker;

beforeAll(async () => {
  harness = await startDaemonHarness('dockerode');
  docker = new Docker({ socketPath: harness.socket });
});

afterAll(async () => {
  expect(await harness.cleanup()).toEqual([]);
});

/** Splits a multiplexed stream into its stdout and stderr text, with dockerode's own demuxer. */
function demux(stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  docker.modem.demuxStream(stream, stdout, stderr);
  return new Promise((resolve, reject) => {
    stream.on('end', () => resolve({ stdout: out, stderr: err }));
    stream.on('error', reject);
  });
}

describe('execdriverd driven by dockerode', () => {
  it('ping and version', async () => {
    expect((await docker.ping()).toString()).toBe('OK');
    expect(await docker.version()).toMatchObject({ ApiVersion: '1.45', MinAPIVersion: '1.24', Os: 'linux' });
  });

  it('createContainer, start, wait, logs, remove: what ran inside comes back', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo "out $((2+3))"; echo "err $HOME" >&2; exit 3'], Env: ['HOME=/nowhere'], Labels: { suite: 'dockerode' } });
    const waiting = container.wait({ condition: 'next-exit' });
    await container.start();
    expect(await waiting).toMatchObject({ StatusCode: 3 });
    const logs = (await container.logs({ stdout: true, stderr: true, follow: true })) as unknown as NodeJS.ReadableStream;
    expect(await demux(logs)).toEqual({ stdout: 'out 5\n', stderr: 'err /nowhere\n' });
    const info = await container.inspect();
    expect(info.State).toMatchObject({ Status: 'exited', ExitCode: 3, Running: false });
    expect(info.Config.Labels).toMatchObject({ suite: 'dockerode' });
    const listed = await docker.listContainers({ all: true, filters: { label: ['suite=dockerode'] } });
    expect(listed.map((entry) => entry.Id)).toEqual([container.id]);
    await container.remove();
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('attach before start (hijacked): the whole output of a short container', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'for i in 1 2 3; do echo line$i; done; echo done >&2'] });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
    const output = demux(stream);
    await container.start();
    expect(await output).toEqual({ stdout: 'line1\nline2\nline3\n', stderr: 'done\n' });
    expect((await container.wait()).StatusCode).toBe(0);
    await container.remove();
  });

  it('attach with stdin to an OpenStdin/StdinOnce container (no tty): what is written reaches it, the end is its EOF, output demultiplexed', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'tr a-z A-Z; echo eof >&2; exit 2'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    const output = demux(stream);
    await container.start();
    stream.write('hello ');
    stream.end('world\n');
    expect(await output).toEqual({ stdout: 'HELLO WORLD\n', stderr: 'eof\n' });
    expect((await container.wait()).StatusCode).toBe(2);
    expect((await container.inspect()).Config).toMatchObject({ OpenStdin: true, StdinOnce: true });
    await container.remove();
  });

  it('stats: one-shot and streamed, Docker-shaped, with precpu_stats', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'while true; do :; done'], HostConfig: { Memory: 64 * 1024 * 1024, PidsLimit: 20 } });
    await container.start();
    const stats = await container.stats({ stream: false });
    expect(stats.memory_stats.limit).toBe(64 * 1024 * 1024);
    expect(stats.pids_stats?.current).toBeGreaterThanOrEqual(1);
    expect(stats.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(stats.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(stats.precpu_stats.cpu_usage.total_usage);
    const stream = (await container.stats({ stream: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    const documents: { read: string; precpu_stats: { cpu_usage: { total_usage: number } } }[] = [];
    await new Promise<void>((resolve) => {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        documents.push(...lines.filter((line) => line !== '').map((line) => JSON.parse(line) as (typeof documents)[number]));
        if (documents.length >= 2) {
          stream.destroy();
          resolve();
        }
      });
    });
    expect(documents[1]!.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    await container.stop({ t: 1 });
    expect((await container.inspect()).State.Status).toBe('exited');
    await container.remove();
  });

  it('exec with a hijacked stream, and exec inspect', async () => {
    const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '60'] });
    await container.start();
    const exec = await container.exec({ Cmd: ['sh', '-c', 'read word; echo "you said $word"; echo bye >&2; exit 4'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const output = demux(stream);
    stream.write('hello\n');
    expect(await output).toEqual({ stdout: 'you said hello\n', stderr: 'bye\n' });
    expect(await exec.inspect()).toMatchObject({ Running: false, ExitCode: 4 });
    await container.remove({ force: true });
  });

  it('maps errors to Docker status codes', async () => {
    await expect(docker.getContainer('nosuch').inspect()).rejects.toMatchObject({ statusCode: 404, json: { message: 'No such container: nosuch' } });
    await expect(docker.createContainer({ Image: 'nosuchimage' })).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'mynet' } })).rejects.toMatchObject({ statusCode: 400 });
    const named = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], name: 'taken' });
    await expect(docker.createContainer({ Image: 'busybox', Cmd: ['true'], name: 'taken' })).rejects.toMatchObject({ statusCode: 409 });
    await named.start();
    await named.wait();
    await expect(named.start()).resolves.toBeDefined();
    await named.wait();
    await expect(named.kill()).rejects.toMatchObject({ statusCode: 409 });
    await named.remove();
  });
});
