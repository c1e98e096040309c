// Benchmark: the driver beside bare runc, in the same run, on the same bundle: bare runc runs the
// very config.json the driver writes, with copies of the /etc files it bind-mounts. Prints medians
// and ratios side by side; asserts no time limit, but every timed command must succeed (exit 0),
// or the benchmark stops with the command's error. Run as root after `pnpm build`: `pnpm bench`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDriver } from '@execdriver/driver';

const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const work = mkdtempSync(join(tmpdir(), 'execdriver-bench-'));
const rootfs = join(work, 'rootfs');
for (const dir of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, dir), { recursive: true });
copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
chmodSync(join(rootfs, 'bin/busybox'), 0o755);
for (const applet of ['sh', 'true', 'sleep', 'cat']) symlinkSync('busybox', join(rootfs, 'bin', applet));
writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');

const stateRoot = join(work, 'state');
const prefix = `execdriver-bench-${process.pid}`;
const bareRoot = join(work, 'bare-runc');
// Whatever happens (an aborted run too): no container, cgroup or file is left behind.
process.on('exit', () => {
  for (const root of [bareRoot, join(stateRoot, 'runc')]) {
    if (!existsSync(root)) continue;
    for (const id of readdirSync(root)) spawnSync('runc', ['--root', root, 'delete', '-f', id], { stdio: 'ignore' });
  }
  rmSync(work, { recursive: true, force: true });
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const dir of [prefix, `${prefix}-bare`]) spawnSync('rmdir', [join('/sys/fs/cgroup', hierarchy, dir)], { stdio: 'ignore' });
  }
});
// runc, as the bare runc it is compared with (the default is crun on pure cgroup v2 hosts).
const driver = await createDriver({ stateRoot, cgroupsPathPrefix: prefix, runtime: 'runc' });
/** Stops the benchmark: a timing of a command that failed is not a measurement. */
const fail = (what, detail) => {
  throw new Error(`benchmark aborted: ${what} failed${detail ? `: ${detail.trim()}` : ''}`);
};
const expectExit = (what, exitCode, stderr = '') => {
  if (exitCode !== 0) fail(`${what} (exit ${exitCode})`, stderr);
};

// The bare runc bundle: the very config the driver generates (minus our hooks), with copies of the
// files it bind-mounts from the container's state directory (/etc/hosts, resolv.conf, hostname),
// which the driver removes with the container.
const bareFiles = join(work, 'bare-files');
mkdirSync(bareFiles);
const configId = 'bench-config';
const configStatus = await driver.run({ id: configId, rootfs, process: { args: ['true'] } });
expectExit('driver.run true (config)', configStatus.exitCode);
const configDir = join(stateRoot, 'containers', configId);
const config = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8'));
delete config.hooks;
for (const mount of config.mounts ?? []) {
  if (typeof mount.source === 'string' && mount.source.startsWith(`${configDir}/`)) {
    const copy = join(bareFiles, mount.source.slice(configDir.length + 1));
    mkdirSync(dirname(copy), { recursive: true });
    copyFileSync(mount.source, copy);
    mount.source = copy;
  }
}
await driver.clean(configId);
const leftover = JSON.stringify(config).includes(configDir);
if (leftover) fail('preparing the bare runc bundle', `config.json still refers to ${configDir}`);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const time = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
/** Runs a command to its end; anything but exit 0 aborts the benchmark with its stderr. */
const runProcess = (file, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`benchmark aborted: ${[file, ...args].join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`));
    });
  });
