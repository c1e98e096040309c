import { describe, expect, test } from 'vitest';
import { CgroupError } from './errors.js';
import { countCpuList, parseBlkioV1, parseCpuacctUsageAll, parseFlatKeyed, parseNestedKeyed, parseNumberList, parseSingleValue, toLimit } from './parse.js';

describe('parseSingleValue', () => {
  test.each([
    ['123\n', 123],
    ['max\n', 'max'],
    ['', undefined],
    ['\n', undefined],
    ['9223372036854771712\n', 9223372036854771712],
  ])('%j -> %j', (text, expected) => {
    expect(parseSingleValue(text, '/f')).toBe(expected);
  });

  test('garbage names the file', () => {
    expect(() => parseSingleValue('twelve\n', '/sys/fs/cgroup/x/memory.current')).toThrow(
      expect.objectContaining({ code: 'INVALID_FORMAT', path: '/sys/fs/cgroup/x/memory.current', message: expect.stringContaining('twelve') }),
    );
  });
});

describe('parseFlatKeyed', () => {
  test('memory.events style', () => {
    expect(parseFlatKeyed('low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\n', '/f')).toEqual({ low: 0, high: 0, max: 12, oom: 2, oom_kill: 1 });
  });
  test('empty file', () => expect(parseFlatKeyed('', '/f')).toEqual({}));
  test('a line without a value', () => expect(() => parseFlatKeyed('oom\n', '/f')).toThrow(CgroupError));
});

describe('parseNestedKeyed', () => {
  test('io.stat with partial keys and unordered devices', () => {
    expect(parseNestedKeyed('8:16 rbytes=4096 rios=1\n8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n', '/f')).toEqual({
      '8:16': { rbytes: 4096, rios: 1 },
      '8:0': { rbytes: 1, wbytes: 2, rios: 3, wios: 4, dbytes: 0, dios: 0 },
    });
  });
  test('PSI lines with fractions', () => {
    expect(parseNestedKeyed('some avg10=0.29 avg60=2.58 avg300=2.70 total=16140146\n', '/f')).toEqual({
      some: { avg10: 0.29, avg60: 2.58, avg300: 2.7, total: 16140146 },
    });
  });
  test('io.max keeps max', () => {
    expect(parseNestedKeyed('8:0 rbps=max wbps=1048576 riops=max wiops=max\n', '/f')['8:0']).toEqual({
      rbps: 'max',
      wbps: 1048576,
      riops: 'max',
      wiops: 'max',
    });
  });
  test('a field without =', () => expect(() => parseNestedKeyed('8:0 rbytes\n', '/f')).toThrow(/SUB=VALUE/));
});

describe('parseBlkioV1', () => {
  test('per device operations, Total line dropped', () => {
    expect(parseBlkioV1('8:0 Read 10\n8:0 Write 20\n8:0 Total 30\nTotal 30\n', '/f')).toEqual({ '8:0': { Read: 10, Write: 20, Total: 30 } });
  });
  test('only a Total line (no I/O yet)', () => expect(parseBlkioV1('Total 0\n', '/f')).toEqual({}));
  test('malformed', () => expect(() => parseBlkioV1('sda Read 10\n', '/f')).toThrow(/MAJ:MIN/));
});

test('parseNumberList tolerates the trailing space of cpuacct.usage_percpu', () => {
  expect(parseNumberList('1 2 3 \n', '/f')).toEqual([1, 2, 3]);
});

test.each([
  ['max', null],
  [9223372036854771712, null],
  [9223372036852678656, null],
  [67108864, 67108864],
  [undefined, undefined],
] as const)('toLimit(%j) -> %j', (value, expected) => {
  expect(toLimit(value)).toBe(expected);
});

test.each([
  ['0-3,6\n', 5],
  ['0\n', 1],
  ['0-1\n', 2],
])('countCpuList(%j) -> %d', (text, expected) => {
  expect(countCpuList(text, '/f')).toBe(expected);
});

test('parseCpuacctUsageAll skips the header', () => {
  expect(parseCpuacctUsageAll('cpu user system\n0 36988000000 26008000000\n1 48900000000 32264000000\n', '/f')).toEqual({
    '0': { user: 36988000000, system: 26008000000 },
    '1': { user: 48900000000, system: 32264000000 },
  });
  expect(() => parseCpuacctUsageAll('cpu user system\n0 1\n', '/f')).toThrow(/cpu user system/);
});
