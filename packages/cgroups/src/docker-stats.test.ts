import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referenceFile } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixtures } from './__fixtures__/copy-fixtures.js';
import { cpuPercent, memoryUsageWithoutCache } from './calculations.js';
import { openCgroup, openCgroupOfPid } from './cgroup.js';
import { toDockerStats } from './docker-stats.js';
import type { Sample } from './sample.js';
import type { CgroupStats } from './stats.js';

/** The Docker Engine API document: a CI extra named by EXECDRIVER_REFERENCE (see referenceFile). */
const api = referenceFile('docker-engine-api.yaml');

/** Property names of one definition of the Swagger document (indentation based, no YAML parser). */
function definitionProperties(yaml: string, name: string): string[] {
  const lines = yaml.split('\n');
  const start = lines.findIndex((line) => line === `  ${name}:`);
  if (start < 0) throw new Error(`no definition ${name}`);
  const names: string[] = [];
  let inProperties = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ {2}\S/.test(line)) break;
    if (line === '    properties:') inProperties = true;
    else if (/^ {4}\S/.test(line)) inProperties = false;
    const match = /^ {6}([a-z_0-9]+):/.exec(line);
    if (inProperties && match?.[1]) names.push(match[1]);
  }
  return names;
}

let fixtures: Awaited<ReturnType<typeof copyFixtures>>;
beforeAll(async () => {
  fixtures = await copyFixtures();
});
afterAll(async () => {
  await fixtures?.remove();
});

const withCpu = (usageNanoseconds: number, system: number, onlineCpus = 4): Sample => ({
  stats: { readAt: new Date(0).toISOString(), cpu: { usageNanoseconds }, raw: {} },
  systemCpuUsageNanoseconds: system,
  onlineCpus,
});

describe('cpuPercent (docker CLI formula)', () => {
  test('one CPU busy out of four for the whole interval is 100%', () => {
    expect(cpuPercent(withCpu(0, 0), withCpu(1e9, 4e9))).toBe(100);
  });
  test('half a CPU', () => expect(cpuPercent(withCpu(1e9, 1e10), withCpu(1.5e9, 1.4e10))).toBe(50));
  test('no host progress or no container progress gives 0', () => {
    expect(cpuPercent(withCpu(0, 5), withCpu(1e9, 5))).toBe(0);
    expect(cpuPercent(withCpu(7, 0), withCpu(7, 4e9))).toBe(0);
  });
  test('falls back to the per-CPU count when online CPUs are unknown', () => {
    const previous: Sample = { stats: { readAt: '', cpu: { usageNanoseconds: 0, perCpuUsageNanoseconds: [0, 0] }, raw: {} }, systemCpuUsageNanoseconds: 0 };
    const current: Sample = { stats: { readAt: '', cpu: { usageNanoseconds: 1e9, perCpuUsageNanoseconds: [1e9, 0] }, raw: {} }, systemCpuUsageNanoseconds: 2e9 };
    expect(cpuPercent(previous, current)).toBe(100);
  });
});

describe('memoryUsageWithoutCache (docker CLI formula)', () => {
  test('v1 subtracts total_inactive_file', async () => {
    const stats = await openCgroup('/docker/abc', { cgroupRoot: join(fixtures.root, 'v1') }).stats();
    expect(memoryUsageWithoutCache(stats.memory)).toBe(209715200 - 41943040);
  });
  test('v2 subtracts inactive_file', async () => {
    const stats = await openCgroup('/system.slice/demo.service', { cgroupRoot: join(fixtures.root, 'v2') }).stats();
    expect(memoryUsageWithoutCache(stats.memory)).toBe(104857600 - 20971520);
  });
  test('inactive file not smaller than usage, or unknown', () => {
    expect(memoryUsageWithoutCache({ usageBytes: 10, inactiveFileBytes: 10 })).toBe(10);
    expect(memoryUsageWithoutCache({ usageBytes: 10 })).toBe(10);
    expect(memoryUsageWithoutCache(undefined)).toBeUndefined();
  });
});

