// Benchmark: the driver beside bare runc, in the same run, on the same busybox root filesystem.
// Prints medians side by side; asserts nothing. Run as root after `pnpm build`: `pnpm bench`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
const driver = await createDriver({ stateRoot, cgroupsPathPrefix: prefix });
// The bare runc bundle uses the very config the driver generates (minus our hooks).
const bareRoot = join(work, 'bare-runc');
const bundle = join(work, 'bundle');
mkdirSync(bundle);
await driver.run({ id: 'bench-config', rootfs, process: { args: ['true'] } });
const config = JSON.parse(execFileSync('cat', [join(stateRoot, 'containers/bench-config/config.json')], { encoding: 'utf8' }));
await driver.clean('bench-config');
delete config.hooks;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const time = async (fn) => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const runProcess = (file, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
const bareRun = (id, args) => {
  writeFileSync(join(bundle, `config-${id}.json`), '');
  const dir = join(work, `b-${id}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, process: { ...config.process, args }, linux: { ...config.linux, cgroupsPath: `/${prefix}-bare/${id}` } }));
  return runProcess('runc', ['--root', bareRoot, 'run', '--bundle', dir, id]);
};

const rows = [];
let n = 0;
// 1. run of `true`
const bare = [];
const ours = [];
for (let i = 0; i < rounds; i += 1) {
  bare.push(await time(() => bareRun(`bare-${(n += 1)}`, ['true'])));
  const id = `ours-${(n += 1)}`;
  ours.push(await time(() => driver.run({ id, rootfs, process: { args: ['true'] } })));
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
for (let i = 0; i < rounds; i += 1) {
  execBare.push(await time(() => runProcess('runc', [...runcArgs, 'exec', '--process', processFile, target])));
  execOurs.push(await time(() => driver.exec(target, { args: ['true'] })));
  statsBare.push(await time(() => runProcess('runc', [...runcArgs, 'events', '--stats', target])));
  statsOurs.push(await time(() => driver.stats(target)));
}
rows.push(['exec true (ms)', median(execOurs), median(execBare)]);
rows.push(['stats (ms)', median(statsOurs), median(statsBare)]);
await driver.clean(target);

// 3. 20 parallel runs
const parallel = 20;
const bareParallel = await time(() => Promise.all(Array.from({ length: parallel }, () => bareRun(`bp-${(n += 1)}`, ['true']))));
const ids = Array.from({ length: parallel }, () => `op-${(n += 1)}`);
const oursParallel = await time(() => Promise.all(ids.map((id) => driver.run({ id, rootfs, process: { args: ['true'] } }))));
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

console.log(`execdriver driver benchmark: ${rounds} rounds, medians (runc ${driver.name()})`);
console.log('| what | execdriver | bare runc | ratio |');
console.log('|---|---:|---:|---:|');
for (const [what, a, b] of rows) console.log(`| ${what} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
console.log(`memory we add per running container (shim sh + foreground runc run, 5 running): PSS ${perContainer(totals.pss)} MiB, private dirty ${perContainer(totals.dirty)} MiB, RSS ${perContainer(totals.rss)} MiB (RSS counts the shared runc binary in full)`);
rmSync(work, { recursive: true, force: true });
for (const hierarchy of execFileSync('ls', ['/sys/fs/cgroup'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
  for (const dir of [`${prefix}`, `${prefix}-bare`]) {
    try { execFileSync('rmdir', [join('/sys/fs/cgroup', hierarchy, dir)], { stdio: 'ignore' }); } catch {}
  }
}
