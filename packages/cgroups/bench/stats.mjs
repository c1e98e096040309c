// Benchmark: one stats() of a running container's cgroup beside `runc events --stats` for the
// same container, and the CPU cost of sampling 100 cgroups once. Prints figures, asserts nothing.
// Run as root with runc on PATH: pnpm bench (builds first).
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, cpSync, openSync, readdirSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupMode, openCgroup, openCgroupOfPid, takeSample } from '../dist/index.js';

const cgroupRoot = '/sys/fs/cgroup';
const marker = 'execdriver-test-cgroups';
const mode = detectCgroupMode(cgroupRoot);
const id = `bench-${process.pid}`;
const parent = `/${marker}/${id}`;

const median = (values) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)];
};
const microseconds = (start) => Number(process.hrtime.bigint() - start) / 1000;
const cpuMicroseconds = (usage) => usage.user + usage.system;

/** Directories of a cgroup path in every hierarchy we create it in (v1 controllers + unified, or v2). */
function hierarchyDirectories(path) {
  if (mode === 'unified') return [join(cgroupRoot, path)];
  const hierarchies = ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'unified'].filter((name) => existsSync(join(cgroupRoot, name)));
  return hierarchies.map((name) => join(cgroupRoot, name, path));
}

const work = mkdtempSync(join(tmpdir(), 'execdriver-cgroups-bench-'));
const runcRoot = join(work, 'runc');
const created = [];
try {
  // a busybox bundle running `sleep`
  const rootfs = join(work, 'rootfs');
  for (const sub of ['bin', 'proc', 'sys', 'dev', 'tmp']) mkdirSync(join(rootfs, sub), { recursive: true });
  cpSync('/bin/busybox', join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'sleep']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  execFileSync('runc', ['spec', '--bundle', work]);
  const config = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8'));
  config.root = { path: rootfs, readonly: true };
  config.process.terminal = false;
  config.process.args = ['sleep', '1000'];
  config.linux.cgroupsPath = `${parent}/container`;
  config.linux.resources = { ...config.linux.resources, memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 32 } };
  writeFileSync(join(work, 'config.json'), JSON.stringify(config));
  // the detached container inherits runc's stdio: a file, not a pipe that would never close
  const log = join(work, 'runc-run.log');
  const logFile = openSync(log, 'w');
  const run = spawnSync('runc', ['--root', runcRoot, 'run', '-d', '--bundle', work, id], { stdio: ['ignore', logFile, logFile] });
  closeSync(logFile);
  if (run.status !== 0) throw new Error(`runc run -d failed: ${readFileSync(log, 'utf8')}`);
  const { pid } = JSON.parse(execFileSync('runc', ['--root', runcRoot, 'state', id], { encoding: 'utf8' }));
  const cgroup = openCgroupOfPid(pid);

  // one stats() of the container
  for (let index = 0; index < 200; index += 1) await cgroup.stats();
  const statsTimes = [];
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < 1000; index += 1) {
    const start = process.hrtime.bigint();
    await cgroup.stats();
    statsTimes.push(microseconds(start));
  }
  const statsCpu = cpuMicroseconds(process.cpuUsage(cpuBefore)) / 1000;
  const sampleTimes = [];
  for (let index = 0; index < 300; index += 1) {
    const start = process.hrtime.bigint();
    await takeSample(cgroup, { pid });
    sampleTimes.push(microseconds(start));
  }
  const runcTimes = [];
  for (let index = 0; index < 20; index += 1) {
    const start = process.hrtime.bigint();
    const events = spawnSync('runc', ['--root', runcRoot, 'events', '--stats', id], { encoding: 'utf8' });
    runcTimes.push(microseconds(start));
    if (events.status !== 0) throw new Error(`runc events --stats failed: ${events.stderr}`);
    JSON.parse(events.stdout);
  }

  // 100 cgroups sampled once: empty sibling cgroups with the same files as the container's
  const cgroups = [];
  for (let index = 0; index < 100; index += 1) {
    const path = `${parent}/sample-${index}`;
    for (const directory of hierarchyDirectories(path)) {
      mkdirSync(directory, { recursive: true });
      created.push(directory);
    }
    cgroups.push(openCgroup(path));
  }
  const passCpu = [];
  const passWall = [];
  for (let pass = 0; pass < 30; pass += 1) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (const each of cgroups) await each.stats();
    passWall.push(microseconds(start));
    passCpu.push(cpuMicroseconds(process.cpuUsage(cpu)));
  }

  const rows = [
    ['cgroup mode', mode, ''],
    ['stats() of the container, median', `${median(statsTimes).toFixed(0)} µs`, `${statsCpu.toFixed(0)} µs CPU per call (mean)`],
    ['takeSample() (stats + /proc/stat + net/dev), median', `${median(sampleTimes).toFixed(0)} µs`, ''],
    ['runc events --stats <id>, median', `${(median(runcTimes) / 1000).toFixed(1)} ms`, `${(median(runcTimes) / median(statsTimes)).toFixed(0)}x stats()`],
    ['100 cgroups sampled once, CPU time (median of 30)', `${(median(passCpu) / 1000).toFixed(1)} ms`, `${(median(passWall) / 1000).toFixed(1)} ms wall`],
    ['  every second, share of one core', `${(median(passCpu) / 1e6 * 100).toFixed(2)} %`, 'aim: under 5 %'],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  process.stdout.write(`\n${'measure'.padEnd(width)}  ${'value'.padStart(valueWidth)}  note\n`);
  process.stdout.write(`${'-'.repeat(width)}  ${'-'.repeat(valueWidth)}  ----\n`);
  for (const [label, value, note] of rows) process.stdout.write(`${label.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}\n`);
} finally {
  spawnSync('runc', ['--root', runcRoot, 'delete', '-f', id]);
  for (const directory of created.reverse()) if (existsSync(directory)) rmdirSync(directory);
  // runc made the container's parents in every hierarchy (cpuset, devices, freezer, name=systemd...)
  const everyHierarchy = (path) =>
    mode === 'unified' ? [join(cgroupRoot, path)] : readdirSync(cgroupRoot).map((name) => join(cgroupRoot, name, path));
  for (const directory of [...everyHierarchy(parent), ...everyHierarchy(`/${marker}`)]) {
    try {
      if (existsSync(directory)) rmdirSync(directory);
    } catch (error) {
      if (error.code !== 'EBUSY' && error.code !== 'ENOTEMPTY') throw error;
    }
  }
  rmSync(work, { recursive: true, force: true });
}
