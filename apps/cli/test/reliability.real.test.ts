// End to end through the built binary: a hostile but realistic user (issue 17). Each case failed
// before its fix: Node read --env-file, the data root was world-traversable, one corrupt record
// broke every container, two runs of one name tore each other down, killed runs left hidden state,
// `-v DIR:/` wrote into DIR, and `exec -d -e` put the value on a command line.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createHarness, waitFor, type CliResult, type Harness } from './harness.js';

let harness: Harness;
let cli: Harness['cli'];
let base: string;

beforeAll(async () => {
  harness = await createHarness('reliability');
  cli = harness.cli;
  base = dirname(harness.stateRoot);
});

afterAll(async () => {
  const left = await harness.cleanup();
  expect(left).toEqual([]);
});

/** Runs the installed way: the bin itself, through its `#!` line (not `node cli.js`). */
function bin(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cliPath, [...args], { env: { ...process.env, ...harness.env } }, (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs a shell command as nobody (uid and gid 65534, no groups), as an unprivileged local user would. */
function asNobody(script: string): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', script], (error, stdout, stderr) => {
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function containerDir(reference: string): Promise<string> {
  const id = (await cli(['inspect', '-f', '{{.Id}}', reference])).stdout.trim();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  return join(harness.dataRoot, 'containers', id);
}

describe('--env-file belongs to the container, never to Node', () => {
  it('an env file holding NODE_OPTIONS reaches only the container; a missing one is our 125', async () => {
    const marker = join(base, 'pwned');
    const payload = join(base, 'payload.cjs');
    await writeFile(payload, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n`);
    const envFile = join(base, 'app.env');
    await writeFile(envFile, `NODE_OPTIONS=--require ${payload}\nAPP=1\n`);
    for (const args of [[`--env-file=${envFile}`], ['--env-file', envFile]]) {
      const result = await bin(['run', '--rm', ...args, 'busybox', 'sh', '-c', 'echo "$NODE_OPTIONS|$APP"']);
      expect(result).toEqual({ exitCode: 0, stdout: `--require ${payload}|1\n`, stderr: '' });
    }
    expect(existsSync(marker)).toBe(false);
    expect(await bin(['run', '--rm', '--env-file=/nonexistent.env', 'busybox', 'true'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: 'execdriver: invalid value "/nonexistent.env" for flag --env-file: no such file\n',
    });
  });
});

describe('the data root is private to root', () => {
  it('an unprivileged user reaches no container layer, image or container file', async () => {
    expect((await cli(['run', '-d', '--name', 'private', 'busybox', 'sh', '-c', 'echo secret > /tmp/s; cp /bin/busybox /tmp/suid; chmod 4755 /tmp/suid; sleep 60'])).exitCode).toBe(0);
    const dir = await containerDir('private');
    await waitFor('the container to write its files', () => (existsSync(join(dir, 'upper/tmp/suid')) ? true : undefined));
    const image = (await cli(['images', '--format', '{{.Rootfs}}', '--filter', 'reference=busybox'])).stdout.trim();
    // The test's own temporary directory is traversable, as /var/lib is.
    for (const path of [join(dir, 'upper/tmp/s'), join(dir, 'rootfs/tmp/s'), join(dir, 'container.json'), join(image, 'bin/busybox')]) {
      const attempt = await asNobody(`cat ${path} > /dev/null`);
      expect(attempt.exitCode, path).not.toBe(0);
      expect(attempt.stderr, path).toMatch(/Permission denied/);
    }
    expect((await asNobody(`${join(dir, 'upper/tmp/suid')} id -u`)).stderr).toMatch(/Permission denied/);
    expect((await asNobody(`ls ${harness.dataRoot}`)).stderr).toMatch(/Permission denied/);
    expect((await asNobody(`ls ${join(harness.dataRoot, 'containers')}`)).stderr).toMatch(/Permission denied/);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await cli(['rm', '-f', 'private'])).exitCode).toBe(0);
  });

  it('fixes the modes of an existing install on the next command, and remapped containers still run', async () => {
    expect((await cli(['run', '-d', '--name', 'old', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    const dir = await containerDir('old');
    await chmod(dir, 0o755);
    await chmod(join(harness.dataRoot, 'images'), 0o755);
    await rm(join(harness.dataRoot, '.modes-v1'));
    expect((await cli(['ps'])).exitCode).toBe(0);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(harness.dataRoot, 'images'))).mode & 0o777).toBe(0o700);
    expect((await cli(['rm', '-f', 'old'])).exitCode).toBe(0);
    const remapped = await cli(['run', '--rm', '--userns-remap', 'default', 'busybox', 'sh', '-c', 'echo ok > /tmp/x && cat /tmp/x']);
    expect(remapped).toEqual({ exitCode: 0, stdout: 'ok\n', stderr: '' });
  });
});

describe('one bad record never hides the others', () => {
  it('lists, stops and removes the others; the broken one is listed and removable', async () => {
    expect((await cli(['run', '-d', '--name', 'fine', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    expect((await cli(['run', '-d', '--name', 'broken', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    const brokenDir = await containerDir('broken');
    const brokenId = brokenDir.slice(-64);
    for (const garbage of ['', '{"id": 42', 'null']) {
      await writeFile(join(brokenDir, 'container.json'), garbage);
      const ps = await cli(['ps', '-a']);
      expect(ps.exitCode).toBe(0);
      expect(ps.stdout).toMatch(/\sfine\n/);
      expect(ps.stdout).toMatch(new RegExp(`\\n${brokenId.slice(0, 12)}\\s+Broken`));
      expect(ps.stderr).toContain(`WARNING: container ${brokenId.slice(0, 12)} is broken: `);
      expect(ps.stderr).toContain(join(brokenDir, 'container.json'));
    }
    // A stray directory with an invalid name in the containers directory is no container at all.
    await mkdir(join(harness.dataRoot, 'containers', 'not-an-id'));
    expect((await cli(['stop', '-t', '0', 'fine'])).exitCode).toBe(0);
    expect(await cli(['rm', '-f', brokenId.slice(0, 12)])).toEqual({ exitCode: 0, stdout: `${brokenId.slice(0, 12)}\n`, stderr: '' });
    expect(await cli(['rm', 'fine'])).toEqual({ exitCode: 0, stdout: 'fine\n', stderr: '' });
    await rm(join(harness.dataRoot, 'containers', 'not-an-id'), { recursive: true });
    expect((await cli(['ps', '-aq'])).stdout).toBe('');
    expect(harness.leftovers()).toEqual([]);
  }, 120_000);
});

describe('names', () => {
  it('of two runs of one name at the same instant, exactly one wins and keeps running', async () => {
    for (let round = 0; round < 4; round += 1) {
      const detached = round % 2 === 0;
      const args = detached ? ['run', '-d', '--name', 'same', 'busybox', 'sleep', '60'] : ['run', '--name', 'same', 'busybox', 'sh', '-c', 'sleep 1; echo done'];
      const [first, second] = await Promise.all([cli(args), cli(args)]);
      const results = [first, second];
      const winners = results.filter((result) => result.exitCode === 0);
      const losers = results.filter((result) => result.exitCode !== 0);
      expect(winners, `round ${round}`).toHaveLength(1);
      expect(losers[0]).toMatchObject({ exitCode: 125, stdout: '' });
      expect(losers[0]!.stderr).toMatch(/^execdriver: Conflict\. The container name "\/same" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\n$/);
      if (detached) expect((await cli(['inspect', '-f', '{{.State.Status}}', 'same'])).stdout).toBe('running\n');
      else expect(winners[0]!.stdout).toBe('done\n');
      expect((await cli(['rm', '-f', 'same'])).exitCode).toBe(0);
    }
    expect(harness.leftovers()).toEqual([]);
  }, 120_000);

  it('a name whose container was never written (its run was killed) does not block the next run', async () => {
    await mkdir(join(harness.dataRoot, 'names'), { recursive: true });
    await symlink('a'.repeat(64), join(harness.dataRoot, 'names', 'ghost'));
    expect(await cli(['rm', '-f', 'ghost'])).toEqual({ exitCode: 1, stdout: '', stderr: 'execdriver: No such container: ghost\n' });
    expect((await cli(['run', '--rm', '--name', 'ghost', 'busybox', 'true'])).exitCode).toBe(0);
    expect(readdirSync(join(harness.dataRoot, 'names'))).toEqual([]);
  });
});

describe('killed mid-run', () => {
  it('run -d killed at any point leaves a listed, removable container or nothing, and the name is free again', async () => {
    for (const delayMs of [0, 60, 120, 200, 320]) {
      const child = spawn(process.execPath, ['--', cliPath, 'run', '-d', '--name', 'killed', 'busybox', 'sleep', '60'], { env: { ...process.env, ...harness.env }, stdio: 'ignore' });
      // Listened for from the spawn on: a fast machine finishes `run -d` before the longer delays.
      const closed = new Promise((resolve) => child.once('close', resolve));
      await sleep(delayMs);
      child.kill('SIGKILL');
      await closed;
      const listed = (await cli(['ps', '-a', '--format', '{{.Names}}'])).stdout;
      if (listed.includes('killed')) expect((await cli(['rm', '-f', 'killed'])).exitCode, `after ${delayMs} ms`).toBe(0);
      const again = await cli(['run', '--rm', '--name', 'killed', 'busybox', 'true']);
      expect(again, `after ${delayMs} ms`).toEqual({ exitCode: 0, stdout: '', stderr: '' });
      expect(harness.leftovers(), `after ${delayMs} ms`).toEqual([]);
    }
  }, 180_000);

  it('an import or a create killed midway leaves no hidden directory', async () => {
    await mkdir(join(harness.dataRoot, 'containers', '.tmp-999999999-dead'), { recursive: true });
    await mkdir(join(harness.dataRoot, 'images', '.tmp-999999999-dead'), { recursive: true });
    expect((await cli(['ps', '-a'])).exitCode).toBe(0);
    expect((await cli(['images'])).exitCode).toBe(0);
    expect((await readdir(join(harness.dataRoot, 'containers'))).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
    expect((await readdir(join(harness.dataRoot, 'images'))).filter((entry) => entry.startsWith('.tmp-'))).toEqual([]);
  });
});

describe('mounts onto /', () => {
  it.each([
    [['-v', '/DIR:/'], '--volume', '/DIR:/'],
    [['-v', '/DIR://'], '--volume', '/DIR://'],
    [['--mount', 'type=bind,source=/DIR,target=/'], '--mount', 'type=bind,source=/DIR,target=/'],
    [['--tmpfs', '/'], '--tmpfs', '/'],
  ])('%j is refused before anything is created', async (flags, flag, typed) => {
    const dir = join(base, `onto-root-${flag.slice(2)}`);
    const args = flags.map((arg) => arg.replace('/DIR', dir));
    expect(await cli(['run', '--rm', ...args, 'busybox', 'true'])).toEqual({
      exitCode: 125,
      stdout: '',
      stderr: `execdriver: invalid value ${JSON.stringify(typed.replace('/DIR', dir))} for flag ${flag}: destination can't be '/'\n`,
    });
    expect(existsSync(dir)).toBe(false);
    expect(harness.leftovers()).toEqual([]);
  });
});

describe('exec -d', () => {
  it('passes -e values without putting them on any command line', async () => {
    expect((await cli(['run', '-d', '--name', 'secrets', 'busybox', 'sleep', '60'])).exitCode).toBe(0);
    const secret = `hunter2-${process.pid}`;
    expect(await cli(['exec', '-d', '-e', `SECRET=${secret}`, 'secrets', 'sh', '-c', 'echo "$SECRET" > /tmp/out; sleep 3'])).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    const dir = await containerDir('secrets');
    // While the exec runs, no process of the host shows the value in its command line.
    await waitFor('the detached exec to write', () => (existsSync(join(dir, 'upper/tmp/out')) ? true : undefined));
    const cmdlines = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    expect(cmdlines.filter((line) => line.includes(secret))).toEqual([]);
    expect(readFileSync(join(dir, 'upper/tmp/out'), 'utf8')).toBe(`${secret}\n`);
    expect((await cli(['rm', '-f', 'secrets'])).exitCode).toBe(0);
  });
});
