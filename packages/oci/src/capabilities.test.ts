import { knownCapabilities } from '@execdriver/spec';
import { describe, expect, test } from 'vitest';
import { capabilitiesFromMask, containerCapabilities, toOciCapabilities } from './capabilities.js';
import { defaultCapabilities } from './defaults.js';
import { OciError } from './errors.js';

/** The /proc/self/status mask of a capability list. */
const mask = (names: readonly string[]) =>
  names
    .reduce((bits, name) => bits | (1n << BigInt(knownCapabilities.indexOf(name as never))), 0n)
    .toString(16)
    .padStart(16, '0');

describe('capabilities', () => {
  test("Docker's 14 defaults are CapEff 00000000a80425fb", () => {
    expect(defaultCapabilities()).toHaveLength(14);
    expect(mask(defaultCapabilities())).toBe('00000000a80425fb');
  });

  test('capabilitiesFromMask reads a status mask back', () => {
    expect(capabilitiesFromMask('00000000a80425fb').sort()).toEqual(defaultCapabilities().sort());
    expect(capabilitiesFromMask('000001fffeffffff')).toEqual(knownCapabilities.filter((name) => name !== 'CAP_SYS_RESOURCE'));
    expect(() => capabilitiesFromMask('xyz')).toThrow(OciError);
  });

  test('privileged starts from everything available; a drop still applies', () => {
    expect(containerCapabilities({ privileged: true, capAdd: [], capDrop: ['CAP_SYS_ADMIN'] })).toHaveLength(knownCapabilities.length - 1);
    expect(containerCapabilities({ privileged: true, capAdd: [], capDrop: [], available: ['CAP_KILL'] })).toEqual(['CAP_KILL']);
  });

  test('duplicates collapse; inheritable and ambient stay empty', () => {
    expect(containerCapabilities({ privileged: false, capAdd: ['CAP_KILL', 'CAP_KILL'], capDrop: [] })).toHaveLength(14);
    expect(toOciCapabilities(['CAP_KILL'])).toEqual({ bounding: ['CAP_KILL'], effective: ['CAP_KILL'], inheritable: [], permitted: ['CAP_KILL'], ambient: [] });
  });
});
