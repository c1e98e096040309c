// One benchmark for the whole project (`pnpm bench`, issue 15): the CLI beside podman, dockerd and bare
// runc on the same busybox root filesystem; CLI start-up (`ps`, `inspect`, `version`) beside `node -e 0`;
// the driver beside bare runc (packages/driver/bench/driver.mjs, run as a child); runc beside crun in
// the pure cgroup v2 VM (packages/driver/bench/runtimes-v2vm.mjs, when EXECDRIVER_V2VM is set); and scale with 100
// running containers; the daemon beside dockerd and podman's service (apps/daemon/bench/daemons.mjs) and its
// memory per running non-tty container by process (tooling/scripts/bench-daemon-memory.mjs), both run as
// children. Prints medians of interleaved rounds side by side. Every timed command must exit
// 0, or the benchmark stops with the command and its stderr; no figure is ever a failure. A missing peer
// is installed from Debian (apt-get) or skipped with a printed reason. Needs root, runc and `pnpm build`.
// Knobs: BENCH_ROUNDS (default 9), BENCH_SCALE (containers, default 100), BENCH_STATS_SECONDS (default 10).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchBridge, check, has, median, removeBridge, time } from './bench-kit.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const scale = Number(process.env.BENCH_SCALE ?? 100);
const statsSeconds = Number(process.env.BENCH_STATS_SECONDS ?? 10);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repo, 'apps/cli/dist/cli.js');
const base = mkdtempSync(join(tmpdir(), 'execdriver-bench-'));
const prefix = `execdriver-bench-${process.pid}`;
// A default bridge of the benchmark's own, removed with its rules at the end.
const bridge = benchBridge('c');
// The CLI's compile cache of its own (written by each command's warm-up run, removed with base).
const env = { ...process.env, EXECDRIVER_STATE_ROOT: join(base, 'state'), EXECDRIVER_DATA_ROOT: join(base, 'data'), EXECDRIVER_CGROUP_PREFIX: prefix, EXECDRIVER_BRIDGE: bridge, EXECDRIVER_CACHE_DIR: join(base, 'cache') };
const startedAt = Date.now();
const notes = [];
const cleanups = [];

