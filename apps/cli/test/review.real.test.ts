import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from './harness.js';

// End to end through the built binary: the fixes of the new-user review of the CLI.
let harness: Harness;
let cli: Harness['cli'];
let base: string;

beforeAll(async () => {
  harness = await createHarness('review');
  cli = harness.cli;
  base = dirname(harness.stateRoot);
});

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

/** Every entry of a tree with type, mode, owner, size, mtime, link target, and the checksum of each regular file. */
function treeListing(root: string): string {
  const entries = execFileSync('find', [root, '-printf', '%P %y %m %U:%G %s %T@ %l\n']).toString().split('\n').sort();
  const sums = execFileSync('sh', ['-c', 'find . -type f -print0 | sort -z | xargs -0 -r md5sum'], { cwd: root }).toString();
  return `${entries.join('\n')}\n${sums}`;
}

async function exitedState(name: string): Promise<void> {
  await waitFor(`${name} to exit`, async () => ((await cli(['inspect', '-f', '{{.State.Status}}', name])).stdout === 'exited\n' ? true : undefined));
}

describe('container references (Docker: names exactly, generated ids by unique prefix)', () => {
  it('rm -f web does not remove webapp; a prefix of a generated id finds it', async () => {
    expect((await cli(['run', '-d', '--name', 'webapp', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect(await cli(['rm', '-f', 'web'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such container: web\n' });
    // Docker: inspect looks for a container, then an image.
    expect(await cli(['inspect', '-f', '{{.State.Status}}', 'web'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such object: web\n' });
    expect((await cli(['inspect', '-f', '{{.State.Status}}', 'webapp'])).stdout).toBe('running\n');

    const id = (await cli(['run', '-d', 'busybox', 'sleep', '60'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await cli(['inspect', '-f', '{{.Id}}', id.slice(0, 5)])).toEqual({ exitCode: 0, stdout: `${id}\n`, stderr: '' });
    expect(await cli(['exec', id.slice(0, 5), 'echo', 'by-prefix'])).toEqual({ exitCode: 0, stdout: 'by-prefix\n', stderr: '' });
    expect(await cli(['rm', '-f', 'webapp', id.slice(0, 5)])).toEqual({ exitCode: 0, stdout: `webapp\n${id.slice(0, 5)}\n`, stderr: '' });
    expect((await cli(['ps', '-aq'])).stdout).toBe('');
  });
});

describe('--read-only and the image', () => {
  it('never changes the image tree: mount points, working directory, privileged remount', async () => {
    expect((await cli(['run', '--rm', 'busybox', 'true'])).exitCode).toBe(0);
    const image = (await cli(['images', '--format', '{{.Rootfs}}', '--filter', 'reference=busybox'])).stdout.trim();
    const before = treeListing(image);
    const hostDir = join(base, 'ro-volume');
    await mkdir(hostDir);
    const run = await cli(['run', '--rm', '--read-only', '-v', `${hostDir}:/newdir`, '--tmpfs', '/newtmp', '-w', '/newwd', 'busybox', 'sh', '-c', 'pwd; touch /x 2>/dev/null || echo rootfs-ro; touch /newdir/ok && echo bind-rw']);
    expect(run).toEqual({ exitCode: 0, stdout: '/newwd\nrootfs-ro\nbind-rw\n', stderr: '' });
    const privileged = await cli(['run', '--rm', '--read-only', '--privileged', 'busybox', 'sh', '-c', 'mount -o remount,rw / && touch /written-by-container && mkdir -p /newdir2 && echo wrote']);
    expect(privileged).toEqual({ exitCode: 0, stdout: 'wrote\n', stderr: '' });
    expect(treeListing(image)).toBe(before);
    for (const name of ['newdir', 'newtmp', 'newwd', 'newdir2', 'written-by-container', 'x']) expect(existsSync(join(image, name)), name).toBe(false);
    expect(harness.leftovers()).toEqual([]);
  });
});

describe('images', () => {
  it('says a file that is not a tarball does not look like one', async () => {
    const bogus = join(base, 'bogus.tar');
    await writeFile(bogus, 'not a tarball\n');
    expect(await cli(['import', bogus, 'bogus'])).toEqual({ exitCode: 1, stdout: '', stderr: `execdriver: ${bogus} does not look like a tar archive (plain or gzip)\n` });
  });

  it('refuses rmi while a container uses the image, and rmi -f while one runs on it', async () => {
    const tarball = join(base, 'copy.tar');
    execFileSync('tar', ['-cf', tarball, '-C', (await cli(['images', '--format', '{{.Rootfs}}', '--filter', 'reference=busybox'])).stdout.trim(), '.']);
    const imageId = (await cli(['import', tarball, 'copy'])).stdout.trim().slice('sha256:'.length, 'sha256:'.length + 12);
    const user = (await cli(['run', '-d', '--name', 'user1', 'copy', 'sleep', '60'])).stdout.slice(0, 12);
    expect(await cli(['rmi', 'copy'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: `execdriver: conflict: unable to remove repository reference "copy" (must force) - container ${user} is using its referenced image ${imageId}\n`,
    });
    expect(await cli(['rmi', '-f', 'copy'])).toEqual({ exitCode: 1, stdout: '', stderr: `execdriver: conflict: unable to delete ${imageId} (cannot be forced) - image is being used by running container ${user}\n` });
    expect((await cli(['kill', 'user1'])).exitCode).toBe(0);
    await exitedState('user1');
    expect((await cli(['rmi', 'copy:latest'])).stderr).toContain(`conflict: unable to remove repository reference "copy:latest" (must force) - container ${user} is using its referenced image ${imageId}`);
    expect(await cli(['rmi', '-f', 'copy'])).toEqual({ exitCode: 0, stdout: 'Untagged: copy:latest\n', stderr: '' });
    expect((await cli(['rm', 'user1'])).exitCode).toBe(0);
    expect((await cli(['images', '--format', '{{.Repository}}'])).stdout).toBe('busybox\n');
    expect(harness.leftovers()).toEqual([]);
  });
});

describe('spec', () => {
  it('uses EXECDRIVER_CGROUP_PREFIX and names itself when it has no arguments', async () => {
    const config = JSON.parse((await cli(['spec', '--name', 'specbox', 'busybox', 'true'])).stdout) as { linux: { cgroupsPath: string } };
    expect(config.linux.cgroupsPath).toMatch(new RegExp(`^/${harness.marker}/[0-9a-f]{64}$`));
    expect(await cli(['spec'])).toEqual({ exitCode: 125, stdout: '', stderr: 'execdriver: "spec" requires at least 1 argument: an IMAGE (or --rootfs DIR)\n' });
  });
});

describe('--format templates', () => {
  it("rejects a template Go cannot parse (125) naming it, before printing anything", async () => {
    for (const [args, problem] of [
      [['ps', '--format', '{{range .}}x'], 'template: :1: unexpected EOF'],
      [['images', '--format', '{{nope .Tag}}'], 'template: :1: function "nope" not defined'],
      [['ps', '-a', '--format', '{{.ID'], 'template: :1: unclosed action'],
      [['stats', '--no-stream', '--format', '{{.Bogus'], 'template: :1: unclosed action'],
    ] as const) {
      const result = await cli(args);
      expect(result.exitCode, args.join(' ')).toBe(125);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toContain(`execdriver: invalid template ${JSON.stringify(args.at(-1))} for flag --format: ${problem}`);
    }
  });

  it("prints Docker's table format and stats fields", async () => {
    expect((await cli(['run', '-d', '--name', 'fmt', '-m', '64m', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    // Go's tabwriter as the docker CLI sets it: columns at least 10 wide.
    expect((await cli(['ps', '--format', 'table {{.Names}}\\t{{.Image}}'])).stdout).toBe('NAMES     IMAGE\nfmt       busybox\n');
    expect((await cli(['images', '--format', 'table {{.Repository}}\\t{{.Tag}}'])).stdout).toBe('REPOSITORY   TAG\nbusybox      latest\n');
    const line = (await cli(['stats', '--no-stream', '--format', '{{.Container}}|{{.Name}}|{{.ID}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.BlockIO}}|{{.PIDs}}', 'fmt'])).stdout;
    expect(line).toMatch(/^fmt\|fmt\|[0-9a-f]{12}\|\d+\.\d\d%\|[\d.]+[KM]iB \/ 64MiB\|\d+\.\d\d%\|\S+ \/ \S+\|\S+ \/ \S+\|[1-9]\d*\n$/);
    const table = (await cli(['stats', '--no-stream', '--format', 'table {{.Name}}\\t{{.PIDs}}', 'fmt'])).stdout;
    expect(table).toMatch(/^NAME      PIDS\nfmt       [1-9]\d*\n$/);
    // A field the rows lack is Go's execution error, and nothing is printed.
    expect(await cli(['ps', '--format', '{{.Names}} {{.Nope}}'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: `execdriver: invalid template "{{.Names}} {{.Nope}}" for flag --format: template: :1:13: executing "" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext\n`,
    });
    expect(await cli(['inspect', '-f', '{{range .Args}}{{end}}', 'fmt'])).toEqual({ exitCode: 0, stdout: '\n', stderr: '' });
    expect((await cli(['rm', '-f', 'fmt'])).exitCode).toBe(0);
  });
});

describe('exec failures', () => {
  it('exits 126 for a working directory that is not there, with one line on stderr', async () => {
    const id = (await cli(['run', '-d', '--name', 'ex', 'busybox', 'sleep', '60'])).stdout.trim();
    expect(await cli(['exec', '-w', '/nonexist', 'ex', 'pwd'])).toEqual({
      exitCode: 126,
      stdout: '',
      stderr: `execdriver: exec in ${id} failed: exec failed: unable to start container process: chdir to cwd ("/nonexist") set in config.json failed: no such file or directory\n`,
    });
    const missing = await cli(['exec', 'ex', 'nosuchcommand']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr.split('\n')).toHaveLength(2);
    expect(await cli(['exec', '-w', '/tmp', 'ex', 'sh', '-c', 'pwd; echo err >&2'])).toEqual({ exitCode: 0, stdout: '/tmp\n', stderr: 'err\n' });
    expect(await cli(['exec', '-u', 'nosuchuser', 'ex', 'true'])).toEqual({ exitCode: 125, stdout: '', stderr: 'execdriver: unable to find user nosuchuser: no matching entries in passwd file\n' });
    expect((await cli(['rm', '-f', 'ex'])).exitCode).toBe(0);
  });
});

describe('messages', () => {
  it.each([
    [['run', '--rm', '-m', '4k', 'busybox', 'true'], 'execdriver: invalid value "4k" for flag --memory: must be at least 6291456 bytes\n'],
    [['run', '--rm', '-m', '64m', '--memory-swap', '32m', 'busybox', 'true'], 'execdriver: invalid value "32m" for flag --memory-swap: must be at least memory (67108864) or -1\n'],
    [['run', '--rm', '--network', 'foo', 'busybox', 'true'], 'execdriver: network foo not found\n'],
    [['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true'], 'execdriver: unable to find user nosuchuser: no matching entries in passwd file\n'],
    [['run', '--rm', '-u', 'root:nosuchgroup', 'busybox', 'true'], 'execdriver: unable to find group nosuchgroup: no matching entries in group file\n'],
  ])('%j', async (args, stderr) => {
    expect(await cli(args)).toEqual({ exitCode: 125, stdout: '', stderr });
    expect(harness.leftovers()).toEqual([]);
  });

  it('lists every environment variable in --help', async () => {
    const help = (await cli(['--help'])).stdout;
    for (const name of ['EXECDRIVER_STATE_ROOT', 'EXECDRIVER_DATA_ROOT', 'EXECDRIVER_CGROUP_PREFIX', 'EXECDRIVER_RUNC']) expect(help).toContain(name);
  });

  it('shows zeros in stats --no-stream of a stopped container (Docker), and its effective env in inspect', async () => {
    expect((await cli(['run', '--name', 'stopped', '-e', 'FOO=bar', 'busybox', 'true'])).exitCode).toBe(0);
    const id = (await cli(['inspect', '-f', '{{.Id}}', 'stopped'])).stdout.trim();
    expect(await cli(['stats', '--no-stream', 'stopped'])).toEqual({
      exitCode: 0,
      stdout: `CONTAINER ID   NAME      CPU %   MEM USAGE / LIMIT   MEM %   NET I/O   BLOCK I/O   PIDS\n${id.slice(0, 12)}   stopped   0.00%   0B / 0B             0.00%   0B / 0B   0B / 0B     0\n`,
      stderr: '',
    });
    // `--format json` is the docker CLI's row; the Engine API object is `--format api`.
    expect(JSON.parse((await cli(['stats', '--no-stream', '--format', 'json', 'stopped'])).stdout)).toEqual({
      BlockIO: '0B / 0B',
      CPUPerc: '0.00%',
      Container: 'stopped',
      ID: id.slice(0, 12),
      MemPerc: '0.00%',
      MemUsage: '0B / 0B',
      Name: 'stopped',
      NetIO: '0B / 0B',
      PIDs: '0',
    });
    const json = JSON.parse((await cli(['stats', '--no-stream', '--format', 'api', 'stopped'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ id, name: '/stopped', read: '0001-01-01T00:00:00Z', pids_stats: {}, memory_stats: {} });
    const env = JSON.parse((await cli(['inspect', '-f', '{{json .Config.Env}}', 'stopped'])).stdout) as string[];
    expect(env).toEqual(expect.arrayContaining([expect.stringMatching(/^PATH=\/usr\/local\/sbin:/), `HOSTNAME=${id.slice(0, 12)}`, 'HOME=/root', 'FOO=bar']));
    expect((await cli(['rm', 'stopped'])).exitCode).toBe(0);
  });
});

describe('bind mount sources', () => {
  it('-v creates a missing host directory; --mount refuses one', async () => {
    const missing = join(base, 'made-by-v', 'deeper');
    expect(await cli(['run', '--rm', '-v', `${missing}:/d`, 'busybox', 'sh', '-c', 'echo hi > /d/file && cat /d/file'])).toEqual({ exitCode: 0, stdout: 'hi\n', stderr: '' });
    expect(existsSync(join(missing, 'file'))).toBe(true);
    const absent = join(base, 'absent');
    expect(await cli(['run', '--rm', '--mount', `type=bind,source=${absent},target=/d`, 'busybox', 'true'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: `execdriver: invalid mount config for type "bind": bind source path does not exist: ${absent}\n`,
    });
    expect(existsSync(absent)).toBe(false);
    expect(harness.leftovers()).toEqual([]);
  });
});
