import { describe, expect, it } from 'vitest';
import { parseFilters, splitVersion } from './http.js';
import { demultiplex, frame } from './streams.js';

describe('stream framing', () => {
  it('frames as docker stdcopy does: stream byte, three zeros, big-endian size', () => {
    expect([...frame(2, Buffer.from('hi'))]).toEqual([2, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69]);
    expect(demultiplex(Buffer.concat([frame(1, Buffer.from('out')), frame(2, Buffer.from('err'))])).map((entry) => [entry.stream, entry.data.toString()])).toEqual([
      [1, 'out'],
      [2, 'err'],
    ]);
  });
});

describe('API versions and filters', () => {
  it.each([
    ['/v1.45/containers/json', '1.45', '/containers/json'],
    ['/v1.24/_ping', '1.24', '/_ping'],
    ['/containers/json', '1.45', '/containers/json'],
  ])('%s', (raw, version, path) => {
    expect(splitVersion(raw)).toEqual({ version, path });
  });

  it('refuses versions out of range', () => {
    expect(() => splitVersion('/v1.12/info')).toThrow(/too old. Minimum supported API version is 1.24/);
    expect(() => splitVersion('/v1.99/info')).toThrow(/too new/);
  });

  it('reads both filter encodings', () => {
    expect(parseFilters('{"status":{"running":true},"label":["a=b"]}')).toEqual(new Map([['status', ['running']], ['label', ['a=b']]]));
    expect(() => parseFilters('{')).toThrow(/not JSON/);
  });
});