if (process.getuid?.() !== 0) throw new Error('pnpm bench needs root (it runs containers)');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run pnpm build first`);

/** Installs a missing peer from Debian; returns a reason when it cannot. */
function ensure(command, debianPackage) {
  if (has(command)) return undefined;
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status === 0 && has(command)) return undefined;
  return `${command} missing and apt-get install ${debianPackage} failed: ${(install.stderr || install.error?.message || '').trim().split('\n').pop()}`;
}
const ed = (...args) => [process.execPath, [cli, ...args], { env }];

/** Interleaves the candidates round by round (one warm-up each), so that load changes hit all alike. */
function interleave(candidates) {
  for (const candidate of candidates) time(...candidate.command);
  const samples = candidates.map(() => []);
  for (let round = 0; round < rounds; round += 1) candidates.forEach((candidate, index) => samples[index].push(time(...candidate.command)));
  return candidates.map((candidate, index) => ({ label: candidate.label, median: median(samples[index]), min: Math.min(...samples[index]) }));
}

const rows = [];
const row = (what, ours, reference, target) => rows.push({ what, ours, reference, target });
const fmt = (value) => (value === undefined ? '-' : typeof value === 'number' ? value.toFixed(1) : value);

try {
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  // The busybox image (made by the CLI on first use) is the root filesystem every peer runs.
  check(...ed('run', '--rm', 'busybox', 'true'));
  const images = join(base, 'data', 'images');
  const imageId = readdirSync(images).find((entry) => entry !== 'refs' && existsSync(join(images, entry, 'rootfs')));
  const rootfs = join(images, imageId, 'rootfs');

  // Bare runc on the same root filesystem, with runc's default spec.
  const bundle = join(base, 'bundle');
  const runcRoot = join(base, 'runc');
  mkdirSync(bundle);
  check('runc', ['spec', '--bundle', bundle]);
  const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  config.root = { path: rootfs, readonly: true };
  Object.assign(config.process, { terminal: false, args: ['true'] });
  config.linux.cgroupsPath = `/${prefix}/runc-bench`;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  cleanups.push(() => spawnSync('runc', ['--root', runcRoot, 'delete', '-f', 'bench'], { stdio: 'ignore' }));

  const runCandidates = [
    { label: 'execdriver run --rm busybox true', command: ed('run', '--rm', 'busybox', 'true') },
    { label: 'execdriver run --rm --network none busybox true', command: ed('run', '--rm', '--network', 'none', 'busybox', 'true') },
    { label: 'bare runc run (same rootfs)', command: ['runc', ['--root', runcRoot, 'run', '--bundle', bundle, 'bench']] },
  ];
  const podmanSkip = ensure('podman', 'podman');
  if (podmanSkip) notes.push(`podman skipped: ${podmanSkip}`);
  else {
    const podmanRoot = ['--root', join(base, 'podman', 'root'), '--runroot', join(base, 'podman', 'run'), '--runtime', 'runc'];
    const podmanRun = [...podmanRoot, 'run', '--rm', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
    runCandidates.push({ label: 'podman run --rm --network none --rootfs', command: ['podman', [...podmanRun, '--network', 'none', '--rootfs', rootfs, 'true']] });
    // Podman's default network (its bridge, through the same CNI plugins), beside our default bridge.
    runCandidates.push({ label: 'podman run --rm --rootfs (bridge)', command: ['podman', [...podmanRun, '--rootfs', rootfs, 'true']] });
  }
  const dockerSkip = ensure('dockerd', 'docker.io') ?? (has('docker') ? undefined : 'no docker CLI');
  if (dockerSkip) notes.push(`docker skipped: ${dockerSkip}`);
  else {
    const dockerBase = join(base, 'docker');
    mkdirSync(dockerBase);
    const socket = join(dockerBase, 'd.sock');
    const daemon = spawn('dockerd', ['--iptables=false', '--ip6tables=false', '--bridge=none', '-H', `unix://${socket}`, '--data-root', join(dockerBase, 'data'), '--exec-root', join(dockerBase, 'exec'), '--pidfile', join(dockerBase, 'pid')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let daemonLog = '';
    daemon.stderr.on('data', (chunk) => (daemonLog = (daemonLog + chunk).slice(-4000)));
    cleanups.push(async () => {
      if (daemon.exitCode !== null) return;
      daemon.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => daemon.once('exit', resolve)), sleep(10_000)]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
    });
    const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${socket}` };
    let ready = false;
    for (let attempt = 0; attempt < 60 && !ready && daemon.exitCode === null; attempt += 1) {
      ready = spawnSync('docker', ['version'], { env: dockerEnv, stdio: 'ignore' }).status === 0;
      if (!ready) await sleep(500);
    }
    if (!ready) notes.push(`docker skipped: the private dockerd did not answer in 30 s: ${daemonLog.trim().split('\n').pop()}`);
    else {
      check('sh', ['-c', `tar -C '${rootfs}' -c . | docker import - busybox:latest`], { env: dockerEnv });
      runCandidates.push({ label: 'docker run --rm --network none (dockerd)', command: ['docker', ['run', '--rm', '--network', 'none', 'busybox', 'true'], { env: dockerEnv }] });
    }
  }
  const run = interleave(runCandidates);
  const byLabel = (label) => run.find((result) => result.label.startsWith(label))?.median;
  row('run --rm busybox true (bridge)', run[0].median, `podman (bridge) ${fmt(byLabel('podman run --rm --rootfs (bridge)'))}`, `<= podman (bridge) (${fmt(byLabel('podman run --rm --rootfs (bridge)'))})`);
  row('run --rm --network none busybox true', run[1].median, `runc ${fmt(byLabel('bare runc'))}, podman ${fmt(byLabel('podman run --rm --network none'))}, docker ${fmt(byLabel('docker'))}`, `<= podman (${fmt(byLabel('podman run --rm --network none'))})`);

  // CLI start-up, with one running container to list and inspect.
  check(...ed('run', '-d', '--name', 'bench-inspect', 'busybox', 'sleep', '1000'));
  const startup = interleave([
    { label: 'ps', command: ed('ps') },
    { label: 'inspect', command: ed('inspect', 'bench-inspect') },
    { label: 'version', command: ed('version') },
    { label: 'node -e 0', command: [process.execPath, ['-e', '0']] },
    { label: 'ps (no compile cache)', command: [process.execPath, [cli, 'ps'], { env: { ...env, EXECDRIVER_DISABLE_COMPILE_CACHE: '1' } }] },
  ]);
  const node = startup[3].median;
  for (const result of [...startup.slice(0, 3), startup[4]]) row(result.label, result.median, `node -e 0 ${fmt(node)} (x${(result.median / node).toFixed(2)})`, `<= 1.3x node (${fmt(1.3 * node)})`);
  check(...ed('rm', '-f', 'bench-inspect'));

  // The driver beside bare runc (its own bench, fewer rounds).
  const driverBench = spawnSync(process.execPath, [join(repo, 'packages/driver/bench/driver.mjs')], { encoding: 'utf8', env: { ...process.env, BENCH_ROUNDS: String(Math.max(rounds, 9)) }, cwd: join(repo, 'packages/driver') });
  if (driverBench.status !== 0) throw new Error(`benchmark aborted: packages/driver/bench/driver.mjs failed: ${driverBench.stderr.trim()}`);
  const driverTable = driverBench.stdout.trim();

  // runc beside crun for the driver's run, on a pure cgroup v2 kernel: crun refuses this host's hybrid
  // cgroups, so it runs in the VM tool that EXECDRIVER_V2VM names, or is skipped saying why.
  let runtimesLine = '';
  const vm = process.env.EXECDRIVER_V2VM;
  if (!vm) notes.push('runc beside crun skipped: EXECDRIVER_V2VM is not set (crun needs pure cgroup v2; this benchmark runs it in the v2 VM)');
  else {
    const runtimesBench = spawnSync(vm, [process.execPath, join(repo, 'packages/driver/bench/runtimes-v2vm.mjs')], { encoding: 'utf8', env: { ...process.env, V2VM_WORKDIR: join(repo, 'packages/driver'), V2VM_ENV: 'BENCH_ROUNDS', BENCH_ROUNDS: String(Math.min(rounds, 7)) } });
    if (runtimesBench.status !== 0) throw new Error(`benchmark aborted: packages/driver/bench/runtimes-v2vm.mjs in the v2 VM failed (exit ${runtimesBench.status}): ${runtimesBench.stderr.trim()}`);
    runtimesLine = runtimesBench.stdout.trim();
  }

  // The daemon beside dockerd and podman's service, through the same docker CLI (apps/daemon/bench/daemons.mjs).
  const daemonBench = spawnSync(process.execPath, [join(repo, 'apps/daemon/bench/daemons.mjs')], { encoding: 'utf8', env: { ...process.env, BENCH_ROUNDS: String(rounds) }, cwd: join(repo, 'apps/daemon') });
  if (daemonBench.status !== 0) throw new Error(`benchmark aborted: apps/daemon/bench/daemons.mjs failed: ${daemonBench.stderr.trim()}`);
  const daemonTable = daemonBench.stdout.trim();

  // Memory: the daemon per running container, non-tty and tty (its own script: a private execdriverd, 10 of each).
  let memoryLine = '';
  if (!has('docker')) notes.push('daemon memory skipped: no docker CLI');
  else {
    const memoryBench = spawnSync(process.execPath, [join(repo, 'tooling/scripts/bench-daemon-memory.mjs')], { encoding: 'utf8', env: process.env });
    if (memoryBench.status !== 0) throw new Error(`benchmark aborted: tooling/scripts/bench-daemon-memory.mjs failed: ${memoryBench.stderr.trim()}`);
    memoryLine = memoryBench.stdout.trim();
  }

  // Scale: N running containers (no log holder: --log-driver none; the log holder is measured apart).
  const ids = [];
  const scaleStarted = Date.now();
  cleanups.push(() => {
    const removed = spawnSync(process.execPath, [cli, 'rm', '-f', ...ids], { env, encoding: 'utf8' });
    if (removed.status !== 0) console.log(`note: execdriver rm -f of the ${ids.length} scale containers exited ${removed.status}: ${removed.stderr.trim()}`);
  });
  const startOne = (name) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'run', '-d', '--log-driver', 'none', '--name', name, 'busybox', 'sleep', '100000'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`benchmark aborted: execdriver run -d --name ${name} failed (exit ${code}): ${stderr.trim()}`))));
    });
  let next = 0;
  const starter = async () => {
    while (next < scale) {
      const name = `scale-${next++}`;
      ids.push(name);
      await startOne(name);
    }
  };
  await Promise.all([starter(), starter(), starter()]); // three at a time: start-up is not what is measured here
  const scaleStart = (Date.now() - scaleStarted) / scale;
  const scaled = interleave([
    { label: 'ps', command: ed('ps') },
    { label: 'stats --no-stream', command: ed('stats', '--no-stream') },
  ]);
  row(`ps, ${scale} running`, scaled[0].median, '', '< 300');
  row(`stats --no-stream, ${scale} running`, scaled[1].median, '', '< 500');
  // stats of all at 1 Hz: CPU of the stats process and its children over statsSeconds.
  const stats = spawn(process.execPath, [cli, 'stats'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let statsErr = '';
  stats.stderr.on('data', (chunk) => (statsErr += chunk));
  const ticks = () => {
    const fields = readFileSync(`/proc/${stats.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  };
  await sleep(3000); // start-up and the first sample are not the steady state
  if (stats.exitCode !== null) throw new Error(`benchmark aborted: execdriver stats exited ${stats.exitCode}: ${statsErr.trim()}`);
  const before = ticks();
  await sleep(statsSeconds * 1000);
  if (stats.exitCode !== null) throw new Error(`benchmark aborted: execdriver stats exited ${stats.exitCode}: ${statsErr.trim()}`);
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  const statsCpu = (((ticks() - before) / clockTicks) / statsSeconds) * 100;
  stats.kill('SIGTERM');
  row(`stats of ${scale} at 1 Hz, % of one core`, statsCpu, `over ${statsSeconds} s`, '< 5');

  console.log(`execdriver benchmark: medians of ${rounds} interleaved rounds (ms unless stated); every timed command exited 0`);
  console.log(`host: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} CPUs, load average at start ${load}, at end ${loadavg().map((value) => value.toFixed(2)).join(' ')}; node ${process.version}; ${check('runc', ['--version']).split('\n')[0]}`);
  console.log('');
  console.log('| what | execdriver | reference | target |');
  console.log('|---|---:|---|---|');
  for (const entry of rows) console.log(`| ${entry.what} | ${fmt(entry.ours)} | ${entry.reference} | ${entry.target} |`);
  console.log('');
  console.log('| run --rm busybox true | median | min |');
  console.log('|---|---:|---:|');
  for (const result of run) console.log(`| ${result.label} | ${fmt(result.median)} | ${fmt(result.min)} |`);
  console.log('');
  console.log(driverTable.replace(/^execdriver driver benchmark/, 'driver beside bare runc'));
  if (runtimesLine) console.log(`v2 VM: ${runtimesLine}`);
  console.log(`targets: run and exec within 10% of bare runc, stats >= 10x faster than runc events --stats, 20 parallel within 20%`);
  if (memoryLine) {
    console.log('');
    console.log(`memory: ${memoryLine}`);
  }
  console.log('');
  console.log(daemonTable);
  console.log('');
  console.log(`scale: ${scale} containers started with run -d --log-driver none, three at a time: ${scaleStart.toFixed(0)} ms of wall time per container`);
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`total ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
} finally {
  // Every cleanup runs even when one throws; a failed one is said and fails the benchmark (a leak).
  const attempt = async (what, step) => {
    try {
      await step();
    } catch (error) {
      console.log(`benchmark cleanup failed (${what}): ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  };
  for (const cleanup of cleanups.reverse()) await attempt('a peer or its containers', cleanup);
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const dir of [join('/sys/fs/cgroup', hierarchy, prefix, 'runc-bench'), join('/sys/fs/cgroup', hierarchy, prefix)]) {
      try {
        rmdirSync(dir);
      } catch {
        // Absent, or not a hierarchy.
      }
    }
  }
  // Whatever is still mounted below the base (it would be a leak of ours: say so) goes before the files.
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point) => point?.startsWith(`${base}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of mounted) {
    console.log(`note: ${point} was still mounted after the benchmark removed its containers`);
    spawnSync('umount', ['-l', point], { stdio: 'ignore' });
  }
  await attempt(`bridge ${bridge}`, () => removeBridge(bridge));
  await attempt(base, () => rmSync(base, { recursive: true, force: true }));
}
