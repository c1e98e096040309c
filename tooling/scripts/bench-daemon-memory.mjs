// Memory of the daemon per running container, non-tty and tty (issue 13, issue 15): a private execdriverd,
// BENCH_MEMORY_CONTAINERS (default 10) `docker run -d` containers that print every second, and the
// PSS (/proc/PID/smaps_rollup) of everything added per container: its sh shim and `runc run`, and
// the daemon's own growth (its log copiers). Beside it, the CLI's way (a Node log holder per
// container) on the same roots. Checks what it measures: every command exits 0, every container
// runs and its output reaches `docker logs`, and the container's ancestors are runc, the shim and
// the daemon (no other process of ours names it). Needs root, runc, the docker CLI and `pnpm build`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchBridge, check, pss, removeBridge } from './bench-kit.mjs';

const count = Number(process.env.BENCH_MEMORY_CONTAINERS ?? 10);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const daemonPath = join(repo, 'apps/daemon/dist/execdriverd.js');
const cliPath = join(repo, 'apps/cli/dist/cli.js');
const base = mkdtempSync(join(tmpdir(), 'execdriver-bench-memory-'));
const prefix = `execdriver-bench-memory-${process.pid}`;
const socket = join(base, 'd.sock');
const bridge = benchBridge('m');
const roots = { EXECDRIVER_STATE_ROOT: join(base, 'state'), EXECDRIVER_DATA_ROOT: join(base, 'data'), EXECDRIVER_CGROUP_PREFIX: prefix, EXECDRIVER_BRIDGE: bridge };
const env = { ...process.env, ...roots, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(base, 'docker-config') };

if (process.getuid?.() !== 0) throw new Error('the memory benchmark needs root (it runs containers)');
for (const path of [daemonPath, cliPath]) if (!existsSync(path)) throw new Error(`${path} is missing: run pnpm build first`);

const docker = (...args) => check('docker', args, { env, timeout: 60_000 });
const cli = (...args) => check(process.execPath, [cliPath, ...args], { env, timeout: 60_000 });
function processInfo(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]),
    cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
  };
}
/** Pids whose command line names the container. */
function naming(id) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(id)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}
async function waitFor(what, test, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    if (test()) return;
    if (Date.now() > deadline) throw new Error(`benchmark aborted: timed out waiting for ${what}`);
    await sleep(100);
  }
}
const mib = (kib) => (kib / 1024).toFixed(1);
const printing = ['busybox', 'sh', '-c', 'while true; do echo tick; sleep 1; done'];

