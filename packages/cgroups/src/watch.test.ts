import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFixtures } from './__fixtures__/copy-fixtures.js';
import { openCgroup } from './cgroup.js';
import { watchOom, watchStats, type OomEvent } from './watch.js';

let fixtures: Awaited<ReturnType<typeof copyFixtures>>;
beforeAll(async () => {
  fixtures = await copyFixtures();
});
afterAll(async () => {
  await fixtures?.remove();
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchStats', () => {
  test('samples until the signal aborts', async () => {
    const cgroup = openCgroup('/system.slice/demo.service', { cgroupRoot: join(fixtures.root, 'v2') });
    const controller = new AbortController();
    const usages: (number | undefined)[] = [];
    for await (const stats of watchStats(cgroup, { intervalMs: 10, signal: controller.signal })) {
      usages.push(stats.memory?.usageBytes);
      if (usages.length === 3) controller.abort();
    }
    expect(usages).toEqual([104857600, 104857600, 104857600]);
  });

  test('ends when the cgroup disappears', async () => {
    const root = join(fixtures.root, 'v1');
    const cgroup = openCgroup('/old', { cgroupRoot: root });
    let count = 0;
    for await (const stats of watchStats(cgroup, { intervalMs: 10 })) {
      expect(stats.cpu?.usageNanoseconds).toBe(5_000_000);
      count += 1;
      if (count === 2) {
        await rm(join(root, 'cpu,cpuacct/old'), { recursive: true });
        await rm(join(root, 'memory/old'), { recursive: true });
      }
    }
    expect(count).toBe(2);
  });
});

describe('watchOom', () => {
  test('v2: inotify on memory.events wakes the watch without polling', async () => {
    const root = join(fixtures.root, 'v2');
    const cgroup = openCgroup('/system.slice/demo.service', { cgroupRoot: root });
    const events: OomEvent[] = [];
    const started = Date.now();
    const watching = (async () => {
      // A poll interval of a minute: only inotify can deliver the events in time.
      for await (const event of watchOom(cgroup, { pollIntervalMs: 60_000 })) events.push(event);
    })();
    const file = join(root, 'system.slice/demo.service/memory.events');
    await delay(50);
    await writeFile(file, 'low 0\nhigh 0\nmax 13\noom 3\noom_kill 2\noom_group_kill 0\n');
    await delay(100);
    await writeFile(file, 'low 0\nhigh 0\nmax 14\noom 4\noom_kill 4\noom_group_kill 0\n');
    await delay(100);
    await rm(join(root, 'system.slice/demo.service'), { recursive: true });
    await watching;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(events.map(({ newOomKills, oomKillEvents, oomEvents }) => ({ newOomKills, oomKillEvents, oomEvents }))).toEqual([
      { newOomKills: 1, oomKillEvents: 2, oomEvents: 3 },
      { newOomKills: 2, oomKillEvents: 4, oomEvents: 4 },
    ]);
  });

  test('v1: polls oom_kill of memory.oom_control, ends on abort', async () => {
    const root = join(fixtures.root, 'v1');
    const cgroup = openCgroup('/docker/abc', { cgroupRoot: root });
    const controller = new AbortController();
    const events: OomEvent[] = [];
    const watching = (async () => {
      for await (const event of watchOom(cgroup, { signal: controller.signal, pollIntervalMs: 10 })) events.push(event);
    })();
    await delay(50);
    await writeFile(join(root, 'memory/docker/abc/memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 5\n');
    await delay(100);
    controller.abort();
    await watching;
    expect(events).toEqual([{ readAt: expect.any(String), newOomKills: 2, oomKillEvents: 5 }]);
  });

  test('v2 without cgroup.events (like the root cgroup): keeps watching until aborted', async () => {
    const cgroup = openCgroup('/unlimited', { cgroupRoot: join(fixtures.root, 'v2') });
    const controller = new AbortController();
    let ended = false;
    const watching = (async () => {
      for await (const event of watchOom(cgroup, { signal: controller.signal, pollIntervalMs: 10 })) throw new Error(`unexpected ${JSON.stringify(event)}`);
      ended = true;
    })();
    await delay(100);
    expect(ended).toBe(false);
    controller.abort();
    await watching;
    expect(ended).toBe(true);
  });

  test('a cgroup without a memory controller', async () => {
    const cgroup = openCgroup('/bare', { cgroupRoot: join(fixtures.root, 'v2') });
    await expect(watchOom(cgroup).next()).rejects.toMatchObject({ code: 'CONTROLLER_NOT_FOUND' });
  });
});
