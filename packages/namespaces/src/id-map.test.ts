import { describe, expect, it } from 'vitest';
import type { IdMap } from '@execdriver/spec';
import { NamespaceError } from './errors.js';
import { formatIdMap, parseIdMap, readIdMap, toContainerId, toHostId, validateIdMaps } from './id-map.js';

const single: IdMap[] = [{ containerId: 0, hostId: 100000, size: 65536 }];
const several: IdMap[] = [
  { containerId: 0, hostId: 100000, size: 1000 },
  { containerId: 1000, hostId: 1000, size: 1 },
  { containerId: 1001, hostId: 300000, size: 64535 },
];

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof NamespaceError ? error.code : 'not a NamespaceError';
  }
  return undefined;
}

describe('toHostId / toContainerId', () => {
  it.each([
    [single, 0, 100000],
    [single, 1, 100001],
    [single, 65535, 165535],
    [several, 0, 100000],
    [several, 999, 100999],
    [several, 1000, 1000],
    [several, 1001, 300000],
    [several, 65535, 364534],
    [[{ containerId: 4294967294, hostId: 0, size: 2 }], 4294967295, 1],
  ])('maps container id at range boundaries (%#)', (maps, containerId, hostId) => {
    expect(toHostId(maps, containerId)).toBe(hostId);
    expect(toContainerId(maps, hostId)).toBe(containerId);
  });

  it.each([
    [single, 65536],
    [several, 65536],
    [[], 0],
    [[{ containerId: 10, hostId: 0, size: 5 }], 9],
    [[{ containerId: 10, hostId: 0, size: 5 }], 15],
  ])('container id outside every range is ID_NOT_MAPPED (%#)', (maps, id) => {
    expect(codeOf(() => toHostId(maps, id))).toBe('ID_NOT_MAPPED');
  });

  it.each([
    [single, 99999],
    [single, 165536],
    [several, 999],
    [several, 1001],
    [several, 364535],
  ])('host id outside every range is ID_NOT_MAPPED (%#)', (maps, id) => {
    expect(codeOf(() => toContainerId(maps, id))).toBe('ID_NOT_MAPPED');
  });

  it('names the id in the error', () => {
    expect(() => toHostId(single, 70000)).toThrow(/container id 70000 is not mapped by 0->100000\+65536/);
  });
});

describe('validateIdMaps', () => {
  it('accepts valid maps, including 340 ranges', () => {
    expect(validateIdMaps(several)).toEqual(several);
    const many = Array.from({ length: 340 }, (_, index) => ({ containerId: index, hostId: 1000 + index, size: 1 }));
    expect(validateIdMaps(many)).toHaveLength(340);
  });

  it.each([
    ['empty', []],
    ['size 0', [{ containerId: 0, hostId: 0, size: 0 }]],
    ['overlap on the container side', [{ containerId: 0, hostId: 0, size: 10 }, { containerId: 9, hostId: 100, size: 1 }]],
    ['overlap on the host side', [{ containerId: 0, hostId: 100, size: 10 }, { containerId: 10, hostId: 109, size: 1 }]],
    ['past 2^32-1', [{ containerId: 4294967295, hostId: 0, size: 2 }]],
    ['negative', [{ containerId: -1, hostId: 0, size: 1 }]],
    ['341 ranges', Array.from({ length: 341 }, (_, index) => ({ containerId: index, hostId: 1000 + index, size: 1 }))],
  ])('rejects %s with INVALID_ID_MAP', (_name, maps) => {
    expect(codeOf(() => validateIdMaps(maps))).toBe('INVALID_ID_MAP');
  });

  it('names the offending range', () => {
    expect(() => validateIdMaps([single[0]!, { containerId: 0, hostId: 5, size: 0 }])).toThrow(/range 1: \{"containerId":0,"hostId":5,"size":0\}/);
  });
});

describe('uid_map format', () => {
  it('parses the kernel layout and formats back', () => {
    const text = '         0     100000      65536\n      1000       1000          1\n';
    expect(parseIdMap(text)).toEqual([
      { containerId: 0, hostId: 100000, size: 65536 },
      { containerId: 1000, hostId: 1000, size: 1 },
    ]);
    expect(formatIdMap(several)).toBe('0 100000 1000\n1000 1000 1\n1001 300000 64535\n');
  });

  it.each([['0 1'], ['0 1 2 3'], ['a 1 2'], ['0 -1 2']])('rejects %j with its line number', (line) => {
    expect(() => parseIdMap(`0 0 1\n${line}\n`)).toThrow(/line 2/);
  });

  it('reads /proc/self/uid_map (initial namespace is the identity)', async () => {
    expect(await readIdMap('self', 'uid')).toEqual([{ containerId: 0, hostId: 0, size: 4294967295 }]);
    await expect(readIdMap(999999999, 'gid')).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
  });
});