let daemon;
try {
  daemon = spawn(process.execPath, [daemonPath, '-H', `unix://${socket}`, '--data-root', roots.EXECDRIVER_DATA_ROOT, '--exec-root', roots.EXECDRIVER_STATE_ROOT, '--pidfile', join(base, 'pid')], {
    env: { ...process.env, EXECDRIVER_CGROUP_PREFIX: prefix, EXECDRIVER_BRIDGE: bridge },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let daemonLog = '';
  daemon.stderr.on('data', (chunk) => (daemonLog = (daemonLog + chunk).slice(-4000)));
  await waitFor(`execdriverd to answer (${daemonLog.trim().split('\n').pop()})`, () => daemon.exitCode === null && spawnSync('docker', ['version'], { env, stdio: 'ignore' }).status === 0);
  // Warm-up: the image, and the daemon's code paths of a detached run, its logs and its removal.
  const warm = docker('run', '-d', ...printing).trim();
  await waitFor('the warm-up output', () => docker('logs', warm).includes('tick'));
  docker('rm', '-f', warm);
  await sleep(2000); // the daemon settles before the baseline (a figure, not a correctness wait)
  const daemonBefore = pss(daemon.pid);

  const ids = [];
  for (let index = 0; index < count; index += 1) ids.push(docker('run', '-d', '--name', `mem-${index}`, ...printing).trim());
  const shims = [];
  for (const id of ids) {
    await waitFor(`the output of ${id.slice(0, 12)} in docker logs`, () => docker('logs', id).includes('tick'));
    const pid = Number(docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', id).trim().split(' ')[1]);
    if (docker('inspect', '-f', '{{.State.Running}}', id).trim() !== 'true') throw new Error(`benchmark aborted: ${id} is not running`);
    const runc = processInfo(pid).ppid;
    const shim = processInfo(runc).ppid;
    if (processInfo(runc).comm !== 'runc' || processInfo(shim).comm !== 'sh' || !processInfo(shim).cmdline.includes('execdriver-shim') || processInfo(shim).ppid !== daemon.pid) {
      throw new Error(`benchmark aborted: the ancestors of ${id.slice(0, 12)} are not runc, the shim and the daemon`);
    }
    const others = naming(id).filter((other) => other !== runc && other !== shim);
    if (others.length > 0) throw new Error(`benchmark aborted: other processes name ${id.slice(0, 12)}: ${others.join(', ')}`);
    shims.push({ runc, shim });
  }
  const daemonAfter = pss(daemon.pid);
  const shimKib = shims.reduce((sum, entry) => sum + pss(entry.shim), 0) / count;
  const runcKib = shims.reduce((sum, entry) => sum + pss(entry.runc), 0) / count;
  const daemonKib = (daemonAfter - daemonBefore) / count;

  // tty containers (`docker run -dit`): the terminal is held by script(1) between the runtime and the shim.
  const ttyIds = [];
  for (let index = 0; index < count; index += 1) ttyIds.push(docker('run', '-dit', '--name', `tty-${index}`, ...printing).trim());
  const ttyChains = [];
  for (const id of ttyIds) {
    await waitFor(`the output of ${id.slice(0, 12)} (tty) in docker logs`, () => docker('logs', id).includes('tick'));
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', id).trim());
    const runc = processInfo(pid).ppid;
    const script = processInfo(runc).ppid;
    const shim = processInfo(script).ppid;
    if (processInfo(runc).comm !== 'runc' || processInfo(script).comm !== 'script' || !processInfo(shim).cmdline.includes('execdriver-shim') || processInfo(shim).ppid !== daemon.pid) {
      throw new Error(`benchmark aborted: the ancestors of tty container ${id.slice(0, 12)} are not runc, script, the shim and the daemon`);
    }
    const others = naming(id).filter((other) => other !== runc && other !== script && other !== shim);
    if (others.length > 0) throw new Error(`benchmark aborted: other processes name ${id.slice(0, 12)}: ${others.join(', ')}`);
    ttyChains.push({ runc, script, shim });
  }
  const daemonAfterTty = pss(daemon.pid);
  const perTty = (key) => ttyChains.reduce((sum, entry) => sum + pss(entry[key]), 0) / count;
  const tty = { shim: perTty('shim'), script: perTty('script'), runc: perTty('runc'), daemon: (daemonAfterTty - daemonAfter) / count };

  // The CLI's way on the same roots: a Node log holder per detached container.
  const holderIds = [];
  for (let index = 0; index < 2; index += 1) holderIds.push(cli('run', '-d', '--name', `holder-${index}`, ...printing).trim());
  let holderKib = 0;
  for (const id of holderIds) {
    await waitFor(`the output of ${id.slice(0, 12)} (CLI) in docker logs`, () => docker('logs', id).includes('tick'));
    const holder = naming(id).find((pid) => processInfo(pid).cmdline.includes('__logs'));
    if (holder === undefined) throw new Error(`benchmark aborted: no log holder for ${id.slice(0, 12)}`);
    holderKib += pss(holder) / holderIds.length;
  }
  for (const id of [...ids, ...ttyIds, ...holderIds]) if (docker('inspect', '-f', '{{.State.Running}}', id).trim() !== 'true') throw new Error(`benchmark aborted: ${id} stopped while measured`);

  console.log(`daemon memory per running non-tty container (${count} running, PSS): ${mib(shimKib + runcKib + Math.max(daemonKib, 0))} MiB = sh shim ${mib(shimKib)} + runc run ${mib(runcKib)} + daemon growth ${mib(daemonKib)} (daemon ${mib(daemonBefore)} -> ${mib(daemonAfter)} MiB); the CLI's Node log holder alone: ${mib(holderKib)} MiB per container (target: no Node process per container)`);
  console.log(`daemon memory per running tty container (${count} running, PSS): ${mib(tty.shim + tty.script + tty.runc + Math.max(tty.daemon, 0))} MiB = sh shim ${mib(tty.shim)} + script ${mib(tty.script)} + runc run ${mib(tty.runc)} + daemon growth ${mib(tty.daemon)} (target: at most 5 MiB; no Node process per container)`);
} finally {
  if (daemon && daemon.exitCode === null) {
    const ids = spawnSync('docker', ['ps', '-aq'], { env, encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
    if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { env, stdio: 'ignore' });
    daemon.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => daemon.once('exit', resolve)), sleep(10_000)]);
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  const left = spawnSync(process.execPath, [cliPath, 'ps', '-aq'], { env, encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) spawnSync(process.execPath, [cliPath, 'rm', '-f', ...left], { env, stdio: 'ignore' });
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    try {
      rmdirSync(join('/sys/fs/cgroup', hierarchy, prefix));
    } catch {
      // Absent, or not a hierarchy.
    }
  }
  await removeBridge(bridge);
  rmSync(base, { recursive: true, force: true });
}
