import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSubordinateIds, subordinateRanges } from './subordinate-ids.js';

describe('parseSubordinateIds', () => {
  it.each([
    ['alice:100000:65536', [{ owner: 'alice', start: 100000, count: 65536 }]],
    ['# comment\n\n   \nalice:100000:65536\n', [{ owner: 'alice', start: 100000, count: 65536 }]],
    ['  1000 : 200000 : 1000  \r\n', [{ owner: '1000', start: 200000, count: 1000 }]],
    ['a:0:1\nb:4294967295:1', [{ owner: 'a', start: 0, count: 1 }, { owner: 'b', start: 4294967295, count: 1 }]],
    ['', []],
  ])('parses %j', (text, expected) => {
    expect(parseSubordinateIds(text)).toEqual(expected);
  });

  it.each([
    ['alice:100000', 1, 'expected owner:start:count'],
    ['ok:1:1\nalice:1:2:3', 2, 'expected owner:start:count'],
    ['\n:1:1', 2, 'empty owner'],
    ['alice:x:1', 1, 'invalid start'],
    ['alice:1:0', 1, 'invalid count'],
    ['alice:1:-5', 1, 'invalid count'],
    ['alice:4294967295:2', 1, 'range 4294967295\\+2 goes past'],
  ])('rejects %j at line %i', (text, line, why) => {
    expect(() => parseSubordinateIds(text)).toThrow(new RegExp(`line ${line}: ${why}`));
  });
});

describe('subordinateRanges', () => {
  let etc: string;
  beforeAll(async () => {
    etc = await mkdtemp(join(tmpdir(), 'ns-subid-'));
    await writeFile(join(etc, 'passwd'), 'alice:x:1000:1000:::\nbob:x:1001:1001:::\n');
    await writeFile(join(etc, 'group'), 'alice:x:1000:\nstaff:x:50:\n');
    await writeFile(join(etc, 'subuid'), 'alice:100000:65536\n# x\n1000:300000:10\nbob:165536:65536\n1001:400000:5\n');
    await writeFile(join(etc, 'subgid'), 'staff:500000:10\n50:600000:10\nalice:100000:65536\n1000:700000:1\n');
  });
  afterAll(() => rm(etc, { recursive: true, force: true }));

  it('matches by name and by the uid of that name, in file order', async () => {
    expect(await subordinateRanges('alice', { etcRoot: etc })).toEqual([
      { owner: 'alice', start: 100000, count: 65536 },
      { owner: '1000', start: 300000, count: 10 },
    ]);
    expect(await subordinateRanges(1001, { etcRoot: etc })).toEqual([
      { owner: 'bob', start: 165536, count: 65536 },
      { owner: '1001', start: 400000, count: 5 },
    ]);
    expect(await subordinateRanges('1000', { etcRoot: etc })).toHaveLength(2);
  });

  it('matches subgid by group name and gid of that group', async () => {
    expect(await subordinateRanges('staff', { etcRoot: etc, kind: 'gid' })).toEqual([
      { owner: 'staff', start: 500000, count: 10 },
      { owner: '50', start: 600000, count: 10 },
    ]);
    expect(await subordinateRanges('alice', { etcRoot: etc, kind: 'gid' })).toHaveLength(2);
  });

  it('an unknown owner or a missing file gives []', async () => {
    expect(await subordinateRanges('carol', { etcRoot: etc })).toEqual([]);
    expect(await subordinateRanges('alice', { etcRoot: join(etc, 'missing') })).toEqual([]);
  });
});
