import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixtures } from './__fixtures__/copy-fixtures.js';
import { openCgroup, openCgroupOfPid } from './cgroup.js';
import { readOomCounters } from './oom-counters.js';
import { detectCgroupMode } from './mode.js';
import { cgroupStatsSchema } from './stats-schema.js';

let fixtures: Awaited<ReturnType<typeof copyFixtures>>;
let v1: string;
let v2: string;
let hybrid: string;
let proc: string;
beforeAll(async () => {
  fixtures = await copyFixtures();
  v1 = join(fixtures.root, 'v1');
  v2 = join(fixtures.root, 'v2');
  hybrid = join(fixtures.root, 'hybrid');
  proc = join(fixtures.root, 'proc');
});
afterAll(async () => {
  await fixtures?.remove();
});

test('detectCgroupMode tells the three layouts apart', () => {
  expect(detectCgroupMode(v1)).toBe('legacy');
  expect(detectCgroupMode(v2)).toBe('unified');
  expect(detectCgroupMode(hybrid)).toBe('hybrid');
});

describe('cgroup v2', () => {
  test('a service with every controller', async () => {
    const cgroup = openCgroup('/system.slice/demo.service', { cgroupRoot: v2 });
    const directory = join(v2, 'system.slice/demo.service');
    expect(cgroup.mode).toBe('unified');
    expect(cgroup.unifiedDirectory).toBe(directory);
    expect(cgroup.controllers).toEqual({
      cpu: { version: 2, directory },
      io: { version: 2, directory },
      memory: { version: 2, directory },
      hugetlb: { version: 2, directory },
      pids: { version: 2, directory },
    });
    expect([...cgroup.hugePageSizes].sort()).toEqual(['1GB', '2MB']);
    const stats = await cgroup.stats();
    expect(cgroupStatsSchema.parse(stats)).toEqual(stats);
    expect(stats.cpu).toEqual({
      usageNanoseconds: 1_500_000_000,
      userNanoseconds: 1_000_000_000,
      systemNanoseconds: 500_000_000,
      throttling: { periods: 40, throttledPeriods: 7, throttledNanoseconds: 350_000_000 },
    });
    expect({ ...stats.memory, stat: undefined }).toEqual({
      usageBytes: 104857600,
      maxUsageBytes: 157286400,
      limitBytes: 268435456,
      cacheBytes: 29360128,
      rssBytes: 73400320,
      inactiveFileBytes: 20971520,
      swapUsageBytes: 4096,
      swapLimitBytes: null,
      oomEvents: 2,
      oomKillEvents: 1,
      stat: undefined,
    });
    expect(stats.memory?.stat).toMatchObject({ anon: 73400320, file: 29360128, pgmajfault: 12 });
    expect(Object.keys(stats.memory?.stat ?? {})).toHaveLength(29);
    expect(stats.pids).toEqual({ current: 3, limit: 100 });
    expect(stats.blockIo).toEqual({
      devices: [
        { major: 8, minor: 0, readBytes: 1459200, writeBytes: 314773504, readOperations: 192, writeOperations: 353, discardBytes: 0, discardOperations: 0 },
        { major: 8, minor: 16, readBytes: 4096, readOperations: 1 },
        { major: 253, minor: 0, writeBytes: 8192, writeOperations: 2 },
      ],
    });
    expect(stats.hugetlb).toEqual({
      '2MB': { usageBytes: 4194304, limitBytes: 8388608, failCount: 3 },
      '1GB': { usageBytes: 0, limitBytes: null, failCount: 0 },
    });
    expect(stats.pressure?.cpu).toEqual({
      some: { avg10: 1.5, avg60: 0.75, avg300: 0.2, totalMicroseconds: 123456 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalMicroseconds: 0 },
    });
    expect(stats.pressure?.io?.full?.totalMicroseconds).toBe(555);
    expect(stats.raw.v1).toBeUndefined();
    expect(stats.raw.v2?.['memory.events']).toEqual({ low: 0, high: 0, max: 12, oom: 2, oom_kill: 1, oom_group_kill: 0 });
    expect(stats.raw.v2?.['memory.swap.max']).toBe('max');
    expect(stats.raw.v2?.['io.stat']).toMatchObject({ '8:16': { rbytes: 4096, rios: 1 } });
    expect(await cgroup.pids()).toEqual([101, 102, 103]);
  });

  test('max values, empty files, no memory.peak and no PSI', async () => {
    const stats = await openCgroup('/unlimited', { cgroupRoot: v2 }).stats();
    expect(stats.memory).toEqual({
      usageBytes: 0,
      limitBytes: null,
      swapUsageBytes: 0,
      swapLimitBytes: null,
      oomEvents: 0,
      oomKillEvents: 0,
      stat: {},
    });
    expect(stats.pids).toEqual({ current: 0, limit: null });
    expect(stats.blockIo).toEqual({ devices: [] });
    expect(stats.cpu).toEqual({ usageNanoseconds: 0, userNanoseconds: 0, systemNanoseconds: 0 });
    expect(stats.pressure).toBeUndefined();
    expect(stats.hugetlb).toBeUndefined();
    expect(await openCgroup('/unlimited', { cgroupRoot: v2 }).pids()).toEqual([]);
  });

  test('no controllers delegated: only the core cpu.stat', async () => {
    const cgroup = openCgroup('/bare', { cgroupRoot: v2 });
    expect(cgroup.controllers).toEqual({});
    const stats = await cgroup.stats();
    expect(Object.keys(stats).sort()).toEqual(['cpu', 'raw', 'readAt']);
    expect(stats.cpu).toEqual({ usageNanoseconds: 2_000_000, userNanoseconds: 1_500_000, systemNanoseconds: 500_000 });
  });

  test('openCgroupOfPid follows the 0:: line', () => {
    const cgroup = openCgroupOfPid(101, { cgroupRoot: v2, procRoot: proc });
    expect(cgroup.path).toBe('/system.slice/demo.service');
    expect(cgroup.controllers.memory?.directory).toBe(join(v2, 'system.slice/demo.service'));
  });
});

