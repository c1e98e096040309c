// execdriverd beside the real dockerd and podman's Docker-compatible service (issue 13): the same docker
// CLI runs `docker run --rm --network none busybox true` through each (interleaved rounds, medians), then
// each daemon's idle memory and the memory it adds per running container (10 `sleep` containers: the
// daemon's growth plus every process between the daemon or init and the container's own processes,
// e.g. our sh shim and runc, dockerd's containerd-shim, podman's conmon; PSS from /proc/PID/smaps_rollup).
// Every timed command must exit 0 or the benchmark stops with its stderr; a daemon that is missing or
// does not answer is skipped with a printed reason. Run as root after `pnpm build`.
// Knobs: BENCH_ROUNDS (default 9), BENCH_RUNNING (default 10).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { benchBridge, check, has, median, ping, pss as pssOf, removeBridge, time } from '../../../tooling/scripts/bench-kit.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const running = Number(process.env.BENCH_RUNNING ?? 10);
const daemonPath = fileURLToPath(new URL('../dist/execdriverd.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'execdriverd-bench-'));
const prefix = `execdriverd-bench-${process.pid}`;
const bridge = benchBridge('d');
const notes = [];
const cleanups = [];

if (process.getuid?.() !== 0) throw new Error('the daemon benchmark needs root (it runs containers)');
if (!existsSync(daemonPath)) throw new Error(`${daemonPath} is missing: run pnpm build first`);

const pss = (pid) => {
  try {
    return pssOf(pid);
  } catch {
    return 0;
  }
};
const parentOf = (pid) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
const commOf = (pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

/** Starts a daemon and waits for its socket (30 s); resolves to its process and how long it took to answer, or a reason. */
async function startDaemon(label, file, args, socket, env = process.env) {
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr.on('data', (chunk) => (log = (log + chunk).slice(-4000)));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([new Promise((resolve) => child.once('exit', resolve)), sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const started = Date.now();
  while (!(await ping(socket))) {
    if (child.exitCode !== null) return { reason: `${label} exited (${child.exitCode}): ${log.trim().split('\n').pop()}` };
    if (Date.now() - started > 30_000) return { reason: `${label} did not answer in 30 s: ${log.trim().split('\n').pop()}` };
    await sleep(10);
  }
  return { child, answeredMs: Date.now() - started };
}

const daemons = [];
try {
  // execdriverd on roots of its own; its built-in busybox is the root filesystem every daemon runs.
  const ours = join(base, 'execdriverd');
  const oursSocket = join(ours, 'run', 'd.sock');
  const oursEnv = { ...process.env, EXECDRIVER_CGROUP_PREFIX: prefix, EXECDRIVER_BRIDGE: bridge };
  const started = await startDaemon('execdriverd', process.execPath, ['--', daemonPath, '-H', `unix://${oursSocket}`, '--data-root', join(ours, 'data'), '--exec-root', join(ours, 'state'), '--pidfile', join(ours, 'pid')], oursSocket, oursEnv);
  if (started.reason) throw new Error(`benchmark aborted: ${started.reason}`);
  const oursDocker = { ...process.env, DOCKER_HOST: `unix://${oursSocket}`, DOCKER_CONFIG: join(ours, 'docker-config') };
  daemons.push({ label: 'execdriverd', pid: started.child.pid, answeredMs: started.answeredMs, env: oursDocker });
  check('docker', ['run', '--rm', '--network', 'none', 'busybox', 'true'], { env: oursDocker });
  const images = join(ours, 'data', 'images');
  const imageId = readdirSync(images).find((entry) => entry !== 'refs' && existsSync(join(images, entry, 'rootfs')));
  const rootfs = join(images, imageId, 'rootfs');

  if (!has('dockerd') || !has('docker')) notes.push('dockerd skipped: not installed (Debian docker.io)');
  else {
    const dir = join(base, 'docker');
    mkdirSync(dir);
    const socket = join(dir, 'd.sock');
    const docker = await startDaemon('dockerd', 'dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none', '-H', `unix://${socket}`, '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'pid')], socket);
    if (docker.reason) notes.push(`dockerd skipped: ${docker.reason}`);
    else {
      const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
      check('sh', ['-c', `tar -C '${rootfs}' -c . | docker import - busybox:latest`], { env });
      daemons.push({ label: 'dockerd', pid: docker.child.pid, answeredMs: docker.answeredMs, env });
    }
  }

  if (!has('podman')) notes.push('podman skipped: not installed (Debian podman)');
  else {
    const dir = join(base, 'podman');
    mkdirSync(dir);
    const socket = join(dir, 'p.sock');
    const podmanArgs = ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    // Podman's default ulimits are above what this machine lets a container set (runc: "error setting rlimit type 7"): lower ones.
    const conf = join(dir, 'containers.conf');
    writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
    const podmanEnv = { ...process.env, CONTAINERS_CONF: conf };
    const podman = await startDaemon('podman system service', 'podman', [...podmanArgs, 'system', 'service', '--time', '0', `unix://${socket}`], socket, podmanEnv);
    if (podman.reason) notes.push(`podman skipped: ${podman.reason}`);
    else {
      const env = { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') };
      check('sh', ['-c', `tar -C '${rootfs}' -c . | podman ${podmanArgs.join(' ')} import - docker.io/library/busybox:latest`]);
      daemons.push({ label: 'podman system service (runc)', pid: podman.child.pid, answeredMs: podman.answeredMs, env });
    }
  }

  // docker run --rm through each, interleaved round by round (one warm-up each).
  const runArgs = ['run', '--rm', '--network', 'none', 'busybox', 'true'];
  const timeThrough = (daemon) => {
    try {
      return time('docker', runArgs, { env: daemon.env });
    } catch (error) {
      throw new Error(`${error.message} (through ${daemon.label})`);
    }
  };
  for (const daemon of daemons) timeThrough(daemon);
  const samples = daemons.map(() => []);
  for (let round = 0; round < rounds; round += 1) daemons.forEach((daemon, index) => samples[index].push(timeThrough(daemon)));

  // Memory: idle, then with `running` containers up.
  for (const daemon of daemons) {
    daemon.idlePss = pss(daemon.pid);
    const ids = [];
    cleanups.push(() => {
      if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { env: daemon.env, stdio: 'ignore' });
    });
    for (let index = 0; index < running; index += 1) ids.push(check('docker', ['run', '-d', '--network', 'none', 'busybox', 'sleep', '100000'], { env: daemon.env }).trim());
    await sleep(1000);
    let added = 0;
    const counted = new Set();
    const kinds = new Set();
    for (const id of ids) {
      const state = JSON.parse(check('docker', ['inspect', '-f', '{{json .State}}', id], { env: daemon.env }));
      if (!state.Running || !(state.Pid > 0)) throw new Error(`benchmark aborted: ${daemon.label} container ${id} is not running: ${JSON.stringify(state)}`);
      // Every process from the container's init up to (not including) the daemon or init is what the daemon adds for it.
      for (let pid = parentOf(state.Pid); pid > 1 && pid !== daemon.pid && !counted.has(pid); pid = parentOf(pid)) {
        counted.add(pid);
        kinds.add(commOf(pid));
        added += pss(pid);
      }
    }
    daemon.busyPss = pss(daemon.pid);
    daemon.perContainerKb = (added + Math.max(0, daemon.busyPss - daemon.idlePss)) / running;
    daemon.kinds = [...kinds].sort().join(', ');
    check('docker', ['rm', '-f', ...ids], { env: daemon.env });
    ids.length = 0;
  }

  const fmt = (value) => value.toFixed(1);
  const mib = (kb) => (kb / 1024).toFixed(1);
  console.log(`daemons side by side: the docker CLI through each, medians of ${rounds} interleaved rounds; every command exited 0`);
  console.log('| daemon | docker run --rm --network none busybox true (ms) | min (ms) | answered _ping after start (ms) | idle PSS (MiB) | added per running container, PSS (MiB) | processes per container |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  daemons.forEach((daemon, index) => {
    console.log(`| ${daemon.label} | ${fmt(median(samples[index]))} | ${fmt(Math.min(...samples[index]))} | ${daemon.answeredMs} | ${mib(daemon.idlePss)} | ${mib(daemon.perContainerKb)} | ${daemon.kinds || '-'} |`);
  });
  const dockerd = daemons.findIndex((daemon) => daemon.label === 'dockerd');
  if (dockerd >= 0) console.log(`aim: docker run through execdriverd at most half of dockerd's: ${fmt(median(samples[0]))} vs ${fmt(median(samples[dockerd]))} ms (x${(median(samples[0]) / median(samples[dockerd])).toFixed(2)})`);
  console.log(`memory per container: PSS of the processes between the daemon (or init) and each of ${running} running containers, plus the daemon's own growth`);
  for (const note of notes) console.log(`note: ${note}`);
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    try {
      rmdirSync(join('/sys/fs/cgroup', hierarchy, prefix));
    } catch {
      // Absent, or not a hierarchy.
    }
  }
  await removeBridge(bridge);
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point) => point?.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounted) spawnSync('umount', ['-l', point], { stdio: 'ignore' });
  rmSync(base, { recursive: true, force: true });
}
