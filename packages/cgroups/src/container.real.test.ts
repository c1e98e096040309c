/**
 * Real containers under runc, read through this package and checked against the kernel's own
 * files and against what the container was made to do. Runs on this hybrid host and, unchanged,
 * on a pure cgroup v2 kernel (tooling/scripts/test-v2vm.sh runs it in the VM named by EXECDRIVER_V2VM):
 *   "$EXECDRIVER_V2VM" node_modules/.bin/vitest run src/container.real.test.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuncRoot, findLeftovers, temporaryBusyboxRootfs, uniqueId } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpuPercent, memoryUsageWithoutCache } from './calculations.js';
import { openCgroupOfPid, type Cgroup } from './cgroup.js';
import { toDockerStats } from './docker-stats.js';
import { detectCgroupMode } from './mode.js';
import { readNetworkStats } from './network.js';
import { takeSample } from './sample.js';
import { watchOom, type OomEvent } from './watch.js';

const MiB = 1024 * 1024;
const cgroupRoot = '/sys/fs/cgroup';
const mode = detectCgroupMode(cgroupRoot);
const v2 = mode === 'unified';
const marker = 'execdriver-test-cgroups';
/** The VM emulates the CPU about 15x slower: allow for it everywhere time matters. */
const slow = process.env.V2VM === '1' ? 15 : 1;
const timeout = 60_000 * slow;

let rootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>>;
let runc: Awaited<ReturnType<typeof createRuncRoot>>;
const started: string[] = [];

/** The directory runc gives a controller for `linux.cgroupsPath` = /<marker>/<id>, computed independently. */
function kernelDirectory(controller: string, id: string): string {
  return v2 ? join(cgroupRoot, marker, id) : join(cgroupRoot, controller, marker, id);
}
function kernelNumber(controller: string, id: string, file: string): number {
  return Number(readFileSync(join(kernelDirectory(controller, id), file), 'utf8').trim());
}
function kernelFlat(controller: string, id: string, file: string): Record<string, number> {
  const text = readFileSync(join(kernelDirectory(controller, id), file), 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((line) => [line.split(' ')[0], Number(line.split(' ')[1])]));
}

function baseConfig(id: string, args: string[], resources: object): Record<string, any> {
  const config = JSON.parse(readFileSync(join(rootfs.dir, 'config.json'), 'utf8'));
  config.root = { path: rootfs.rootfs, readonly: false };
  config.process.terminal = false;
  config.process.args = args;
  config.linux.cgroupsPath = `/${marker}/${id}`;
  config.linux.resources = { ...config.linux.resources, ...resources };
  // On a pure v2 kernel runc 1.1 needs a cgroup namespace to mount the container's own cgroup
  // (its `runc spec` adds one there already).
  if (!config.linux.namespaces.some((namespace: { type: string }) => namespace.type === 'cgroup')) {
    config.linux.namespaces.push({ type: 'cgroup' });
  }
  return config;
}

/** `runc run -d`, returning the container's init pid. */
function runDetached(id: string, config: object): number {
  const bundle = join(rootfs.dir, `bundle-${id}`);
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config, null, 2));
  const log = join(bundle, 'output.log');
  const output = openSync(log, 'w');
  started.push(id);
  try {
    const result = spawnSync('runc', ['--root', runc.root, 'run', '-d', '--bundle', bundle, id], { stdio: ['ignore', output, output] });
    if (result.status !== 0) throw new Error(`runc run -d ${id} failed (${result.status}): ${readFileSync(log, 'utf8')}`);
  } finally {
    closeSync(output);
  }
  const state = JSON.parse(execFileSync('runc', ['--root', runc.root, 'state', id], { encoding: 'utf8' }));
  return state.pid as number;
}

async function waitFor(what: string, condition: () => boolean, limitMs = 30_000 * slow): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  rootfs = await temporaryBusyboxRootfs();
  runc = await createRuncRoot();
  execFileSync('runc', ['spec', '--bundle', rootfs.dir]);
}, timeout);

