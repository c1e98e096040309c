import { describe, expect, it } from 'vitest';
import { DetachKeyScanner, defaultDetachKeys, parseDetachKeys } from './detach-keys.js';
import { TerminalError } from './errors.js';

describe('parseDetachKeys', () => {
  it.each([
    [defaultDetachKeys, [0x10, 0x11]],
    ['ctrl-a', [0x01]],
    ['ctrl-z', [0x1a]],
    ['CTRL-P,ctrl-Q', [0x10, 0x11]],
    ['ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_', [0, 27, 28, 29, 30, 31]],
    ['a,b,c', [0x61, 0x62, 0x63]],
    ['ctrl-x,x', [0x18, 0x78]],
  ])('%s', (spec, bytes) => {
    expect([...parseDetachKeys(spec as string)]).toEqual(bytes);
  });

  it.each([
    ['', /empty/],
    ['ctrl-', /neither one character/],
    ['ctrl-1', /ctrl-1 is not a control key/],
    ['ctrl-pq', /"ctrl-pq" is neither/],
    ['ctrl-p,,ctrl-q', /"" is neither/],
    ['alt-x', /"alt-x"/],
    ['é', /not an ASCII character/],
  ])('rejects %j', (spec, message) => {
    try {
      parseDetachKeys(spec);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TerminalError);
      expect((error as TerminalError).code).toBe('INVALID_DETACH_KEYS');
      expect((error as TerminalError).message).toMatch(message);
      expect((error as TerminalError).message).toContain(JSON.stringify(spec));
    }
  });
});

describe('DetachKeyScanner', () => {
  const scanAll = (spec: string, chunks: string[]) => {
    const scanner = new DetachKeyScanner(parseDetachKeys(spec));
    let forwarded = '';
    for (const [index, chunk] of chunks.entries()) {
      const { forward, detached } = scanner.scan(Buffer.from(chunk, 'latin1'));
      forwarded += forward.toString('latin1');
      if (detached) return { forwarded, detachedAt: index };
    }
    return { forwarded, detachedAt: undefined };
  };

  it.each([
    ['plain text passes', 'ctrl-p,ctrl-q', ['ls -l\r'], 'ls -l\r', undefined],
    ['whole sequence in one chunk', 'ctrl-p,ctrl-q', ['ab\x10\x11cd'], 'ab', 0],
    ['sequence split across chunks, held back meanwhile', 'ctrl-p,ctrl-q', ['ab\x10', '\x11'], 'ab', 1],
    ['broken sequence is released in order', 'ctrl-p,ctrl-q', ['\x10', 'x'], '\x10x', undefined],
    ['lone ctrl-p then ctrl-p ctrl-q detaches', 'ctrl-p,ctrl-q', ['\x10\x10\x11'], '\x10', 0],
    ['ctrl-q alone passes', 'ctrl-p,ctrl-q', ['\x11'], '\x11', undefined],
    ['repeated prefix', 'a,a,b', ['aaab'], 'a', 0],
    ['repeated prefix across chunks', 'a,a,b', ['a', 'a', 'a', 'c'], 'aaac', undefined],
    ['single key', 'ctrl-x', ['hi\x18there'], 'hi', 0],
  ])('%s', (_name, spec, chunks, forwarded, detachedAt) => {
    expect(scanAll(spec, chunks)).toEqual({ forwarded, detachedAt });
  });

  it('starts afresh after a detach', () => {
    const scanner = new DetachKeyScanner(parseDetachKeys(defaultDetachKeys));
    expect(scanner.scan(Buffer.from('\x10\x11'))).toEqual({ forward: Buffer.alloc(0), detached: true });
    expect(scanner.scan(Buffer.from('\x11x'))).toEqual({ forward: Buffer.from('\x11x'), detached: false });
  });
});