/** Writes the bundle of one bare run ahead of time, so that only `runc run` is timed. */
const bareBundle = (id, args) => {
  const dir = join(work, `b-${id}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, process: { ...config.process, args }, linux: { ...config.linux, cgroupsPath: `/${prefix}-bare/${id}` } }));
  return dir;
};
const bareRun = (id, dir) => runProcess('runc', ['--root', bareRoot, 'run', '--bundle', dir, id]);
const oursRun = async (id, args) => {
  const status = await driver.run({ id, rootfs, process: { args } });
  expectExit(`driver.run ${args.join(' ')} (${id})`, status.exitCode);
};

// Both sides work before anything is timed.
const checkId = `check-${process.pid}`;
await bareRun(checkId, bareBundle(checkId, ['sh', '-c', 'test -s /etc/hosts && test -s /etc/hostname']));

const rows = [];
let n = 0;
// 1. run of `true`
const bare = [];
const ours = [];
for (let i = 0; i < rounds; i += 1) {
  const bareId = `bare-${(n += 1)}`;
  const dir = bareBundle(bareId, ['true']);
  bare.push(await time(() => bareRun(bareId, dir)));
  const id = `ours-${(n += 1)}`;
  ours.push(await time(() => oursRun(id, ['true'])));
  await driver.clean(id);
}
rows.push(['run true (ms)', median(ours), median(bare)]);

// 2. exec and stats in a running container
const target = `target-${process.pid}`;
await driver.start({ id: target, rootfs, process: { args: ['sleep', '1000'] } }, { logs: true });
const processFile = join(work, 'process.json');
writeFileSync(processFile, JSON.stringify({ ...config.process, args: ['true'] }));
const runcArgs = ['--root', join(stateRoot, 'runc')];
const execBare = [];
const execOurs = [];
const statsBare = [];
const statsOurs = [];
// A service that wants stats polls them: its first calls run in V8's interpreter (the same calls
// 2-3x slower), which no later call pays. Untimed; every timed `runc events` is a process start.
for (let i = 0; i < 50; i += 1) await driver.stats(target);
for (let i = 0; i < rounds; i += 1) {
  execBare.push(await time(() => runProcess('runc', [...runcArgs, 'exec', '--process', processFile, target])));
  execOurs.push(
    await time(async () => expectExit(`driver.exec true (${target})`, await driver.exec(target, { args: ['true'] }))),
  );
  statsBare.push(await time(() => runProcess('runc', [...runcArgs, 'events', '--stats', target])));
  statsOurs.push(await time(() => driver.stats(target)));
}
rows.push(['exec true (ms)', median(execOurs), median(execBare)]);
rows.push(['stats (ms; ours after 50 untimed calls)', median(statsOurs), median(statsBare)]);
await driver.clean(target);

// 3. 20 parallel runs
const parallel = 20;
const bareIds = Array.from({ length: parallel }, () => `bp-${(n += 1)}`);
const bareDirs = bareIds.map((id) => bareBundle(id, ['true']));
const bareParallel = await time(() => Promise.all(bareIds.map((id, index) => bareRun(id, bareDirs[index]))));
const ids = Array.from({ length: parallel }, () => `op-${(n += 1)}`);
const oursParallel = await time(() => Promise.all(ids.map((id) => oursRun(id, ['true']))));
for (const id of ids) await driver.clean(id);
rows.push([`${parallel} parallel runs, wall (ms)`, oursParallel, bareParallel]);

// 4. memory we add per running container: the shim (sh) and runc run in the foreground, measured
// with 5 containers running, so the pages of the runc and sh binaries are shared as they are in use.
const smaps = (pid) => {
  const text = execFileSync('cat', [`/proc/${pid}/smaps_rollup`], { encoding: 'utf8' });
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss'), dirty: field('Private_Dirty') };
};
const memoryIds = Array.from({ length: 5 }, (_, index) => `mem-${process.pid}-${index}`);
const totals = { rss: 0, pss: 0, dirty: 0 };
for (const id of memoryIds) await driver.start({ id, rootfs, process: { args: ['sleep', '1000'] } }, { logs: true });
for (const id of memoryIds) {
  const shimPid = JSON.parse(execFileSync('cat', [join(stateRoot, 'containers', id, 'container.json')], { encoding: 'utf8' })).shimPid;
  const runcPid = Number(execFileSync('pgrep', ['-P', String(shimPid)], { encoding: 'utf8' }).trim().split('\n')[0]);
  for (const pid of [shimPid, runcPid]) {
    const figures = smaps(pid);
    totals.rss += figures.rss;
    totals.pss += figures.pss;
    totals.dirty += figures.dirty;
  }
}
for (const id of memoryIds) await driver.clean(id);
const perContainer = (kb) => (kb / memoryIds.length / 1024).toFixed(1);

console.log(`execdriver driver benchmark: ${rounds} rounds, medians, every command exited 0 (runc ${driver.name()}); bare runc runs the driver's own config.json`);
console.log('| what | execdriver | bare runc | ratio |');
console.log('|---|---:|---:|---:|');
for (const [what, a, b] of rows) console.log(`| ${what} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
console.log(`memory we add per running container (shim sh + foreground runc run, 5 running): PSS ${perContainer(totals.pss)} MiB, private dirty ${perContainer(totals.dirty)} MiB, RSS ${perContainer(totals.rss)} MiB (RSS counts the shared runc binary in full)`);
