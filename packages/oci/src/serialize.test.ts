import { describe, expect, test } from 'vitest';
import { parseCommand } from '@execdriver/spec';
import { rlimitInfinity, toOciRlimits } from './resources.js';
import { serializeRuntimeSpec } from './serialize.js';

describe('unlimited rlimits', () => {
  test('-1 becomes RLIM_INFINITY, written exactly as 18446744073709551615', () => {
    const command = parseCommand({
      id: 'c',
      rootfs: '/r',
      process: { args: ['sh'] },
      resources: { ulimits: [{ name: 'memlock', soft: -1, hard: -1 }, { name: 'nofile', soft: 1024, hard: -1 }] },
    });
    const rlimits = toOciRlimits(command.resources);
    expect(rlimits).toEqual([
      { type: 'RLIMIT_MEMLOCK', soft: rlimitInfinity, hard: rlimitInfinity },
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: rlimitInfinity },
    ]);
    const text = serializeRuntimeSpec({ process: { rlimits }, annotations: { note: '18446744073709552000' }, list: [rlimitInfinity, 1] }, 2);
    expect(text).toContain('"soft": 18446744073709551615');
    expect(text).toContain('"hard": 18446744073709551615');
    expect(text).toContain('"soft": 1024');
    expect(text).toContain('"note": "18446744073709552000"');
    expect(text).toMatch(/\[\s*18446744073709551615,\s*1\s*\]/);
    expect(serializeRuntimeSpec({ a: rlimitInfinity })).toBe('{"a":18446744073709551615}');
  });

  test('a soft limit above a finite hard limit is refused; unlimited hard takes any soft', () => {
    expect(() => parseCommand({ id: 'c', rootfs: '/r', process: { args: ['sh'] }, resources: { ulimits: [{ name: 'nofile', soft: -1, hard: 10 }] } })).toThrow(/soft limit/);
    expect(() => parseCommand({ id: 'c', rootfs: '/r', process: { args: ['sh'] }, resources: { ulimits: [{ name: 'nofile', soft: -2, hard: 10 }] } })).toThrow();
  });
});
