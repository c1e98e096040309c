import { describe, expect, it } from 'vitest';
import { EngineError } from './errors.js';
import { findOne, matchContainers } from './lookup.js';

const hex = (prefix: string) => prefix.padEnd(64, '0');
const containers = [
  { id: hex('0123456789ab'), name: 'web' },
  { id: hex('0123ffffffff'), name: 'webapp' },
  { id: hex('fedcba987654'), name: 'abc123' },
  { id: hex('abc123999999'), name: 'other' },
];

describe('matchContainers (Docker: full id, then name, then unique id prefix)', () => {
  it.each([
    ['web', ['web']],
    ['/web', ['web']],
    ['webapp', ['webapp']],
    ['we', []],
    ['webap', []],
    // A name wins over an id prefix, as in Docker.
    ['abc123', ['abc123']],
    ['abc1239', ['other']],
    ['fed', ['abc123']],
    ['f', ['abc123']],
    ['0123', ['web', 'webapp']],
    ['01234', ['web']],
    [hex('0123ffffffff'), ['webapp']],
    ['FED', []],
    ['', []],
    ['nosuch', []],
  ])('%j -> %j', (reference, names) => {
    expect(matchContainers(reference, containers).map((container) => container.name)).toEqual(names);
  });

  it('says which prefixes are ambiguous and which references name nothing', () => {
    expect(() => findOne('0123', containers)).toThrow(new EngineError('AMBIGUOUS_REFERENCE', 'multiple containers found with prefix "0123": 0123456789ab, 0123ffffffff: give more of the id'));
    expect(() => findOne('nosuch', containers)).toThrow('No such container: nosuch');
    expect(findOne('01234', containers).name).toBe('web');
  });
});
