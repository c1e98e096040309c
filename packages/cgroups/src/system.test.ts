import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { copyFixtures } from './__fixtures__/copy-fixtures.js';
import { readNetworkStats } from './network.js';
import { readOnlineCpuCount, readSystemCpuUsage } from './system.js';

let fixtures: Awaited<ReturnType<typeof copyFixtures>>;
beforeAll(async () => {
  fixtures = await copyFixtures();
});
afterAll(async () => {
  await fixtures?.remove();
});

test('readSystemCpuUsage sums the first seven cpu fields of /proc/stat, in nanoseconds', () => {
  const ticks = 10132153 + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195;
  expect(readSystemCpuUsage({ procRoot: join(fixtures.root, 'proc') })).toBe(ticks * 10_000_000);
});

test('readSystemCpuUsage on this host grows with time', async () => {
  const first = readSystemCpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(readSystemCpuUsage()).toBeGreaterThan(first);
});

test('readOnlineCpuCount counts the ranges of cpu/online', () => {
  expect(readOnlineCpuCount({ sysRoot: join(fixtures.root, 'sys') })).toBe(5);
});

test('readNetworkStats parses /proc/<pid>/net/dev per interface', () => {
  expect(readNetworkStats(101, { procRoot: join(fixtures.root, 'proc') })).toEqual({
    lo: { rxBytes: 840, rxPackets: 10, rxErrors: 0, rxDropped: 0, txBytes: 840, txPackets: 10, txErrors: 0, txDropped: 0 },
    eth0: { rxBytes: 5338, rxPackets: 36, rxErrors: 1, rxDropped: 2, txBytes: 648, txPackets: 8, txErrors: 3, txDropped: 4 },
  });
});

test('readNetworkStats of this process sees lo', () => {
  expect(readNetworkStats(process.pid).lo).toMatchObject({ rxBytes: expect.any(Number) });
});

test('errors name the path', () => {
  expect(() => readNetworkStats(424242, { procRoot: join(fixtures.root, 'proc') })).toThrow(
    expect.objectContaining({ code: 'PROCESS_NOT_FOUND', path: join(fixtures.root, 'proc/424242/net/dev') }),
  );
  expect(() => readSystemCpuUsage({ procRoot: join(fixtures.root, 'nowhere') })).toThrow(expect.objectContaining({ code: 'READ_FAILED' }));
});
