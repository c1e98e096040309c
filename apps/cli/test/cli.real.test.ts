import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, waitFor, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];

beforeAll(async () => {
  harness = await createHarness('e2e');
  cli = harness.cli;
});

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

describe('execdriver run (built binary, real containers)', () => {
  it('runs the README command: run --rm busybox echo hello', async () => {
    const result = await cli(['run', '--rm', 'busybox', 'echo', 'hello']);
    expect(result).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
    expect(harness.leftovers()).toEqual([]);
  });

  it('returns the exit code of the container, its stdout and stderr apart', async () => {
    const result = await cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(result).toEqual({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('passes stdin with -i', async () => {
    const result = await cli(['run', '--rm', '-i', 'busybox', 'tr', 'a-z', 'A-Z'], { input: 'shout\n' });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'SHOUT\n' });
  });

  it.each([
    [['run', '--bogus', 'busybox', 'true'], 125, 'execdriver: unknown flag: --bogus\n'],
    [['run', '-m', '64x', 'busybox', 'true'], 125, 'execdriver: invalid value "64x" for flag --memory: expected a size like 64m or 1g\n'],
    [['run', '--rm', '-m', '1m', 'busybox', 'true'], 125, 'execdriver: invalid value "1m" for flag --memory: must be at least 6291456 bytes\n'],
    [['run', '--rm', 'nosuchimage', 'true'], 125, 'execdriver: No such image: nosuchimage:latest (not local, and execdriver pulls from no registry: import a root filesystem with "execdriver import FILE nosuchimage:latest")\n'],
    [['ps', '--bogus'], 125, 'execdriver: unknown flag: --bogus\n'],
    [['kill', '-s', 'SIGBOGUS', 'x'], 125, 'execdriver: invalid value "SIGBOGUS" for flag --signal: unknown signal\n'],
    [['frobnicate'], 125, "execdriver: 'frobnicate' is not an execdriver command: see 'execdriver --help'\n"],
    [['rm', 'nosuchcontainer'], 1, 'execdriver: No such container: nosuchcontainer\n'],
    [['inspect'], 125, 'execdriver: "execdriver inspect" requires at least 1 argument: execdriver inspect [OPTIONS] NAME|ID [NAME|ID...]\n'],
  ])('%j exits %i with one line naming the problem', async (args, exitCode, stderr) => {
    expect(await cli(args)).toEqual({ exitCode, stdout: '', stderr });
  });

  it('exits 127 when the command is not found and 126 when it cannot be invoked, leaving nothing', async () => {
    const missing = await cli(['run', '--rm', 'busybox', 'nosuchcommand']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/^execdriver: container \w+ did not start: .*exec: "nosuchcommand": executable file not found in \$PATH\n$/);
    const notExecutable = await cli(['run', '--rm', 'busybox', '/etc/passwd']);
    expect(notExecutable.exitCode).toBe(126);
    expect(notExecutable.stderr).toMatch(/exec: "\/etc\/passwd": permission denied\n$/);
    const noFile = await cli(['run', 'busybox', '/no/such/file']);
    expect(noFile.exitCode).toBe(127);
    expect(harness.leftovers()).toEqual([]);
  });

  it('prints help for every command', async () => {
    for (const command of ['run', 'exec', 'attach', 'ps', 'inspect', 'kill', 'stop', 'pause', 'unpause', 'stats', 'top', 'logs', 'rm', 'spec', 'import', 'images', 'version', 'info']) {
      const result = await cli([command, '--help']);
      expect(result.exitCode, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage:  execdriver ${command}`));
    }
    expect((await cli(['--help'])).stdout).toContain('  run ');
  });

  it('kills a container that exceeds -m 32m: exit 137 and inspect shows OOMKilled', async () => {
    const result = await cli(['run', '--name', 'oom', '-m', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'head -c 200m /dev/zero | tail']);
    expect(result.exitCode).toBe(137);
    const [inspect] = JSON.parse((await cli(['inspect', 'oom'])).stdout) as [{ State: Record<string, unknown>; HostConfig: Record<string, unknown> }];
    expect(inspect.State).toMatchObject({ Status: 'exited', Running: false, OOMKilled: true, ExitCode: 137 });
    expect(inspect.HostConfig).toMatchObject({ Memory: 32 * 1024 ** 2, MemorySwap: 32 * 1024 ** 2 });
    expect((await cli(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom'])).stdout).toBe('true 137\n');
    expect((await cli(['rm', 'oom'])).exitCode).toBe(0);
  });

  it('puts resource flags in the cgroup files the container sees', async () => {
    const script = [
      'if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then',
      '  echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)',
      '  echo reservation=$(cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes)',
      '  echo cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)',
      '  echo shares=$(cat /sys/fs/cgroup/cpu/cpu.shares)',
      '  echo pids=$(cat /sys/fs/cgroup/pids/pids.max)',
      '  echo cpuset=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)',
      'else',
      '  echo memory=$(cat /sys/fs/cgroup/memory.max)',
      '  echo reservation=$(cat /sys/fs/cgroup/memory.low)',
      '  echo cpu=$(cat /sys/fs/cgroup/cpu.max)',
      '  echo weight=$(cat /sys/fs/cgroup/cpu.weight)',
      '  echo pids=$(cat /sys/fs/cgroup/pids.max)',
      '  echo cpuset=$(cat /sys/fs/cgroup/cpuset.cpus)',
      'fi',
      'echo nofile=$(ulimit -n) $(ulimit -Hn)',
    ].join('\n');
    const result = await cli([
      'run', '--rm', '-m', '64m', '--memory-reservation', '32m', '--cpus', '1.5', '--cpu-shares', '512', '--pids-limit', '50',
      '--cpuset-cpus', '0', '--ulimit', 'nofile=1024:2048', 'busybox', 'sh', '-c', script,
    ]);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain(`memory=${64 * 1024 ** 2}`);
    expect(lines).toContain(`reservation=${32 * 1024 ** 2}`);
    expect(lines).toContain('cpu=150000 100000');
    expect(lines.some((line) => line === 'shares=512' || line === 'weight=20')).toBe(true);
    expect(lines).toContain('pids=50');
    expect(lines).toContain('cpuset=0');
    expect(lines).toContain('nofile=1024 2048');
  });

  it('applies process, mount and namespace flags', async () => {
    const base = dirname(harness.stateRoot);
    const envFile = join(base, 'app.env');
    await writeFile(envFile, 'FROM_FILE=yes\nB=file\n');
    const result = await cli([
      'run', '--rm', '-e', 'B=flag', '--env-file', envFile, '-u', 'nobody', '-w', '/tmp', '-h', 'box', '--read-only',
      '--tmpfs', '/scratch:size=8m', '-v', `${base}:/host:ro`, '--network', 'none', '--cap-drop', 'ALL', '--shm-size', '16m',
      'busybox', 'sh', '-c',
      'echo "$FROM_FILE $B $(id -u) $(pwd) $(hostname)"; touch /x 2>/dev/null || echo rootfs-ro; touch /host/x 2>/dev/null || echo bind-ro; ' +
        'grep " /scratch " /proc/self/mounts | grep -o "size=[0-9]*k"; ls /sys/class/net; grep CapEff /proc/self/status; ' +
        'grep " /dev/shm " /proc/self/mounts | grep -o "size=[0-9]*k"',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')).toEqual(['yes flag 65534 /tmp box', 'rootfs-ro', 'bind-ro', 'size=8192k', 'lo', 'CapEff:\t0000000000000000', 'size=16384k', '']);
  });

  it('runs in a user namespace with --userns-remap default, root owning its writable root', async () => {
    const result = await cli(['run', '--rm', '--userns-remap', 'default', 'busybox', 'sh', '-c', 'cat /proc/self/uid_map; id -u; stat -c %u /; touch /written && echo wrote']);
    expect(result.stderr).toBe('');
    const [map, uid, owner, wrote] = result.stdout.trim().split('\n');
    expect(map!.trim().split(/\s+/)).toEqual(['0', expect.stringMatching(/^[1-9]\d*$/), expect.stringMatching(/^\d+$/)]);
    expect([uid, owner, wrote]).toEqual(['0', '0', 'wrote']);
    expect(harness.leftovers()).toEqual([]);
  });

  it('prints the OCI config with spec, without running anything', async () => {
    const result = await cli(['spec', '--name', 'specbox', '-m', '64m', '--cpus', '0.5', 'busybox', 'echo', 'hi']);
    expect(result.exitCode).toBe(0);
    const config = JSON.parse(result.stdout) as { process: { args: string[] }; root: { path: string }; linux: { resources: { memory: { limit: number }; cpu: { quota: number; period: number } } } };
    expect(config.process.args).toEqual(['echo', 'hi']);
    expect(config.root.path).toMatch(new RegExp(`^${join(harness.dataRoot, 'containers')}/[0-9a-f]{64}/rootfs$`));
    expect(config.linux.resources.memory.limit).toBe(64 * 1024 ** 2);
    expect(config.linux.resources.cpu).toMatchObject({ quota: 50000, period: 100000 });
    expect(harness.leftovers()).toEqual([]);
  });

  it('lists images and imports a tarball', async () => {
    const images = await cli(['images']);
    expect(images.stdout).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nbusybox\s+latest\s+[0-9a-f]{12}\s/);
    const tarball = join(harness.dataRoot, 'export.tar');
    const { execFileSync } = await import('node:child_process');
    execFileSync('tar', ['-cf', tarball, '-C', (await cli(['images', '--format', '{{.Rootfs}}', '--filter', 'reference=busybox'])).stdout.trim(), '.']);
    expect(await cli(['import', tarball, 'copy:1'])).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/), stderr: '' });
    expect(await cli(['run', '--rm', 'copy:1', 'echo', 'from-import'])).toMatchObject({ exitCode: 0, stdout: 'from-import\n' });
    expect((await cli(['rmi', 'copy:1'])).exitCode).toBe(0);
  });

  it('reports version and info', async () => {
    expect((await cli(['version'])).stdout).toMatch(/^execdriver version \d+\.\d+\.\d+/);
    const info = JSON.parse((await cli(['info', '--format', 'json'])).stdout) as Record<string, unknown>;
    expect(info).toMatchObject({ StateRoot: harness.stateRoot, DataRoot: harness.dataRoot, KernelVersion: expect.any(String) });
    expect(String(info.RuntimeVersion)).toMatch(/^\d+\.\d+/);
    expect(['unified', 'hybrid', 'legacy']).toContain(info.CgroupMode);
  });
});

describe('detached containers', () => {
  it('live through run -d, ps, exec, logs, stats, top, pause, unpause, kill, ps -a and rm', async () => {
    const started = await cli(['run', '-d', '--name', 'web', '-m', '64m', 'busybox', 'sh', '-c', 'echo ready; echo oops >&2; while true; do sleep 1; done']);
    expect(started).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^[0-9a-f]{64}\n$/), stderr: '' });
    const shortId = started.stdout.slice(0, 12);

    const ps = await cli(['ps']);
    expect(ps.stdout).toMatch(new RegExp(`\n${shortId}\\s+busybox\\s+"sh -c 'echo ready; …"\\s+.*\\s+Up .*\\s+web\n`));
    expect((await cli(['ps', '-q'])).stdout).toBe(`${shortId}\n`);
    const psJson = JSON.parse((await cli(['ps', '--format', 'json'])).stdout) as Record<string, unknown>;
    expect(psJson).toMatchObject({ ID: shortId, Names: 'web', State: 'running', Image: 'busybox' });

    expect(await cli(['exec', 'web', 'sh', '-c', 'echo exec-$((6*7)); exit 3'])).toEqual({ exitCode: 3, stdout: 'exec-42\n', stderr: '' });

    expect(await cli(['exec', '-d', '-e', 'WHO=detached', 'web', 'sh', '-c', 'echo "$WHO" > /tmp/exec-d'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    await waitFor('exec -d to run', async () => ((await cli(['exec', 'web', 'cat', '/tmp/exec-d'])).stdout === 'detached\n' ? true : undefined));
    expect((await cli(['exec', 'web', 'nosuchcommand'])).exitCode).toBe(127);
    expect((await cli(['exec', 'web', '/etc/passwd'])).exitCode).toBe(126);

    await waitFor('logs', async () => ((await cli(['logs', 'web'])).stdout === 'ready\n' ? true : undefined));
    expect(await cli(['logs', 'web'])).toEqual({ exitCode: 0, stdout: 'ready\n', stderr: 'oops\n' });
    expect((await cli(['logs', '--tail', '0', 'web'])).stdout).toBe('');

    const stats = await cli(['stats', '--no-stream']);
    expect(stats.stdout).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n[0-9a-f]{12}\s+web\s+\d+\.\d\d%\s+[\d.]+[KM]iB \/ 64MiB\s+\d+\.\d\d%\s+\S+ \/ \S+\s+\S+ \/ \S+\s+[1-9]\d*\n$/);
    // The Engine API object (`--format api`; `--format json` is the docker CLI's row, as Docker prints it).
    const dockerStats = JSON.parse((await cli(['stats', '--no-stream', '--format', 'api', 'web'])).stdout) as Record<string, any>;
    expect(dockerStats).toMatchObject({ id: started.stdout.trim(), name: '/web', memory_stats: { limit: 64 * 1024 ** 2 }, pids_stats: { current: expect.any(Number) } });
    expect(dockerStats.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(dockerStats.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);

    const top = await cli(['top', 'web']);
    // One line per process, in pid order (pids wrap: the shell need not be first).
    expect(top.stdout).toMatch(/^UID\s+PID\s+PPID\s+STAT\s+TIME\s+CMD\n/);
    expect(top.stdout).toMatch(/\n0\s+\d+\s+\d+\s+S\s+\d\d:\d\d:\d\d\s+sh -c echo ready/);

    expect(await cli(['pause', 'web'])).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
    expect((await cli(['ps'])).stdout).toMatch(/Up .* \(Paused\)/);
    const pid = (JSON.parse((await cli(['inspect', 'web'])).stdout) as [{ State: { Pid: number; Status: string } }])[0].State;
    expect(pid.Status).toBe('paused');
    expect(readFileSync(`/proc/${pid.Pid}/status`, 'utf8')).toMatch(/State:\s+[SD]/);
    expect(await cli(['unpause', 'web'])).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });

    expect(await cli(['kill', 'web'])).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
    const exited = await waitFor('ps -a to show the exit', async () => {
      const line = (await cli(['ps', '-a'])).stdout.split('\n').find((row) => row.startsWith(shortId));
      return line?.includes('Exited') ? line : undefined;
    });
    expect(exited).toMatch(/Exited \(137\) .* ago\s+web$/);
    expect((await cli(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web'])).stdout).toBe('exited 137\n');
    expect(await cli(['rm', 'web'])).toEqual({ exitCode: 0, stdout: 'web\n', stderr: '' });
    expect((await cli(['ps', '-a'])).stdout.split('\n').slice(1).join('')).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });

  it('records the exit code though the CLI that started them is gone', async () => {
    expect((await cli(['run', '-d', '--name', 'short', 'busybox', 'sh', '-c', 'sleep 0.3; exit 4'])).exitCode).toBe(0);
    await waitFor('the exit', async () => ((await cli(['inspect', '-f', '{{.State.Status}}', 'short'])).stdout === 'exited\n' ? true : undefined));
    expect((await cli(['ps', '-a'])).stdout).toMatch(/Exited \(4\)/);
    expect((await cli(['rm', 'short'])).exitCode).toBe(0);
  });

  it('follows logs with -f and attaches to a non-terminal container until it exits', async () => {
    expect((await cli(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo tick-$i; sleep 0.3; done'])).exitCode).toBe(0);
    expect(await cli(['logs', '-f', 'ticker'])).toEqual({ exitCode: 0, stdout: 'tick-1\ntick-2\ntick-3\n', stderr: '' });
    expect((await cli(['rm', 'ticker'])).exitCode).toBe(0);
    expect((await cli(['run', '-d', '--name', 'late', 'busybox', 'sh', '-c', 'sleep 3; echo late; exit 6'])).exitCode).toBe(0);
    expect(await cli(['attach', 'late'])).toEqual({ exitCode: 6, stdout: 'late\n', stderr: '' });
    expect(await cli(['attach', 'late'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: you cannot attach to a stopped container late: start it first\n' });
    expect((await cli(['rm', 'late'])).exitCode).toBe(0);
  });

  it('stops with SIGTERM then SIGKILL after -t, and refuses rm of a running one without -f', async () => {
    expect((await cli(['run', '-d', '--name', 'stubborn', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect(await cli(['rm', 'stubborn'])).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'execdriver: cannot remove container stubborn: container is running: stop the container before removing or force remove (rm -f)\n',
    });
    const begun = Date.now();
    expect(await cli(['stop', '-t', '1', 'stubborn'])).toEqual({ exitCode: 0, stdout: 'stubborn\n', stderr: '' });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(900);
    expect((await cli(['inspect', '-f', '{{.State.ExitCode}}', 'stubborn'])).stdout).toBe('137\n');
    expect((await cli(['run', '-d', '--name', 'stubborn', 'busybox', 'true'])).stderr).toContain('already in use');
    expect((await cli(['rm', '-f', 'stubborn'])).exitCode).toBe(0);
  });

  it('removes a detached --rm container once it exits', async () => {
    expect((await cli(['run', '-d', '--rm', '--name', 'gone', 'busybox', 'sleep', '0.2'])).exitCode).toBe(0);
    await waitFor('the removal', async () => (!(await cli(['ps', '-a'])).stdout.includes('gone') ? true : undefined));
    // The record goes first; the layer's unmount and the driver's state follow within moments.
    await waitFor('nothing left', () => (harness.leftovers().length === 0 ? true : undefined), 20_000).catch(() => undefined);
    expect(harness.leftovers()).toEqual([]);
  });

  it('joins another container network namespace with --network container:<name>', async () => {
    expect((await cli(['run', '-d', '--name', 'netns', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    const inode = (await cli(['exec', 'netns', 'readlink', '/proc/self/ns/net'])).stdout;
    const joined = await cli(['run', '--rm', '--network', 'container:netns', 'busybox', 'readlink', '/proc/self/ns/net']);
    expect(joined).toEqual({ exitCode: 0, stdout: inode, stderr: '' });
    expect((await cli(['rm', '-f', 'netns'])).exitCode).toBe(0);
  });
});

describe('leaks', () => {
  it('leaves no container, mount, cgroup or state behind', async () => {
    expect((await cli(['ps', '-aq'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  });
});