describe('cgroup v1', () => {
  test('a docker-style container over co-mounted cpu,cpuacct and separate hierarchies', async () => {
    const cgroup = openCgroupOfPid(201, { cgroupRoot: v1, procRoot: proc });
    expect(cgroup.mode).toBe('legacy');
    expect(cgroup.path).toBe('/docker/abc');
    expect(cgroup.unifiedDirectory).toBeUndefined();
    expect(cgroup.controllers.cpu).toEqual({ version: 1, directory: join(v1, 'cpu,cpuacct/docker/abc') });
    expect(cgroup.controllers.cpuacct).toEqual({ version: 1, directory: join(v1, 'cpu,cpuacct/docker/abc') });
    expect(cgroup.controllers.memory).toEqual({ version: 1, directory: join(v1, 'memory/docker/abc') });
    // freezer is listed in /proc/201/cgroup but not mounted: absent, not an error
    expect(cgroup.controllers.freezer).toBeUndefined();
    const stats = await cgroup.stats();
    expect(cgroupStatsSchema.parse(stats)).toEqual(stats);
    expect(stats.cpu).toEqual({
      usageNanoseconds: 3_000_000_000,
      userNanoseconds: 2_100_000_000,
      systemNanoseconds: 900_000_000,
      perCpuUsageNanoseconds: [1_000_000_000, 2_000_000_000, 0, 0],
      throttling: { periods: 100, throttledPeriods: 25, throttledNanoseconds: 1_250_000_000 },
    });
    expect({ ...stats.memory, stat: undefined }).toEqual({
      usageBytes: 209715200,
      maxUsageBytes: 262144000,
      limitBytes: 536870912,
      cacheBytes: 52428800,
      rssBytes: 146800640,
      inactiveFileBytes: 41943040,
      swapUsageBytes: 220200960 - 209715200,
      swapLimitBytes: 1073741824 - 536870912,
      failCount: 4,
      oomKillEvents: 3,
      underOom: false,
      stat: undefined,
    });
    expect(stats.memory?.stat?.total_inactive_file).toBe(41943040);
    expect(stats.pids).toEqual({ current: 3, limit: null });
    expect(stats.blockIo).toEqual({
      devices: [
        { major: 7, minor: 1, readBytes: 4096, writeBytes: 0, readOperations: 1, writeOperations: 0, discardBytes: 0, discardOperations: 0 },
        { major: 8, minor: 0, readBytes: 1048576, writeBytes: 2097152, readOperations: 16, writeOperations: 32, discardBytes: 0, discardOperations: 0 },
      ],
    });
    expect(stats.hugetlb).toEqual({
      '2MB': { usageBytes: 2097152, maxUsageBytes: 6291456, limitBytes: null, failCount: 0 },
      '1GB': { usageBytes: 0, maxUsageBytes: 0, limitBytes: 1073741824, failCount: 1 },
    });
    expect(stats.pressure).toBeUndefined();
    expect(stats.raw.v2).toBeUndefined();
    expect(stats.raw.v1?.['memory.oom_control']).toEqual({ oom_kill_disable: 0, under_oom: 0, oom_kill: 3 });
    expect(stats.raw.v1?.['cpuacct.usage_percpu']).toEqual([1_000_000_000, 2_000_000_000, 0, 0]);
    expect(await cgroup.pids()).toEqual([201, 202]);
  });

  test('an older kernel: cpuacct.stat ticks, no oom_kill, no swap accounting, no limit, missing hierarchies', async () => {
    const cgroup = openCgroup('/old', { cgroupRoot: v1 });
    expect(Object.keys(cgroup.controllers).sort()).toEqual(['cpu', 'cpuacct', 'memory']);
    const stats = await cgroup.stats();
    expect(stats.cpu).toEqual({
      usageNanoseconds: 5_000_000,
      userNanoseconds: 30_000_000,
      systemNanoseconds: 10_000_000,
      perCpuUsageNanoseconds: [5_000_000, 0],
      throttling: { periods: 0, throttledPeriods: 0, throttledNanoseconds: 0 },
    });
    expect(stats.memory).toEqual({
      usageBytes: 1048576,
      maxUsageBytes: 2097152,
      limitBytes: null,
      cacheBytes: 4096,
      rssBytes: 1044480,
      inactiveFileBytes: 4096,
      failCount: 0,
      underOom: true,
      stat: { cache: 4096, rss: 1044480, inactive_file: 4096 },
    });
    expect(stats.pids).toBeUndefined();
    expect(stats.blockIo).toBeUndefined();
    expect(stats.hugetlb).toBeUndefined();
  });
});

