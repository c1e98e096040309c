import { describe, expect, test } from 'vitest';
import { checkContainerRecord, containerRecordKeys, containerRecordSchema } from './state-store.js';

const base = { id: 'a', bundle: '/b', rootfs: '/r', cgroupsPath: '/execdriver/a', createdAt: '2026-01-01T00:00:00.000Z', command: { id: 'a' } };

describe('checkContainerRecord', () => {
  test("knows the schema's keys, in its order", () => {
    expect(containerRecordKeys).toEqual(Object.keys(containerRecordSchema.shape));
  });

  test.each([
    ['minimal', base],
    ['full', { ...base, pid: 12, pidStartTime: '345', shimPid: 11, startedAt: 'x', finishedAt: 'y', exitCode: 3, oomKilled: false, logs: true, tty: false, command: { id: 'a', process: { args: ['true'] } }, labels: { k: 'v' }, warnings: ['w'] }],
    ['unknown keys dropped', { ...base, extra: 1 }],
    ['command null', { ...base, command: null }],
    ['no command', { ...base, command: undefined }],
    ['not an object', 'text'],
    ['array', [base]],
    ['missing id', { ...base, id: undefined }],
    ['pid not an integer', { ...base, pid: 1.5 }],
    ['pid a string', { ...base, pid: '1' }],
    ['exitCode unsafe', { ...base, exitCode: 2 ** 60 }],
    ['logs a string', { ...base, logs: 'yes' }],
    ['labels with a number', { ...base, labels: { k: 1 } }],
    ['labels an array', { ...base, labels: ['k'] }],
    ['warnings not strings', { ...base, warnings: [1] }],
    ['startedAt a number', { ...base, startedAt: 1 }],
  ])('%s: as zod parses it', (_name, value) => {
    const parsed = containerRecordSchema.safeParse(value);
    const checked = checkContainerRecord(value);
    if (parsed.success) expect(JSON.stringify(checked)).toBe(JSON.stringify(parsed.data));
    else expect(checked).toBeUndefined();
  });
});
