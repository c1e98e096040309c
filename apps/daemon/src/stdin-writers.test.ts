import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdinWriters } from './stdin-writers.js';

function sink(): { stream: Writable; text: () => string; ended: () => boolean } {
  let text = '';
  let ended = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
    final(callback) {
      ended = true;
      callback();
    },
  });
  return { stream, text: () => text, ended: () => ended };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StdinWriters', () => {
  it('input typed before the run began is given once its writer is held; with StdinOnce its end closes stdin', async () => {
    const writers = new StdinWriters();
    const client = new PassThrough();
    writers.feed('c1', client, { once: true });
    client.write('early ');
    const target = sink();
    writers.hold('c1', target.stream);
    client.end('late');
    await tick();
    expect(target.text()).toBe('early late');
    expect(target.ended()).toBe(true);
  });

  it('without StdinOnce a client leaving keeps stdin open for the next one; release at the run end closes it', async () => {
    const writers = new StdinWriters();
    const target = sink();
    writers.hold('c2', target.stream);
    const first = new PassThrough();
    const stop = writers.feed('c2', first, { once: false });
    first.end('one\n');
    await tick();
    stop();
    const second = new PassThrough();
    writers.feed('c2', second, { once: false });
    second.write('two\n');
    await tick();
    expect(target.text()).toBe('one\ntwo\n');
    expect(target.ended()).toBe(false);
    // The run ended: its writer is destroyed (nothing waits for a drain that cannot come).
    writers.release('c2', target.stream);
    expect(target.stream.destroyed).toBe(true);
  });

  it('release of an older run leaves the new run alone', async () => {
    const writers = new StdinWriters();
    const old = sink();
    const current = sink();
    writers.hold('c3', old.stream);
    writers.hold('c3', current.stream);
    writers.release('c3', old.stream);
    await tick();
    expect(current.ended()).toBe(false);
    expect(current.stream.destroyed).toBe(false);
  });
});