describe('hybrid', () => {
  test('controllers at different paths, hugetlb and PSI from the unified hierarchy', async () => {
    const cgroup = openCgroupOfPid(401, { cgroupRoot: hybrid, procRoot: proc });
    expect(cgroup.mode).toBe('hybrid');
    expect(cgroup.path).toBe('/user.slice/c1');
    expect(cgroup.controllers.memory).toEqual({ version: 1, directory: join(hybrid, 'memory/sandbox/c1') });
    expect(cgroup.controllers.cpu).toEqual({ version: 1, directory: join(hybrid, 'cpu/user.slice/c1') });
    expect(cgroup.controllers.cpuacct).toEqual({ version: 1, directory: join(hybrid, 'cpuacct/user.slice/c1') });
    expect(cgroup.controllers.hugetlb).toEqual({ version: 2, directory: join(hybrid, 'unified/user.slice/c1') });
    expect(cgroup.unifiedDirectory).toBe(join(hybrid, 'unified/user.slice/c1'));
    const stats = await cgroup.stats();
    expect(cgroupStatsSchema.parse(stats)).toEqual(stats);
    // CPU comes from the v1 cpuacct controller (the split from usage_all), not the unified core cpu.stat
    expect(stats.cpu).toEqual({
      usageNanoseconds: 750_000_000,
      userNanoseconds: 600_000_000,
      systemNanoseconds: 150_000_000,
      perCpuUsageNanoseconds: [500_000_000, 250_000_000],
      throttling: { periods: 0, throttledPeriods: 0, throttledNanoseconds: 0 },
    });
    expect(stats.raw.v1?.['cpuacct.usage_all']).toEqual({ '0': { user: 400_000_000, system: 100_000_000 }, '1': { user: 200_000_000, system: 50_000_000 } });
    expect(stats.raw.v1?.['cpuacct.usage_user']).toBeUndefined();
    expect(stats.memory).toMatchObject({ usageBytes: 52428800, limitBytes: 67108864, swapUsageBytes: 0, swapLimitBytes: 0 });
    expect(stats.pids).toEqual({ current: 2, limit: 64 });
    expect(stats.blockIo).toEqual({ devices: [] });
    expect(stats.hugetlb).toEqual({ '2MB': { usageBytes: 0, limitBytes: null, failCount: 0 } });
    expect(stats.pressure?.cpu?.some.totalMicroseconds).toBe(2000);
    expect(Object.keys(stats.raw.v1 ?? {})).toContain('memory.stat');
    expect(Object.keys(stats.raw.v2 ?? {})).toEqual(expect.arrayContaining(['hugetlb.2MB.current', 'cpu.pressure']));
    expect(await cgroup.pids()).toEqual([401, 402]);
  });

  test('readOomCounters reads the OOM counters alone, the same as stats()', async () => {
    const v2Service = openCgroup('/system.slice/demo.service', { cgroupRoot: v2 });
    expect(readOomCounters(v2Service)).toEqual({ oomKills: 1, ooms: 2 });
    expect(readOomCounters(v2Service)?.oomKills).toBe((await v2Service.stats()).memory?.oomKillEvents);
    const docker = openCgroupOfPid(201, { cgroupRoot: v1, procRoot: proc });
    expect(readOomCounters(docker)).toEqual({ oomKills: 3 });
    // No memory controller: nothing to read.
    expect(readOomCounters(openCgroup('/bare', { cgroupRoot: v2 }))).toBeUndefined();
  });

  test('brief: the figures of a docker stats line, the same values, a third of the files', async () => {
    for (const cgroup of [openCgroupOfPid(401, { cgroupRoot: hybrid, procRoot: proc }), openCgroupOfPid(201, { cgroupRoot: v1, procRoot: proc }), openCgroup('/system.slice/demo.service', { cgroupRoot: v2 })]) {
      const full = await cgroup.stats();
      const brief = await cgroup.stats({ brief: true });
      expect(cgroupStatsSchema.parse(brief)).toEqual(brief);
      expect(brief.cpu).toEqual({ usageNanoseconds: full.cpu?.usageNanoseconds, ...(cgroup.mode === 'unified' ? { userNanoseconds: full.cpu?.userNanoseconds, systemNanoseconds: full.cpu?.systemNanoseconds, throttling: full.cpu?.throttling } : {}) });
      expect(brief.memory).toEqual({ usageBytes: full.memory?.usageBytes, limitBytes: full.memory?.limitBytes, inactiveFileBytes: full.memory?.inactiveFileBytes, stat: full.memory?.stat });
      expect(brief.pids).toEqual(full.pids === undefined ? undefined : { current: full.pids.current });
      expect(brief.blockIo?.devices.map(({ major, minor, readBytes, writeBytes }) => ({ major, minor, readBytes, writeBytes }))).toEqual(full.blockIo?.devices.map(({ major, minor, readBytes, writeBytes }) => ({ major, minor, readBytes, writeBytes })));
      expect(brief.hugetlb).toBeUndefined();
      expect(brief.pressure).toBeUndefined();
      const files = (stats: typeof full) => Object.keys(stats.raw.v1 ?? {}).length + Object.keys(stats.raw.v2 ?? {}).length;
      expect(files(brief)).toBeLessThan(files(full));
      if (cgroup.mode !== 'unified') expect(files(brief) * 2).toBeLessThanOrEqual(files(full));
    }
  });

  test('openCgroup by path finds only the hierarchies that have it', () => {
    const cgroup = openCgroup('/user.slice/c1', { cgroupRoot: hybrid });
    expect(cgroup.controllers.memory).toBeUndefined();
    expect(cgroup.controllers.pids?.version).toBe(1);
    expect(cgroup.controllers.hugetlb?.version).toBe(2);
  });
});

