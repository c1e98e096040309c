import { describe, expect, it } from 'vitest';
import { hasGeneratedId, matchContainers } from './container-lookup.js';

const named = (id: string) => ({ id, labels: { 'execdriver.name': id } });
const generated = (id: string) => ({ id, labels: {} });

const containers = [named('web'), named('webapp'), named('abc123abc123'), generated('0123456789ab'), generated('0123ffffffff'), generated('fedcba987654')];

describe('matchContainers (Docker: names and full ids exactly, generated hex ids by unique prefix)', () => {
  it.each([
    ['web', ['web']],
    ['webapp', ['webapp']],
    ['we', []],
    ['webap', []],
    ['abc123abc123', ['abc123abc123']],
    // A --name that looks like a hex id is still a name: no prefix match.
    ['abc123', []],
    ['fedcba987654', ['fedcba987654']],
    ['fed', ['fedcba987654']],
    ['f', ['fedcba987654']],
    ['0123', ['0123456789ab', '0123ffffffff']],
    ['01234', ['0123456789ab']],
    ['FED', []],
    ['', []],
    ['nosuch', []],
  ])('%j -> %j', (reference, ids) => {
    expect(matchContainers(reference, containers).map((summary) => summary.id)).toEqual(ids);
  });

  it('prefers an exact id over prefixes of others', () => {
    expect(matchContainers('0123', [generated('0123'), generated('0123456789ab')]).map((summary) => summary.id)).toEqual(['0123']);
  });

  it.each([
    [generated('0123456789ab'), true],
    [named('0123456789ab'), false],
    [generated('0123456789abc'), false],
    [generated('web'), false],
  ])('hasGeneratedId(%j) is %s', (summary, expected) => {
    expect(hasGeneratedId(summary)).toBe(expected);
  });
});