afterAll(async () => {
  for (const id of started) spawnSync('runc', ['--root', runc.root, 'delete', '-f', id]);
  await runc?.cleanup();
  await rootfs?.remove();
  // runc removes each container's cgroup; the shared parent is ours to remove, in every hierarchy.
  const parents = v2 ? [join(cgroupRoot, marker)] : ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'devices', 'freezer', 'cpuset', 'hugetlb', 'net_cls', 'net_prio', 'perf_event', 'rdma', 'misc', 'systemd', 'unified'].map((hierarchy) => join(cgroupRoot, hierarchy, marker));
  for (const parent of parents) {
    try {
      if (existsSync(parent)) rmdirSync(parent);
    } catch (error) {
      // Another run of this file may still use it (EBUSY/ENOTEMPTY); the leak check below decides.
      if (!['EBUSY', 'ENOTEMPTY'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
  for (const id of started) expect(findLeftovers(id)).toEqual([]);
}, timeout);

describe(`a busy container on this ${mode} host`, () => {
  const id = uniqueId('cgroups-busy');
  let pid: number;
  let cgroup: Cgroup;
  const script = [
    // 50 MiB held in the container's tmpfs /dev/shm, charged to its memory cgroup as shmem
    'head -c 50m /dev/zero > /dev/shm/hold',
    // 8 MiB written then read back with direct I/O, so it reaches the block device in our context
    'dd if=/dev/zero of=/tmp/io-test bs=1M count=8 oflag=direct 2>/dev/null || dd if=/dev/zero of=/tmp/io-test bs=1M count=8 2>/dev/null',
    'dd if=/tmp/io-test of=/dev/null bs=1M iflag=direct 2>/dev/null || cat /tmp/io-test > /dev/null',
    // a refused TCP connection over lo: a SYN and a RST cross the loopback interface
    'nc 127.0.0.1 1 </dev/null 2>/dev/null',
    // four sleepers and one CPU burner: with this shell, six processes
    'for i in 1 2 3 4; do sleep 1000 & done',
    'while :; do :; done &',
    'touch /dev/shm/ready',
    'wait',
  ].join('\n');

  beforeAll(async () => {
    pid = runDetached(
      id,
      baseConfig(id, ['sh', '-c', script], {
        memory: { limit: 256 * MiB },
        pids: { limit: 64 },
        // half a CPU, so the burner is throttled every period
        cpu: { quota: 50_000, period: 100_000 },
      }),
    );
    await waitFor('the container to finish its setup', () => existsSync(`/proc/${pid}/root/dev/shm/ready`));
    await waitFor('six processes', () => readFileSync(join(kernelDirectory('pids', id), 'cgroup.procs'), 'utf8').trim().split('\n').length === 6);
    cgroup = openCgroupOfPid(pid);
  }, timeout);

  test('openCgroupOfPid finds each controller where runc put it', () => {
    expect(cgroup.mode).toBe(mode);
    expect(cgroup.path).toBe(`/${marker}/${id}`);
    for (const controller of ['memory', 'pids', 'cpu']) {
      expect(cgroup.controllers[controller]).toEqual({ version: v2 ? 2 : 1, directory: kernelDirectory(controller, id) });
    }
  });

  test('memory: the 256 MiB limit, and usage holding the 50 MiB in /dev/shm (within 2 MiB of the kernel file)', async () => {
    const stats = await cgroup.stats();
    const usageFile = kernelNumber('memory', id, v2 ? 'memory.current' : 'memory.usage_in_bytes');
    const memory = stats.memory!;
    expect(memory.limitBytes).toBe(256 * MiB);
    expect(kernelNumber('memory', id, v2 ? 'memory.max' : 'memory.limit_in_bytes')).toBe(256 * MiB);
    expect(Math.abs(memory.usageBytes! - usageFile)).toBeLessThan(2 * MiB);
    expect(memory.usageBytes).toBeGreaterThanOrEqual(50 * MiB);
    expect(memory.usageBytes).toBeLessThan(50 * MiB + 8 * MiB + 40 * MiB);
    expect(memory.stat?.[v2 ? 'shmem' : 'total_shmem']).toBeGreaterThanOrEqual(50 * MiB);
    expect(memory.cacheBytes).toBeGreaterThanOrEqual(50 * MiB);
    expect(memory.maxUsageBytes).toBeGreaterThanOrEqual(memory.usageBytes! - 2 * MiB);
    expect(memoryUsageWithoutCache(memory)).toBeLessThanOrEqual(memory.usageBytes!);
    expect(memory.oomKillEvents).toBe(0);
  });

  test('pids: six processes, limit 64, the same pids as cgroup.procs', async () => {
    const stats = await cgroup.stats();
    expect(stats.pids).toEqual({ current: 6, limit: 64 });
    expect(kernelNumber('pids', id, 'pids.current')).toBe(6);
    const procs = readFileSync(join(kernelDirectory('pids', id), 'cgroup.procs'), 'utf8').trim().split('\n').map(Number);
    const pids = await cgroup.pids();
    expect(pids.sort()).toEqual(procs.sort());
    expect(pids).toContain(pid);
  });

  test('cpu: the burner uses about half a CPU and is throttled; totals agree with the kernel file', async () => {
    const first = await takeSample(cgroup, { pid });
    const wallStart = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await takeSample(cgroup, { pid });
    const wallNanoseconds = Number(process.hrtime.bigint() - wallStart);
    const kernelUsage = v2 ? kernelFlat('cpu', id, 'cpu.stat').usage_usec! * 1000 : kernelNumber('cpuacct', id, 'cpuacct.usage');
    const usage = second.stats.cpu!.usageNanoseconds!;
    // read just before the kernel file: not above it, and at most 0.2 s of two CPUs below it
    expect(usage).toBeLessThanOrEqual(kernelUsage);
    expect(kernelUsage - usage).toBeLessThan(0.2e9 * slow);
    const rate = (usage - first.stats.cpu!.usageNanoseconds!) / wallNanoseconds;
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.65);
    expect(second.stats.cpu!.userNanoseconds! + second.stats.cpu!.systemNanoseconds!).toBeGreaterThan(0);
    expect(second.stats.cpu!.throttling!.periods).toBeGreaterThan(first.stats.cpu!.throttling!.periods);
    expect(second.stats.cpu!.throttling!.throttledPeriods).toBeGreaterThan(0);
    expect(second.stats.cpu!.throttling!.throttledNanoseconds).toBeGreaterThan(0);
    if (!v2) expect(second.stats.cpu!.perCpuUsageNanoseconds!.reduce((sum, value) => sum + value, 0)).toBeCloseTo(usage, -8);
    // docker's figure over the same interval, in percent of one CPU
    const percent = cpuPercent(first, second);
    expect(percent).toBeGreaterThan(10);
    expect(percent).toBeLessThan(70);
    const docker = toDockerStats(first, second, { id });
    expect(docker.memory_stats.limit).toBe(256 * MiB);
    expect(docker.pids_stats).toEqual({ current: 6, limit: 64 });
    expect(docker.cpu_stats.cpu_usage.total_usage).toBe(usage);
    expect(docker.precpu_stats.cpu_usage.total_usage).toBe(first.stats.cpu!.usageNanoseconds);
    expect(docker.networks?.lo).toBeDefined();
    if (v2) expect(second.stats.pressure?.cpu?.some.totalMicroseconds).toBeGreaterThan(0);
  }, timeout);

  test('block I/O: per-device counters equal the kernel file, and hold the 8 MiB of direct I/O where the kernel counts it', async () => {
    const stats = await cgroup.stats();
    const file = join(kernelDirectory(v2 ? 'io' : 'blkio', id), v2 ? 'io.stat' : 'blkio.throttle.io_service_bytes_recursive');
    // the kernel's own figures, parsed here independently: device -> [read bytes, write bytes]
    const kernel = new Map<string, [number, number]>();
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const fields = line.split(' ');
      const device = fields[0] ?? '';
      if (!device.includes(':')) continue;
      const entry = kernel.get(device) ?? [0, 0];
      if (v2) {
        for (const field of fields.slice(1)) {
          const [key, value] = field.split('=');
          if (key === 'rbytes') entry[0] = Number(value);
          if (key === 'wbytes') entry[1] = Number(value);
        }
      } else if (fields[1] === 'Read') entry[0] = Number(fields[2]);
      else if (fields[1] === 'Write') entry[1] = Number(fields[2]);
      kernel.set(device, entry);
    }
    const ours = new Map(stats.blockIo!.devices.map((entry) => [`${entry.major}:${entry.minor}`, [entry.readBytes ?? 0, entry.writeBytes ?? 0]]));
    expect(ours).toEqual(kernel);
    const device = statSync(rootfs.rootfs).dev;
    const bundleDevice = `${(device >> 8) & 0xfff}:${(device & 0xff) | ((device >> 12) & 0xfff00)}`;
    const counted = ours.get(bundleDevice);
    // This host's kernel leaves v1 blkio.throttle counters at 0 when no throttle limit is set, and the
    // v2 VM keeps the bundle on tmpfs (no block device): there the kernel itself has nothing to report.
    if (counted) {
      expect(counted[0]).toBeGreaterThanOrEqual(8 * MiB);
      expect(counted[1]).toBeGreaterThanOrEqual(8 * MiB);
    }
  });

  test('network: the loopback connection attempt shows in /proc/<pid>/net/dev', () => {
    const lo = readNetworkStats(pid).lo;
    expect(lo?.rxPackets).toBeGreaterThanOrEqual(2);
    expect(lo?.txBytes).toBeGreaterThan(0);
  });
});

describe(`the OOM killer on this ${mode} host`, () => {
  test('watchOom reports a kill when 100 MiB are pushed into a 32 MiB container, and ends when it is deleted', async () => {
    const id = uniqueId('cgroups-oom');
    // swap equal to the limit: no swap, so the allocation cannot escape the OOM killer
    const pid = runDetached(id, baseConfig(id, ['sleep', '1000'], { memory: { limit: 32 * MiB, swap: 32 * MiB } }));
    const cgroup = openCgroupOfPid(pid);
    const events: OomEvent[] = [];
    // On v2 a poll interval of a minute proves that inotify delivers both the OOM (memory.events)
    // and the removal of the cgroup (its directory).
    const watching = (async () => {
      for await (const event of watchOom(cgroup, { pollIntervalMs: v2 ? 60_000 : 100 })) events.push(event);
    })();
    const exec = spawnSync('runc', ['--root', runc.root, 'exec', id, 'sh', '-c', 'head -c 100m /dev/zero | tail'], { encoding: 'utf8' });
    expect(exec.status).toBe(137);
    await waitFor('the OOM event', () => events.length > 0, 10_000 * slow);
    expect(events[0]?.newOomKills).toBeGreaterThanOrEqual(1);
    const stats = await cgroup.stats();
    const kernel = kernelFlat('memory', id, v2 ? 'memory.events' : 'memory.oom_control');
    expect(stats.memory?.oomKillEvents).toBe(kernel.oom_kill);
    expect(stats.memory?.oomKillEvents).toBeGreaterThanOrEqual(1);
    expect(stats.memory?.limitBytes).toBe(32 * MiB);
    expect(stats.memory?.maxUsageBytes).toBeGreaterThan(28 * MiB);
    if (v2) expect(stats.memory?.oomEvents).toBeGreaterThanOrEqual(1);
    // with swap = limit the kernel fails the memory+swap counter, so memory.failcnt may stay 0
    else expect(stats.memory?.failCount).toBe(kernelNumber('memory', id, 'memory.failcnt'));
    // the allocation was killed; the init (sleep) usually survives, but which task the OOM killer
    // picks is the kernel's choice (under load it has taken the init too): no other task is left
    expect((await cgroup.pids()).filter((other) => other !== pid)).toEqual([]);

    execFileSync('runc', ['--root', runc.root, 'delete', '-f', id]);
    const deletedAt = Date.now();
    await watching;
    expect(Date.now() - deletedAt).toBeLessThan(3_000 * slow);
    expect(cgroup.exists()).toBe(false);
    await expect(cgroup.stats()).rejects.toMatchObject({ code: 'CGROUP_NOT_FOUND' });
  }, timeout);
});
