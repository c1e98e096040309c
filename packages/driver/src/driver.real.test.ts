import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findLeftovers, removeCgroupDirs, temporaryBusyboxRootfs } from '@execdriver/testkit';
import { detectLsm } from '@execdriver/oci';
import type { CommandInput } from '@execdriver/spec';
import { createDriver, DriverError, type Driver } from './index.js';

const run = promisify(execFile);
/** The OCI runtime under test: runc, or another one named by EXECDRIVER_RUNTIME (test-v2vm.sh runs the suite with runc and with crun). */
const runtimeName = process.env.EXECDRIVER_RUNTIME || 'runc';
const prefix = `execdriver-test-driver-${process.pid}`;

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    text: () => text,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<DriverError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).code).toBe(code);
    return error as DriverError;
  }
  throw new Error(`expected ${code}`);
}

describe('driver on real containers', () => {
  let driver: Driver;
  let stateRoot: string;
  let rootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>>;
  let counter = 0;
  const ids: string[] = [];
  const nextId = () => {
    counter += 1;
    const id = `drv-${process.pid}-${counter}`;
    ids.push(id);
    return id;
  };
  const command = (args: string[], extra: Partial<CommandInput> = {}): CommandInput => ({
    id: nextId(),
    rootfs: rootfs.rootfs,
    process: { args },
    ...extra,
  });

  beforeAll(async () => {
    stateRoot = await mkdtemp(join(tmpdir(), 'execdriver-driver-'));
    rootfs = await temporaryBusyboxRootfs();
    driver = await createDriver({ stateRoot, cgroupsPathPrefix: prefix, runtime: runtimeName });
  });

  afterAll(async () => {
    for (const id of ids) await driver.clean(id).catch(() => undefined);
    removeCgroupDirs(prefix);
    await rm(stateRoot, { recursive: true, force: true });
    await rootfs.remove();
  });

  test('a missing runc is RUNC_MISSING with the install command', async () => {
    const error = await expectCode(createDriver({ stateRoot, runc: 'no-such-runc-binary' }), 'RUNC_MISSING');
    expect(error.message).toContain('apt-get install -y runc');
    const broken = await expectCode(createDriver({ stateRoot: join(stateRoot, 'broken'), runc: '/bin/false' }), 'RUNC_MISSING');
    expect(broken.message).toContain('/bin/false');
  });

  test('the state root is private (0700), the parents it makes are not', async () => {
    const nested = join(stateRoot, 'made', 'for', 'state');
    await createDriver({ stateRoot: nested, cgroupsPathPrefix: prefix, runtime: runtimeName });
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateRoot, 'made', 'for')).mode & 0o777).toBe(0o755);
  });

  test('name and hooks support', () => {
    expect(driver.name()).toMatch(new RegExp(`^${runtimeName}-\\d+\\.\\d+`));
    expect(driver.supportsHooks()).toBe(true);
  });

  test('run returns the exit code and the output', async () => {
    const out = collect();
    const err = collect();
    const cmd = command(['sh', '-c', 'echo hello; echo oops >&2; exit 7']);
    await expect(driver.run(cmd, { stdout: out.stream, stderr: err.stream })).resolves.toEqual({ exitCode: 7, oomKilled: false });
    expect(out.text()).toBe('hello\n');
    expect(err.text()).toBe('oops\n');
    const summary = await driver.inspect(cmd.id);
    expect(summary).toMatchObject({ status: 'stopped', exitCode: 7, oomKilled: false });
  });

  test('the container gets its own /etc/hostname and /etc/hosts, and LSM settings a host lacks are dropped with a warning', async () => {
    // Where AppArmor runs, an unknown profile is a real error (runc's); where it does not (these
    // machines and the v2 VM), Docker ignores the profile, and so do we, saying so.
    const apparmor = (await detectLsm()).apparmor;
    const out = collect();
    const cmd = command(['sh', '-c', 'cat /etc/hostname; grep -c "$(hostname)" /etc/hosts; test -f /etc/resolv.conf && echo resolv'], {
      hostname: 'box1',
      ...(apparmor ? {} : { appArmorProfile: 'docker-default' }),
    });
    const warnings: string[] = [];
    const started = await driver.start(cmd, { stdout: out.stream }, {}, { onWarning: (message) => warnings.push(message) });
    await expect(started.exited).resolves.toEqual({ exitCode: 0, oomKilled: false });
    expect(out.text()).toBe('box1\n1\nresolv\n');
    if (!apparmor) expect(warnings.join('\n')).toMatch(/apparmor/i);
    expect(started.warnings).toEqual(warnings);
  });

  test('an unlimited rlimit (-1) reaches the container as RLIM_INFINITY', async () => {
    const out = collect();
    // Raising a hard limit needs CAP_SYS_RESOURCE, which these machines do not give: the test
    // uses limits whose hard value is already unlimited here (core, stack) and raises the soft one.
    const cmd = command(['sh', '-c', 'ulimit -S -s; ulimit -H -c; ulimit -S -c'], {
      resources: { ulimits: [{ name: 'stack', soft: -1, hard: -1 }, { name: 'core', soft: 0, hard: -1 }] },
    });
    await expect(driver.run(cmd, { stdout: out.stream })).resolves.toEqual({ exitCode: 0, oomKilled: false });
    expect(out.text()).toBe('unlimited\nunlimited\n0\n');
  });

  test('spec() is the config start() writes, and creates nothing', async () => {
    const cmd = command(['true'], { resources: { memory: 64 * 1024 * 1024 }, privileged: true });
    const preview = await driver.spec(cmd);
    expect(existsSync(join(stateRoot, 'containers', cmd.id))).toBe(false);
    expect(findLeftovers(cmd.id)).toEqual([]);
    await driver.start(cmd, { logs: true });
    const written = JSON.parse(readFileSync(join(stateRoot, 'containers', cmd.id, 'config.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(preview.spec)));
    expect(preview.spec.mounts?.map((mount) => mount.destination)).toEqual(expect.arrayContaining(['/etc/hosts', '/etc/resolv.conf', '/etc/hostname']));
    await driver.wait(cmd.id);
    await driver.clean(cmd.id);
  });

  test('the late watcher of an earlier run neither records into nor releases a later run of the id by another process', async () => {
    // Another process (a restart monitor) starts the id again while this one's watcher of the first
    // run still waits for its unread output (bounded): id locks are per process. The late watcher
    // once deleted the new run with `runc delete --force`, or removed the cgroup it runs in.
    const other = await createDriver({ stateRoot, cgroupsPathPrefix: prefix, runtime: runtimeName });
    const cmd = command(['sh', '-c', 'echo unread; exec sleep 100']);
    const first = await driver.start(cmd, { fifos: true });
    let second: Awaited<ReturnType<Driver['start']>> | undefined;
    try {
      process.kill(first.pid, 'SIGKILL');
      for (let waited = 0; existsSync(`/proc/${first.pid}`); waited += 20) {
        if (waited > 10_000) throw new Error('the first run did not end');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.clean(cmd.id);
      second = await other.start(cmd, {});
      const firstStatus = await first.exited;
      expect(firstStatus.exitCode).toBe(137);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(existsSync(`/proc/${second.pid}`)).toBe(true);
      const summary = await other.inspect(cmd.id);
      expect(summary).toMatchObject({ status: 'running', pid: second.pid });
      expect(summary.exitCode).toBeUndefined();
    } finally {
      first.output?.stdout.destroy();
      first.output?.stderr.destroy();
      await other.kill(cmd.id, 'KILL').catch(() => undefined);
      if (second) await second.exited.catch(() => undefined);
      await other.clean(cmd.id);
    }
  });

  test('fifos: output on FIFOs the shim holds; the container gets no EPIPE when the reader goes; openOutput reads on', async () => {
    const go = join(rootfs.rootfs, `fifo-go-${process.pid}`);
    const go2 = `${go}-2`;
    const inside = `/fifo-go-${process.pid}`;
    try {
      const cmd = command(['sh', '-c', `echo one; until [ -e ${inside} ]; do sleep 0.05; done; seq 1 1000; echo err >&2; touch ${inside}-written; until [ -e ${inside}-2 ]; do sleep 0.05; done; echo last; exit 5`]);
      const started = await driver.start(cmd, { fifos: true });
      const fifo = join(stateRoot, 'containers', cmd.id, 'stdout.fifo');
      expect(statSync(fifo).isFIFO()).toBe(true);
      expect(statSync(fifo).mode & 0o777).toBe(0o600);
      expect(started.output).toBeDefined();
      const first = await new Promise<string>((resolve) => started.output!.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      expect(first).toBe('one\n');
      // The reader goes; the container writes on (into the pipe the shim holds), no SIGPIPE.
      started.output!.stdout.destroy();
      started.output!.stderr.destroy();
      await writeFile(go, '');
      // Written while nobody reads (the container says so), then read from a new reader.
      for (let waited = 0; !existsSync(`${go}-written`); waited += 50) {
        if (waited > 20_000) throw new Error('the container did not write');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const output = driver.openOutput(cmd.id);
      expect(output).toBeDefined();
      const read = (stream: NodeJS.ReadableStream) =>
        new Promise<string>((resolve) => {
          let text = '';
          stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
          stream.once('end', () => resolve(text));
        });
      const stdout = read(output!.stdout);
      const stderr = read(output!.stderr);
      await writeFile(go2, '');
      await expect(started.exited).resolves.toEqual({ exitCode: 5, oomKilled: false });
      // The readers end once the shim is gone, with all that was written.
      expect(await stdout).toBe(`${Array.from({ length: 1000 }, (_, index) => index + 1).join('\n')}\nlast\n`);
      expect(await stderr).toBe('err\n');
      await driver.clean(cmd.id);
      expect(driver.openOutput(cmd.id)).toBeUndefined();
    } finally {
      await rm(go, { force: true });
      await rm(go2, { force: true });
      await rm(`${go}-written`, { force: true });
    }
  });

  test('fifos with a tty: the terminal is held by script (no process of ours); keyboard in, screen out, resize, exit code', async () => {
    const script = 'stty size; read line; echo "got $line"; stty size; read more; echo "then $more"; exit 4';
    const cmd = command([], { process: { args: ['sh', '-c', script], tty: true, consoleSize: { width: 100, height: 30 } } });
    const started = await driver.start(cmd, { fifos: true });
    expect(statSync(join(stateRoot, 'containers', cmd.id, 'stdin.fifo')).mode & 0o777).toBe(0o600);
    let screen = '';
    started.output!.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const waitFor = async (text: string) => {
      for (let waited = 0; !screen.includes(text); waited += 20) {
        if (waited > 20_000) throw new Error(`no ${JSON.stringify(text)} on the screen: ${JSON.stringify(screen)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // The console size asked for, on the container's own terminal (onlcr: \r\n).
    await waitFor('30 100\r\n');
    // Nothing between the container and us is a Node process: its ancestors are the runtime, script, the sh shim.
    const ancestors: string[] = [];
    for (let pid = started.pid, level = 0; level < 3; level += 1) {
      pid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      ancestors.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    }
    expect(ancestors).toEqual([runtimeName, 'script', 'sh']);
    const keyboard = driver.openInput(cmd.id)!;
    expect(keyboard).toBeDefined();
    await driver.resizeTerminal(cmd.id, 120, 40);
    keyboard.write('hello\r');
    // Echoed once (by the container's terminal), then read by the shell.
    await waitFor('got hello\r\n40 120\r\n');
    expect(screen.split('hello').length - 1).toBe(2);
    // A second writer (another attach) reaches the same terminal.
    const other = driver.openInput(cmd.id)!;
    other.end('again\r');
    keyboard.end();
    await expect(started.exited).resolves.toEqual({ exitCode: 4, oomKilled: false });
    expect(screen).toContain('then again\r\n');
    await expectCode(driver.resizeTerminal(cmd.id, 80, 24), 'CONTAINER_NOT_RUNNING');
    await driver.clean(cmd.id);
    expect(driver.openInput(cmd.id)).toBeUndefined();
  });

  test('fifos with openStdin and no tty: the caller holds the only writer of stdin; its end is EOF', async () => {
    const cmd = command(['sh', '-c', 'cat; echo "eof seen"; exit 6']);
    const started = await driver.start(cmd, { fifos: true, openStdin: true });
    expect(started.input).toBeDefined();
    let out = '';
    started.output!.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    started.output!.stderr.resume();
    started.input!.write('line one\n');
    for (let waited = 0; !out.includes('line one\n'); waited += 20) {
      if (waited > 20_000) throw new Error(`cat did not echo: ${JSON.stringify(out)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(out).not.toContain('eof seen');
    started.input!.end('line two\n');
    await expect(started.exited).resolves.toEqual({ exitCode: 6, oomKilled: false });
    expect(out).toBe('line one\nline two\neof seen\n');
    await driver.clean(cmd.id);
  });

  test('a signal gives 128 + n', async () => {
    // PID 1 of a pid namespace ignores signals sent from inside it, so the signal comes from outside.
    const cmd = command(['sleep', '100']);
    const started = await driver.start(cmd);
    await driver.kill(cmd.id, 9);
    await expect(started.exited).resolves.toEqual({ exitCode: 137, oomKilled: false });
  });

  test('stdin is streamed and its end propagated', async () => {
    const out = collect();
    const stdin = new PassThrough();
    const result = driver.run(command(['sh', '-c', 'cat; echo done']), { stdin, stdout: out.stream });
    stdin.write('line one\n');
    stdin.end('line two\n');
    await expect(result).resolves.toEqual({ exitCode: 0, oomKilled: false });
    expect(out.text()).toBe('line one\nline two\ndone\n');
  });

  test('preStart runs before the user process, start after, postStop after release', async () => {
    const events: string[] = [];
    const cmd = command(['sh', '-c', 'echo ran']);
    let preStartCmdline = '';
    const status = await driver.run(cmd, { stdout: collect().stream }, {
      preStart: [
        (process, pid) => {
          // The user's process has not started yet: runc's init holds the pid.
          preStartCmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
          expect(existsSync(`/proc/${pid}/ns/pid`)).toBe(true);
          events.push(`preStart ${process.args[0]}`);
        },
      ],
      start: (_process, pid) => {
        events.push(`start ${pid > 0}`);
      },
      postStop: [
        (_process, _pid, exit) => {
          events.push(`postStop ${exit.exitCode}`);
        },
      ],
    });
    expect(status.exitCode).toBe(0);
    // The runtime's own process holds the pid (runc's `runc init`, crun's `crun run`), not the user's yet.
    expect(preStartCmdline).toContain(runtimeName === 'crun' ? 'crun' : 'init');
    expect(preStartCmdline).not.toContain('echo ran');
    expect(events).toEqual(['preStart sh', 'start true', 'postStop 0']);
    // postStop runs once runc released the container.
    await expect(run(runtimeName, ['--root', join(stateRoot, runtimeName), 'state', cmd.id])).rejects.toThrow();
  });

  test('a throwing preStart aborts the start and leaves nothing', async () => {
    const cmd = command(['sh', '-c', 'echo should-not-run > /tmp/ran; sleep 10']);
    const error = await expectCode(
      driver.run(cmd, {}, { preStart: [() => { throw new Error('no network for you'); }] }),
      'HOOK_FAILED',
    );
    expect(error.message).toContain('no network for you');
    expect((error.cause as Error).message).toBe('no network for you');
    expect(existsSync(join(stateRoot, 'containers', cmd.id))).toBe(false);
    expect(existsSync(join(rootfs.rootfs, 'tmp/ran'))).toBe(false);
    expect(findLeftovers(cmd.id)).toEqual([]);
    await expectCode(driver.inspect(cmd.id), 'CONTAINER_NOT_FOUND');
  });

  test('OOM: a 32 MiB limit and a 200 MiB allocation', async () => {
    const cmd = command(['sh', '-c', 'head -c 200m /dev/zero | tail > /dev/null'], {
      resources: { memory: 32 * 1024 * 1024, memorySwap: 32 * 1024 * 1024 },
    });
    const status = await driver.run(cmd);
    expect(status).toEqual({ exitCode: 137, oomKilled: true });
    expect((await driver.inspect(cmd.id)).oomKilled).toBe(true);
  });

  test('oomEvents delivers an OOM while the container runs', async () => {
    const cmd = command(['sh', '-c', 'head -c 200m /dev/zero | tail > /dev/null; sleep 0.5'], {
      resources: { memory: 32 * 1024 * 1024, memorySwap: 32 * 1024 * 1024 },
    });
    const seen: { newOomKills: number }[] = [];
    let watching: Promise<void> | undefined;
    const status = await driver.run(cmd, {}, {
      preStart: [
        (_process, _pid, oomEvents) => {
          watching = (async () => {
            for await (const event of oomEvents) seen.push(event);
          })();
        },
      ],
    });
    // The feed ends with the container; it has delivered every kill the cgroup counted.
    await watching;
    // Which process the kernel kills is its choice (tail, usually); the OOM is what matters.
    expect(status.oomKilled).toBe(true);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.reduce((total, event) => total + event.newOomKills, 0)).toBeGreaterThanOrEqual(1);
  });

  describe('a running container', () => {
    let id: string;
    beforeAll(async () => {
      const cmd = command(['sh', '-c', 'trap "echo got-term; exit 42" TERM; echo ready; while true; do sleep 0.1; done'], {
        resources: { memory: 64 * 1024 * 1024, pidsLimit: 50 },
      });
      id = cmd.id;
      await driver.start(cmd, { logs: true });
    });

    test('info, inspect, list and getPids', async () => {
      await expect(driver.info(id).isRunning()).resolves.toBe(true);
      const summary = await driver.inspect(id);
      expect(summary.status).toBe('running');
      expect(summary.pid).toBeGreaterThan(0);
      expect((await driver.list()).map((container) => container.id)).toContain(id);
      const pids = await driver.getPids(id);
      expect(pids).toContain(summary.pid);
    });

    test('exec returns the exit code of another process, with its own user, env and cwd', async () => {
      await expect(driver.exec(id, { args: ['sh', '-c', 'exit 3'] })).resolves.toBe(3);
      const out = collect();
      await expect(driver.exec(id, { args: ['sh', '-c', 'echo $(id -u):$(id -g) $GREETING $(pwd)'], user: 'tester', env: ['GREETING=hi'], workingDir: '/tmp' }, { stdout: out.stream })).resolves.toBe(0);
      expect(out.text()).toBe('1000:1000 hi /tmp\n');
      const caps = collect();
      await expect(driver.exec(id, { args: ['grep', 'CapEff', '/proc/self/status'], privileged: true }, { stdout: caps.stream })).resolves.toBe(0);
      // Privileged: every capability this process holds in its bounding set.
      const own = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
      expect(caps.text()).toBe(`CapEff:\t${own}\n`);
      const plain = collect();
      await driver.exec(id, { args: ['grep', 'CapEff', '/proc/self/status'] }, { stdout: plain.stream });
      expect(plain.text()).toBe('CapEff:\t00000000a80425fb\n');
    });

    test('exec: the exec user\'s HOME, TERM with a tty, errors that name what failed', async () => {
      const out = collect();
      await driver.exec(id, { args: ['sh', '-c', 'echo $HOME'], user: 'tester' }, { stdout: out.stream });
      expect(out.text()).toBe('/home/tester\n');
      const tty = collect();
      await expect(driver.exec(id, { args: ['sh', '-c', 'echo term=$TERM'], tty: true }, { stdout: tty.stream })).resolves.toBe(0);
      expect(tty.text()).toContain('term=xterm');
      const missing = await expectCode(driver.exec(id, { args: ['/no/such/program'] }), 'COMMAND_NOT_FOUND');
      expect(missing.message).toMatch(/no such file or directory/i);
      const ghost = await expectCode(driver.exec(id, { args: ['id'], user: 'ghost' }), 'INVALID_COMMAND');
      expect(ghost.message).toContain('ghost');
      const relative = await expectCode(driver.exec(id, { args: ['id'], workingDir: 'tmp' }), 'INVALID_COMMAND');
      expect(relative.message).toContain('(got "tmp")');
      // A process that runs and exits 255 is a result, not a runc failure.
      await expect(driver.exec(id, { args: ['sh', '-c', 'exit 255'] })).resolves.toBe(255);
    });

    test('stats', async () => {
      const stats = await driver.stats(id);
      expect(stats.cgroup.memory?.usageBytes).toBeGreaterThan(0);
      expect(stats.memoryLimitBytes).toBe(64 * 1024 * 1024);
      expect(stats.cgroup.pids?.current).toBeGreaterThanOrEqual(1);
      expect(stats.cgroup.pids?.limit).toBe(50);
      expect(stats.cgroup.cpu?.usageNanoseconds).toBeGreaterThan(0);
      expect(stats.systemCpuUsageNanoseconds).toBeGreaterThan(0);
      expect(Object.keys(stats.networks)).toContain('lo');
      // brief: the figures of a docker stats line only, the same kernel counters.
      const brief = await driver.stats(id, { brief: true });
      expect(brief.cgroup.memory?.usageBytes).toBeGreaterThan(0);
      expect(brief.memoryLimitBytes).toBe(64 * 1024 * 1024);
      expect(brief.cgroup.pids).toEqual({ current: stats.cgroup.pids?.current });
      expect(brief.cgroup.cpu?.usageNanoseconds).toBeGreaterThanOrEqual(stats.cgroup.cpu!.usageNanoseconds!);
      expect(brief.cgroup.cpu?.perCpuUsageNanoseconds).toBeUndefined();
      expect(brief.cgroup.pressure).toBeUndefined();
    });

    test('pause: exec fails at once with CONTAINER_PAUSED; unpause resumes', async () => {
      await driver.pause(id);
      expect((await driver.inspect(id)).status).toBe('paused');
      const started = Date.now();
      await expectCode(driver.exec(id, { args: ['true'] }), 'CONTAINER_PAUSED');
      expect(Date.now() - started).toBeLessThan(5000);
      await expectCode(driver.pause(id), 'CONTAINER_PAUSED');
      await driver.unpause(id);
      expect((await driver.inspect(id)).status).toBe('running');
      await expect(driver.exec(id, { args: ['true'] })).resolves.toBe(0);
    });

    test('kill delivers the signal; the exit code is recorded', async () => {
      await driver.kill(id, 'TERM');
      await expect(driver.wait(id)).resolves.toEqual({ exitCode: 42, oomKilled: false });
      expect(readFileSync(driver.logPaths(id).stdout, 'utf8')).toBe('ready\ngot-term\n');
      // stats() knew it running (it keeps the record while the process lives): not any more.
      await expectCode(driver.stats(id), 'CONTAINER_NOT_RUNNING');
      await expectCode(driver.kill(id, 'TERM'), 'CONTAINER_NOT_RUNNING');
      await expectCode(driver.exec(id, { args: ['true'] }), 'CONTAINER_NOT_RUNNING');
    });
  });

  test('terminate kills everything and resolves once it is gone; clean removes every trace, twice', async () => {
    const cmd = command(['sh', '-c', 'sleep 1000 & sleep 1000']);
    await driver.start(cmd, { logs: true });
    await driver.terminate(cmd.id);
    expect(await driver.info(cmd.id).isRunning()).toBe(false);
    expect((await driver.inspect(cmd.id)).exitCode).toBe(137);
    await driver.clean(cmd.id);
    await driver.clean(cmd.id);
    expect(existsSync(join(stateRoot, 'containers', cmd.id))).toBe(false);
    expect(findLeftovers(cmd.id)).toEqual([]);
    await expectCode(driver.inspect(cmd.id), 'CONTAINER_NOT_FOUND');
  });

  test('clean() of a running container whose record is broken kills it through its cgroup', async () => {
    const cmd = command(['sleep', '1000']);
    const started = await driver.start(cmd, { logs: true });
    await writeFile(join(stateRoot, 'containers', cmd.id, 'container.json'), 'garbage');
    await expectCode(driver.inspect(cmd.id), 'CONTAINER_BROKEN');
    expect((await driver.list({ includeBroken: true })).find((entry) => entry.id === cmd.id)?.status).toBe('broken');
    await driver.clean(cmd.id);
    await started.exited.catch(() => undefined);
    expect(existsSync(`/proc/${started.pid}`) && !readFileSync(`/proc/${started.pid}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect(existsSync(join(stateRoot, 'containers', cmd.id))).toBe(false);
    expect(findLeftovers(cmd.id)).toEqual([]);
  });

  test('clean() of a running container whose runc state.json is unreadable does not say done while it runs', async () => {
    const cmd = command(['sleep', '1000']);
    const started = await driver.start(cmd, { logs: true });
    // runc's state file is state.json, crun's status.
    await writeFile(join(stateRoot, runtimeName, cmd.id, runtimeName === 'crun' ? 'status' : 'state.json'), '{"trunc');
    await driver.clean(cmd.id);
    await started.exited.catch(() => undefined);
    expect(existsSync(`/proc/${started.pid}`) && !readFileSync(`/proc/${started.pid}/stat`, 'utf8').includes(') Z')).toBe(false);
    expect(existsSync(join(stateRoot, runtimeName, cmd.id))).toBe(false);
    expect(existsSync(join(stateRoot, 'containers', cmd.id))).toBe(false);
    expect(findLeftovers(cmd.id)).toEqual([]);
  });

  test('ids that are not container ids never reach the filesystem or runc', async () => {
    const victim = join(stateRoot, 'victim');
    await mkdir(victim, { recursive: true });
    for (const bad of ['../victim', '..', '.', 'a/b', '', '-rf']) {
      await expectCode(driver.clean(bad), 'INVALID_ID');
      await expectCode(driver.inspect(bad), 'INVALID_ID');
      await expectCode(driver.kill(bad, 'KILL'), 'INVALID_ID');
    }
    expect(() => driver.info('../victim')).toThrow(DriverError);
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(join(stateRoot, 'containers'))).toBe(true);
    await rm(victim, { recursive: true });
  });

  test('an exited container is released without runc delete unless it has OCI poststop hooks', async () => {
    const cgroupDir = (id: string) => (existsSync('/sys/fs/cgroup/memory') ? join('/sys/fs/cgroup/memory', prefix, id) : join('/sys/fs/cgroup', prefix, id));
    // A driver postStop callback makes run() wait for the release.
    const plain = command(['true']);
    expect((await driver.run(plain, {}, { postStop: [() => undefined] })).exitCode).toBe(0);
    expect(existsSync(join(stateRoot, runtimeName, plain.id))).toBe(false);
    expect(existsSync(cgroupDir(plain.id))).toBe(false);
    // runc runs OCI poststop hooks on delete: with one, runc still releases the container.
    const marker = join(stateRoot, `poststop-${process.pid}`);
    const hooked = command(['true'], { hooks: { poststop: [{ path: '/bin/sh', args: ['sh', '-c', `echo ran > ${marker}`] }] } });
    expect((await driver.run(hooked, {}, { postStop: [() => undefined] })).exitCode).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    expect(existsSync(join(stateRoot, runtimeName, hooked.id))).toBe(false);
    expect(existsSync(cgroupDir(hooked.id))).toBe(false);
    await rm(marker);
    await driver.clean(plain.id);
    await driver.clean(hooked.id);
  });

  test('a throwing postStop rejects with HOOK_FAILED', async () => {
    const error = await expectCode(driver.run(command(['true']), {}, { postStop: [() => { throw new Error('poststop boom'); }] }), 'HOOK_FAILED');
    expect(error.message).toContain('poststop boom');
  });

  test('bad input leaves nothing behind', async () => {
    await expectCode(driver.run({ id: 'bad id', rootfs: rootfs.rootfs, process: { args: ['true'] } }), 'INVALID_COMMAND');
    await expectCode(driver.run(command(['true'], { rootfs: '/nonexistent/rootfs' })), 'ROOTFS_NOT_FOUND');
    // runc 1.1 lists no time namespace in `runc features`: refused before runc sees it.
    const timeNs = command(['true'], { namespaces: { time: { mode: 'new' } } });
    // crun 1.8 has no `features`: the runtime itself refuses it (RUNC_FAILED with its words).
    const unsupported = await expectCode(driver.run(timeNs), runtimeName === 'runc' ? 'INVALID_COMMAND' : 'RUNC_FAILED');
    if (runtimeName === 'runc') expect(unsupported.message).toContain('time');
    expect(existsSync(join(stateRoot, 'containers', timeNs.id))).toBe(false);
    const missing = command(['/no/such/program']);
    const error = await expectCode(driver.run(missing), 'COMMAND_NOT_FOUND');
    expect(error.message).toMatch(/no such file|not found/i);
    expect(existsSync(join(stateRoot, 'containers', missing.id))).toBe(false);
    expect(findLeftovers(missing.id)).toEqual([]);
    const dup = command(['sleep', '5']);
    await driver.start(dup, { logs: true });
    await expectCode(driver.start({ ...dup }, { logs: true }), 'CONTAINER_EXISTS');
    await driver.clean(dup.id);
    await expectCode(driver.kill('nope-nope', 'KILL'), 'CONTAINER_NOT_FOUND');
    await expectCode(driver.kill(dup.id, 'FLY'), 'INVALID_SIGNAL');
  });

  test('20 containers in parallel', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, index) => {
        const out = collect();
        const status = await driver.run(command(['sh', '-c', `echo n${index}; exit ${index % 5}`]), { stdout: out.stream });
        return { status, out: out.text() };
      }),
    );
    results.forEach((result, index) => {
      expect(result.status.exitCode).toBe(index % 5);
      expect(result.out).toBe(`n${index}\n`);
    });
  });

  test('exit statuses outlive the process that started the container', async () => {
    const fixture = join(import.meta.dirname, '__fixtures__/start-and-die.mjs');
    // 1. The starter exits at once; the container exits later with 5.
    const early = nextId();
    await run(process.execPath, [fixture, stateRoot, prefix, early, rootfs.rootfs, 'exit', 'sleep 0.3; exit 5']);
    const fresh = await createDriver({ stateRoot, cgroupsPathPrefix: prefix });
    await expect(fresh.wait(early)).resolves.toEqual({ exitCode: 5, oomKilled: false });
    // 2. The starter is killed with SIGKILL while its container runs; a new driver finds, kills and cleans it.
    const crashed = nextId();
    const child = spawn(process.execPath, [fixture, stateRoot, prefix, crashed, rootfs.rootfs, 'hang', 'sleep 1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const survivor = await createDriver({ stateRoot, cgroupsPathPrefix: prefix });
    expect((await survivor.list()).find((container) => container.id === crashed)?.status).toBe('running');
    await survivor.kill(crashed, 'KILL');
    await expect(survivor.wait(crashed)).resolves.toEqual({ exitCode: 137, oomKilled: false });
    await survivor.clean(crashed);
    expect(findLeftovers(crashed)).toEqual([]);
  });

  test('leak check: nothing of this suite is left', async () => {
    for (const id of ids) await driver.clean(id);
    expect(await readdir(join(stateRoot, 'containers'))).toEqual([]);
    expect(findLeftovers(`drv-${process.pid}-`)).toEqual([]);
    // runc creates the parent of the containers' cgroups and leaves it: it must be empty.
    expect(removeCgroupDirs(prefix)).toEqual([]);
    const { stdout } = await run(runtimeName, ['--root', join(stateRoot, runtimeName), 'list', '-q']);
    expect(stdout.trim()).toBe('');
  });
});
