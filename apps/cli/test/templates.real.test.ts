import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createHarness, waitFor, type Harness } from './harness.js';

// End to end through the built binary: Go templates in --format as the docker CLI runs them.
let harness: Harness;
let cli: Harness['cli'];
let id: string;
let volume: string;

beforeAll(async () => {
  harness = await createHarness('templates');
  cli = harness.cli;
  volume = join(dirname(harness.stateRoot), 'vol');
  await mkdir(volume);
  const started = await cli(['run', '-d', '--name', 'tpl', '-v', `${volume}:/data`, '--tmpfs', '/scratch', '-e', 'FOO=bar', 'busybox', 'sleep', '60']);
  expect(started.exitCode).toBe(0);
  id = started.stdout.trim();
});

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

describe('inspect -f', () => {
  it('ranges over mounts and env, indexes, compares, and pipes', async () => {
    expect(await cli(['inspect', '-f', '{{range .Mounts}}{{.Destination}} {{end}}', 'tpl'])).toEqual({ exitCode: 0, stdout: '/data /scratch \n', stderr: '' });
    expect((await cli(['inspect', '-f', '{{range $i, $m := .Mounts}}{{if eq $m.Type "bind"}}{{$i}}:{{$m.Source}}{{end}}{{end}}', 'tpl'])).stdout).toBe(`0:${volume}\n`);
    expect((await cli(['inspect', '-f', '{{index .Config.Cmd 0}} {{len .Config.Cmd}} {{join .Config.Cmd ","}}', 'tpl'])).stdout).toBe('sleep 2 sleep,60\n');
    expect((await cli(['inspect', '-f', '{{range .Config.Env}}{{if eq . "FOO=bar"}}{{.}}{{end}}{{end}}', 'tpl'])).stdout).toBe('FOO=bar\n');
    expect((await cli(['inspect', '-f', '{{.State.Status | upper}} {{printf "%.12s" .Id}} {{if .State.Running}}up{{else}}down{{end}}', 'tpl'])).stdout).toBe(`RUNNING ${id.slice(0, 12)} up\n`);
    expect((await cli(['inspect', '-f', '{{index .Config.Labels "nope"}}|{{.Config.Labels.nope}}|{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}', 'tpl'])).stdout).toBe('|<no value>|bridge\n');
    expect((await cli(['inspect', '-f', '{{json .HostConfig.Tmpfs}}', 'tpl'])).stdout).toBe('{"/scratch":""}\n');
  });

  it("fails as Go does on a missing struct field: one line naming the template, nothing printed", async () => {
    expect(await cli(['inspect', '-f', '{{.Id}} {{.State.Nope}}', 'tpl'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: `execdriver: invalid template "{{.Id}} {{.State.Nope}}" for flag --format: template: :1:10: executing "" at <.State.Nope>: can't evaluate field Nope in type *types.ContainerState\n`,
    });
  });

  it('inspects images too (containers first), --type, and -s', async () => {
    const image = JSON.parse((await cli(['inspect', 'busybox'])).stdout) as [Record<string, unknown>];
    expect(image[0]).toMatchObject({ Id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), RepoTags: ['busybox:latest'], Os: 'linux', Size: expect.any(Number), Config: { Cmd: ['sh'] } });
    expect((await cli(['inspect', '--type', 'image', '-f', '{{index .RepoTags 0}} {{json .Config.Cmd}}', 'busybox'])).stdout).toBe('busybox:latest ["sh"]\n');
    expect(await cli(['inspect', '--type', 'image', 'tpl'])).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'execdriver: No such image: tpl\n' });
    expect(await cli(['inspect', '--type', 'container', 'busybox'])).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'execdriver: No such container: busybox\n' });
    expect(await cli(['inspect', 'nosuchthing'])).toEqual({ exitCode: 1, stdout: '[]\n', stderr: 'execdriver: No such object: nosuchthing\n' });
    expect((await cli(['exec', 'tpl', 'sh', '-c', 'head -c 5000 /dev/zero > /written'])).exitCode).toBe(0);
    const sizes = (await cli(['inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'tpl'])).stdout.trim().split(' ').map(Number);
    expect(sizes[0]).toBeGreaterThanOrEqual(5000);
    expect(sizes[1]).toBeGreaterThan(sizes[0]! + 100_000);
    expect((await cli(['inspect', '-f', '{{.SizeRw}}', 'tpl'])).exitCode).toBe(125);
  });
});

