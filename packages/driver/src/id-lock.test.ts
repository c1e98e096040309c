import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { IdLock } from './id-lock.js';

test('operations on one id run one at a time, other ids in parallel', async () => {
  const lock = new IdLock();
  const events: string[] = [];
  const op = (name: string, ms: number) => async () => {
    events.push(`${name}+`);
    await sleep(ms);
    events.push(`${name}-`);
  };
  await Promise.all([lock.run('a', op('a1', 20)), lock.run('a', op('a2', 1)), lock.run('b', op('b1', 5))]);
  expect(events.indexOf('a1-')).toBeLessThan(events.indexOf('a2+'));
  expect(events.indexOf('b1-')).toBeLessThan(events.indexOf('a1-'));
});

test('reentrant for the holder, and work started outside() waits like anyone', async () => {
  const lock = new IdLock();
  await expect(lock.run('a', () => lock.run('a', async () => lock.holds('a')))).resolves.toBe(true);
  let later: Promise<boolean> | undefined;
  const events: string[] = [];
  await lock.run('a', async () => {
    later = lock.outside(() => sleep(1).then(() => lock.run('a', async () => (events.push('later'), lock.holds('a')))));
    await sleep(20);
    events.push('first done');
  });
  await expect(later).resolves.toBe(true);
  expect(events).toEqual(['first done', 'later']);
  expect(lock.holds('a')).toBe(false);
});
