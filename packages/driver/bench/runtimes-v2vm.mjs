// Benchmark: the driver's run with runc beside crun, on a pure cgroup v2 kernel (run it in the VM:
// `run-in-v2vm node packages/driver/bench/runtimes-v2vm.mjs`; tooling/scripts/bench.mjs does when
// EXECDRIVER_V2VM is set). Interleaved rounds of driver.run(`true`) with each runtime on the same
// busybox root filesystem; prints medians side by side. Every run must exit 0, or the benchmark
// stops with what failed; no time is ever a failure. Knob: BENCH_ROUNDS (default 7).
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupMode } from '@execdriver/cgroups';
import { createDriver } from '@execdriver/driver';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const work = mkdtempSync(join(tmpdir(), 'execdriver-bench-runtimes-'));
const rootfs = join(work, 'rootfs');
for (const dir of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, dir), { recursive: true });
copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
chmodSync(join(rootfs, 'bin/busybox'), 0o755);
for (const applet of ['sh', 'true']) symlinkSync('busybox', join(rootfs, 'bin', applet));
writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
const stateRoot = join(work, 'state');
const prefix = `execdriver-bench-runtimes-${process.pid}`;
process.on('exit', () => {
  rmSync(work, { recursive: true, force: true });
  spawnSync('rmdir', [join('/sys/fs/cgroup', prefix)], { stdio: 'ignore' });
});

const mode = detectCgroupMode('/sys/fs/cgroup');
if (mode !== 'unified') throw new Error(`benchmark aborted: crun needs pure cgroup v2 and this kernel's cgroups are ${mode}: run it in the v2 VM`);
const runtimes = ['runc', 'crun'];
const drivers = await Promise.all(runtimes.map((runtime) => createDriver({ stateRoot, cgroupsPathPrefix: prefix, runtime })));
let counter = 0;
async function timeRun(index) {
  counter += 1;
  const id = `bench-${runtimes[index]}-${counter}`;
  const started = process.hrtime.bigint();
  const status = await drivers[index].run({ id, rootfs, process: { args: ['true'] } });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (status.exitCode !== 0) throw new Error(`benchmark aborted: driver.run true with ${runtimes[index]} exited ${status.exitCode}`);
  const runtime = (await drivers[index].inspect(id)).runtime.name;
  if (runtime !== runtimes[index]) throw new Error(`benchmark aborted: ${id} ran with ${runtime}, not ${runtimes[index]}`);
  await drivers[index].clean(id);
  return elapsed;
}
const samples = runtimes.map(() => []);
for (let index = 0; index < runtimes.length; index += 1) await timeRun(index); // warm-up
for (let round = 0; round < rounds; round += 1) for (let index = 0; index < runtimes.length; index += 1) samples[index].push(await timeRun(index));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const [runcMedian, crunMedian] = samples.map(median);
console.log(`runtimes on cgroup ${mode} (${rounds} rounds, driver.run true, median ms): runc ${runcMedian.toFixed(1)} | crun ${crunMedian.toFixed(1)} (crun/runc x${(crunMedian / runcMedian).toFixed(2)}) [${drivers.map((driver) => driver.name()).join(', ')}]`);
if (readdirSync(join(stateRoot, 'containers')).length > 0) throw new Error('benchmark aborted: containers left in the state root');