describe('ps, images, stats, version --format', () => {
  it("ps: Docker's fields, Label with an argument, json is {{json .}}", async () => {
    expect((await cli(['ps', '--format', '{{.Names}}|{{.Mounts}}|{{.Networks}}|{{.Ports}}|{{.Size}}|{{.LocalVolumes}}|{{.State}}|{{.Command}}|{{.Label "x"}}|'])).stdout).toBe(
      `tpl|${volume.length > 15 ? `${volume.slice(0, 14)}…` : volume}|bridge||0B|0|running|"sleep 60"||\n`,
    );
    expect((await cli(['ps', '--format', '{{.CreatedAt}}'])).stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [-+]\d{4} \S+\n$/);
    const row = JSON.parse((await cli(['ps', '--format', 'json'])).stdout) as Record<string, string>;
    expect(Object.keys(row)).toEqual(['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
    const stable = (text: string) => text.replace(/"(RunningFor|Status)":"[^"]*"/g, '');
    expect(stable((await cli(['ps', '--format', '{{json .}}'])).stdout)).toBe(stable((await cli(['ps', '--format', 'json'])).stdout));
    expect((await cli(['ps', '--no-trunc', '--format', '{{.ID}} {{if eq .State "running"}}{{.Names | printf "%-5s"}}|{{end}}'])).stdout).toBe(`${id} tpl  |\n`);
    expect((await cli(['ps', '--format', 'table {{.ID}}\\t{{.Names | upper}}\\t{{.Networks}}'])).stdout).toBe(`CONTAINER ID   NAMES     NETWORKS\n${id.slice(0, 12)}   TPL       bridge\n`);
  });

  it('images: ID Repository Tag Digest CreatedSince CreatedAt Size', async () => {
    const line = (await cli(['images', '--format', '{{.ID}}|{{.Repository}}|{{.Tag}}|{{.Digest}}|{{.CreatedSince}}|{{.CreatedAt}}|{{.Size}}'])).stdout;
    expect(line).toMatch(/^[0-9a-f]{12}\|busybox\|latest\|<none>\|.+ ago\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [-+]\d{4} \S+\|[\d.]+[kM]B\n$/);
    expect((await cli(['images', '--format', '{{split .Repository "b" | len}} {{title .Tag}}'])).stdout).toBe('3 Latest\n');
  });

  it("stats --format json prints the docker CLI's row", async () => {
    const row = JSON.parse((await cli(['stats', '--no-stream', '--format', 'json', 'tpl'])).stdout) as Record<string, string>;
    expect(Object.keys(row)).toEqual(['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
    expect(row).toMatchObject({ Container: 'tpl', Name: 'tpl', ID: id.slice(0, 12), PIDs: '1', CPUPerc: expect.stringMatching(/^\d+\.\d\d%$/) });
  });

  it('stats streams every running container: one started later appears within seconds, one removed goes', async () => {
    const child = spawn(process.execPath, ['--', cliPath, 'stats', '--format', '{{.Name}} {{.PIDs}}'], { env: { ...process.env, ...harness.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const ticks: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => ticks.push(chunk.toString()));
    try {
      await waitFor('the first tick', () => (ticks.some((tick) => tick.includes('tpl 1\n')) ? true : undefined));
      expect((await cli(['run', '-d', '--name', 'late', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
      const startedAt = ticks.length;
      await waitFor('the later container in the stream', () => (ticks.slice(startedAt).some((tick) => tick.includes('late 1\n')) ? true : undefined), 5000);
      expect((await cli(['rm', '-f', 'late'])).exitCode).toBe(0);
      const removedAt = ticks.length;
      await waitFor('a tick without the removed container', () => (ticks.slice(removedAt + 1).some((tick) => tick.includes('tpl 1\n') && !tick.includes('late')) ? true : undefined), 5000);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
      await cli(['rm', '-f', 'late']);
    }
  });

  it('version: Client and Server, as docker version', async () => {
    const version = await cli(['version', '--format', '{{.Client.Version}} {{range .Server.Components}}{{.Name}} {{end}}']);
    expect(version).toEqual({ exitCode: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\S* Engine runc \n$/), stderr: '' });
    const json = JSON.parse((await cli(['version', '--format', '{{json .}}'])).stdout) as { Client: { Version: string }; Server: { Components: { Name: string; Version: string }[] } };
    expect(json.Client.Version).toBe(json.Server.Components[0]!.Version);
    expect(json.Server.Components[1]).toMatchObject({ Name: 'runc', Version: expect.stringMatching(/^\d+\.\d+/) });
    expect((await cli(['version', '--format', 'json'])).stdout).toBe((await cli(['version', '--format', '{{json .}}'])).stdout);
  });
});