describe('toDockerStats', () => {
  // The field names are checked against the Engine API's definitions where that document is at
  // hand (CI); elsewhere the shape tests run without that check and one test says it was not run.
  const yaml = api.path ? readFileSync(api.path, 'utf8') : undefined;
  const declared = yaml === undefined ? undefined : {
    response: definitionProperties(yaml, 'ContainerStatsResponse'),
    cpu: definitionProperties(yaml, 'ContainerCPUStats'),
    cpuUsage: definitionProperties(yaml, 'ContainerCPUUsage'),
    throttling: definitionProperties(yaml, 'ContainerThrottlingData'),
    memory: definitionProperties(yaml, 'ContainerMemoryStats'),
    pids: definitionProperties(yaml, 'ContainerPidsStats'),
    blkio: definitionProperties(yaml, 'ContainerBlkioStats'),
    blkioEntry: definitionProperties(yaml, 'ContainerBlkioStatEntry'),
    network: definitionProperties(yaml, 'ContainerNetworkStats'),
  };

  const checkNames = (docker: ReturnType<typeof toDockerStats>) => {
    if (!declared) return;
    expect(declared.response).toEqual(expect.arrayContaining(Object.keys(docker)));
    for (const cpu of [docker.cpu_stats, docker.precpu_stats]) {
      expect(declared.cpu).toEqual(expect.arrayContaining(Object.keys(cpu)));
      expect(declared.cpuUsage).toEqual(expect.arrayContaining(Object.keys(cpu.cpu_usage)));
      expect(declared.throttling).toEqual(expect.arrayContaining(Object.keys(cpu.throttling_data)));
    }
    expect(declared.memory).toEqual(expect.arrayContaining(Object.keys(docker.memory_stats)));
    expect(declared.pids).toEqual(expect.arrayContaining(Object.keys(docker.pids_stats)));
    expect(declared.blkio.sort()).toEqual(Object.keys(docker.blkio_stats).sort());
    for (const entry of docker.blkio_stats.io_service_bytes_recursive ?? []) expect(declared.blkioEntry.sort()).toEqual(Object.keys(entry).sort());
    for (const network of Object.values(docker.networks ?? {})) {
      expect(declared.network).toEqual(expect.arrayContaining(Object.keys(network)));
      expect(Object.keys(network)).toHaveLength(8);
    }
  };

  test.skipIf(api.skip !== undefined)(api.skip ?? 'the Engine API description was read', () => {
    if (api.error) throw new Error(api.error);
    if (!declared) throw new Error('no Engine API description');
    expect(declared.response).toEqual(expect.arrayContaining(['cpu_stats', 'precpu_stats', 'memory_stats', 'pids_stats', 'blkio_stats', 'networks']));
    expect(declared.memory).toContain('max_usage');
  });

  test('v1: per-CPU usage, max_usage, failcnt, every blkio operation', async () => {
    const root = join(fixtures.root, 'v1');
    const cgroup = openCgroupOfPid(201, { cgroupRoot: root, procRoot: join(fixtures.root, 'proc') });
    const stats = await cgroup.stats();
    const previous: Sample = { stats: { ...stats, readAt: '2026-01-01T00:00:00.000Z', cpu: { usageNanoseconds: 1e9 } }, systemCpuUsageNanoseconds: 1e10, onlineCpus: 4 };
    const current: Sample = {
      stats,
      systemCpuUsageNanoseconds: 2e10,
      onlineCpus: 4,
      networks: { eth0: { rxBytes: 1, rxPackets: 2, rxErrors: 3, rxDropped: 4, txBytes: 5, txPackets: 6, txErrors: 7, txDropped: 8 } },
    };
    const docker = toDockerStats(previous, current, { id: 'abc', name: 'web', machineMemoryBytes: 8 * 2 ** 30 });
    checkNames(docker);
    expect(docker).toMatchObject({
      id: 'abc',
      name: 'web',
      read: stats.readAt,
      preread: '2026-01-01T00:00:00.000Z',
      cpu_stats: {
        cpu_usage: { total_usage: 3e9, percpu_usage: [1e9, 2e9, 0, 0], usage_in_kernelmode: 9e8, usage_in_usermode: 2.1e9 },
        system_cpu_usage: 2e10,
        online_cpus: 4,
        throttling_data: { periods: 100, throttled_periods: 25, throttled_time: 1.25e9 },
      },
      precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 1e10 },
      memory_stats: { usage: 209715200, max_usage: 262144000, failcnt: 4, limit: 536870912 },
      pids_stats: { current: 3, limit: 0 },
      networks: { eth0: { rx_bytes: 1, rx_packets: 2, rx_errors: 3, rx_dropped: 4, tx_bytes: 5, tx_packets: 6, tx_errors: 7, tx_dropped: 8 } },
    });
    expect(docker.memory_stats.stats?.total_inactive_file).toBe(41943040);
    expect(docker.blkio_stats.io_service_bytes_recursive).toContainEqual({ major: 8, minor: 0, op: 'Read', value: 1048576 });
    expect(docker.blkio_stats.io_service_bytes_recursive).toContainEqual({ major: 8, minor: 0, op: 'Total', value: 3145728 });
    expect(docker.blkio_stats.io_serviced_recursive).toContainEqual({ major: 8, minor: 0, op: 'Write', value: 32 });
    // the docker CLI's CPU % from these two samples: (2e9 / 1e10) * 4 * 100
    expect(cpuPercent(previous, current)).toBeCloseTo(80);
  });

  test('v2: no v1-only fields, lowercase io ops, unlimited memory reported as the machine memory', async () => {
    const stats = await openCgroup('/unlimited', { cgroupRoot: join(fixtures.root, 'v2') }).stats();
    const docker = toDockerStats(undefined, { stats }, { machineMemoryBytes: 4 * 2 ** 30 });
    checkNames(docker);
    expect(docker.preread).toBe('0001-01-01T00:00:00Z');
    expect(docker.precpu_stats.cpu_usage.total_usage).toBe(0);
    expect(docker.cpu_stats.cpu_usage.percpu_usage).toBeUndefined();
    expect(docker.memory_stats).toEqual({ usage: 0, stats: {}, limit: 4 * 2 ** 30 });
    expect(docker.pids_stats).toEqual({ current: 0, limit: 0 });
    expect(docker.networks).toBeUndefined();

    const service = await openCgroup('/system.slice/demo.service', { cgroupRoot: join(fixtures.root, 'v2') }).stats();
    const serviceDocker = toDockerStats(undefined, { stats: service as CgroupStats });
    checkNames(serviceDocker);
    expect(serviceDocker.memory_stats.max_usage).toBeUndefined();
    expect(serviceDocker.blkio_stats.io_service_bytes_recursive).toEqual([
      { major: 8, minor: 0, op: 'read', value: 1459200 },
      { major: 8, minor: 0, op: 'write', value: 314773504 },
      { major: 8, minor: 16, op: 'read', value: 4096 },
      { major: 253, minor: 0, op: 'write', value: 8192 },
    ]);
    expect(serviceDocker.blkio_stats.io_serviced_recursive).toBeNull();
  });
});
