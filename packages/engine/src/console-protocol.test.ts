import { describe, expect, it } from 'vitest';
import { consoleSocketPath, decodeResize, encodeFrame, encodeResize, FrameDecoder, FrameType } from './console-protocol.js';

describe('console frames', () => {
  it('survive any chunking', () => {
    const bytes = Buffer.concat([encodeFrame(FrameType.data, 'hello'), encodeResize(120, 40), encodeFrame(FrameType.exit, '{"exitCode":3}')]);
    for (const size of [1, 2, 3, 7, bytes.length]) {
      const decoder = new FrameDecoder();
      const frames = [];
      for (let offset = 0; offset < bytes.length; offset += size) frames.push(...decoder.push(bytes.subarray(offset, offset + size)));
      expect(frames.map((frame) => frame.type)).toEqual([FrameType.data, FrameType.resize, FrameType.exit]);
      expect(frames[0]!.payload.toString()).toBe('hello');
      expect(decodeResize(frames[1]!.payload)).toEqual({ cols: 120, rows: 40 });
      expect(JSON.parse(frames[2]!.payload.toString())).toEqual({ exitCode: 3 });
    }
  });

  it('rejects a stream that is not the protocol', () => {
    expect(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/bad console frame/);
  });

  it('keeps socket paths within a unix socket address', () => {
    expect(consoleSocketPath('/run/execdriver', 'abc')).toBe('/run/execdriver/consoles/abc.sock');
    const long = consoleSocketPath('/run/execdriver', 'x'.repeat(120));
    expect(Buffer.byteLength(long)).toBeLessThan(100);
    expect(long).toMatch(/^\/run\/execdriver\/consoles\/[0-9a-f]{16}\.sock$/);
  });
});