describe('errors', () => {
  test('a cgroup that does not exist', () => {
    for (const cgroupRoot of [v1, v2, hybrid]) {
      expect(() => openCgroup('/no/such/group', { cgroupRoot })).toThrow(
        expect.objectContaining({ name: 'CgroupError', code: 'CGROUP_NOT_FOUND', message: expect.stringContaining('/no/such/group') }),
      );
    }
  });

  test('a process that does not exist', () => {
    expect(() => openCgroupOfPid(999999, { cgroupRoot: v2, procRoot: proc })).toThrow(
      expect.objectContaining({ code: 'PROCESS_NOT_FOUND', path: join(proc, '999999/cgroup') }),
    );
  });

  test('a cgroup removed after opening', async () => {
    const root = join(fixtures.root, 'v2');
    const cgroup = openCgroup('/bare', { cgroupRoot: root });
    await rm(join(root, 'bare'), { recursive: true });
    expect(cgroup.exists()).toBe(false);
    await expect(cgroup.stats()).rejects.toMatchObject({ code: 'CGROUP_NOT_FOUND', path: join(root, 'bare') });
    await expect(cgroup.pids()).rejects.toMatchObject({ code: 'CGROUP_NOT_FOUND' });
  });

  test('a malformed file names its path', async () => {
    const root = join(fixtures.root, 'v2');
    await writeFile(join(root, 'system.slice/demo.service/memory.current'), 'lots\n');
    await expect(openCgroup('/system.slice/demo.service', { cgroupRoot: root }).stats()).rejects.toMatchObject({
      code: 'INVALID_FORMAT',
      path: join(root, 'system.slice/demo.service/memory.current'),
    });
    await writeFile(join(root, 'system.slice/demo.service/memory.current'), '104857600\n');
  });
});

describe('paths', () => {
  test.each(['../../etc', '/system.slice/../../etc', '..'])('%s is refused with INVALID_PATH, naming it', (path) => {
    expect(() => openCgroup(path, { cgroupRoot: '/nonexistent-cgroup-root' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_PATH', path, message: expect.stringContaining(JSON.stringify(path)) }),
    );
  });
});
