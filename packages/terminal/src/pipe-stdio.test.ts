import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalError } from './errors.js';
import { pipeStdio } from './pipe-stdio.js';

/** A writable that keeps what it receives as text. */
function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('pipeStdio', () => {
  it('never ends process.stdout or process.stderr, as readable.pipe() does not: the caller writes on', async () => {
    // In a separate Node process whose stdout and stderr are pipes, like a program run by another
    // (from the build: Node 20 runs no TypeScript).
    const script = `
      import { spawn } from 'node:child_process';
      import { pipeStdio } from ${JSON.stringify(new URL('../dist/pipe-stdio.js', import.meta.url).href)};
      await pipeStdio(spawn('/bin/sh', ['-c', 'echo from-child; echo err-child >&2'], { stdio: 'pipe' }), { stdout: process.stdout, stderr: process.stderr });
      console.log('after'); console.error('after-err');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' });
    const stdout = collector();
    const stderr = collector();
    child.stdout.pipe(stdout.stream);
    child.stderr.pipe(stderr.stream);
    const [code] = await once(child, 'close');
    expect({ code, stdout: stdout.text() }).toEqual({ code: 0, stdout: 'from-child\nafter\n' });
    expect(stderr.text()).toContain('err-child\nafter-err\n');
  });

  it('streams stdin in, propagates its end, and keeps stdout and stderr apart', async () => {
    const child = spawn('/bin/sh', ['-c', 'tr a-z A-Z; echo "stdin closed" >&2; exit 4'], { stdio: 'pipe' });
    const exited = once(child, 'exit');
    const stdin = new PassThrough();
    const stdout = collector();
    const stderr = collector();
    const piping = pipeStdio(child, { stdin, stdout: stdout.stream, stderr: stderr.stream });
    stdin.write('hello ');
    await new Promise((resolve) => setTimeout(resolve, 50));
    stdin.end('world\n');
    await piping;
    const [code] = await exited;
    expect(code).toBe(4);
    expect(stdout.text()).toBe('HELLO WORLD\n');
    expect(stderr.text()).toBe('stdin closed\n');
    expect(stdout.stream.writableFinished).toBe(true);
  });

  it('closes stdin at once when none is given, and drops outputs nobody wants', async () => {
    const child = spawn('/bin/sh', ['-c', 'cat; echo dropped; echo kept >&2'], { stdio: 'pipe' });
    const stderr = collector();
    await pipeStdio(child, { stderr: stderr.stream });
    expect(stderr.text()).toBe('kept\n');
  });

  it('leaves shared and caller-owned destinations open with end: false', async () => {
    const child = spawn('/bin/sh', ['-c', 'echo out; echo err >&2'], { stdio: 'pipe' });
    const both = collector();
    await pipeStdio(child, { stdout: both.stream, stderr: both.stream }, { end: false });
    expect(both.text().split('\n').sort()).toEqual(['', 'err', 'out']);
    expect(both.stream.writableEnded).toBe(false);
  });

  it('does not fail when the program exits without reading its stdin, and leaves that stdin to its owner', async () => {
    const child = spawn('/bin/sh', ['-c', 'echo bye'], { stdio: 'pipe' });
    const stdin = new PassThrough();
    const stdout = collector();
    const piping = pipeStdio(child, { stdin, stdout: stdout.stream });
    for (let index = 0; index < 64; index += 1) stdin.write(Buffer.alloc(64 * 1024, 0x61));
    await piping;
    expect(stdout.text()).toBe('bye\n');
    expect(stdin.destroyed).toBe(false);
    expect(stdin.listenerCount('data')).toBe(0);
  });

  it('rejects with STREAM_FAILED naming the stream when a destination fails', async () => {
    const child = spawn('/bin/sh', ['-c', 'echo out; sleep 5'], { stdio: 'pipe' });
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const error = await pipeStdio(child, { stdout: broken }).catch((caught: unknown) => caught);
    child.kill('SIGKILL');
    expect(error).toBeInstanceOf(TerminalError);
    expect((error as TerminalError).code).toBe('STREAM_FAILED');
    expect((error as TerminalError).message).toMatch(new RegExp(`stdout of pid ${child.pid}`));
    expect(((error as TerminalError).cause as Error).message).toBe('disk full');
  });

  it('rejects when the stdin source fails, after closing the program stdin', async () => {
    const child = spawn('/bin/cat', [], { stdio: 'pipe' });
    const source = new Readable({ read() {} });
    const stdout = collector();
    const piping = pipeStdio(child, { stdin: source, stdout: stdout.stream });
    source.push('partial\n');
    setTimeout(() => source.destroy(new Error('connection reset')), 50);
    const error = await piping.catch((caught: unknown) => caught);
    expect((error as TerminalError).code).toBe('STREAM_FAILED');
    expect((error as TerminalError).message).toMatch(/cannot read the stdin meant for pid/);
    expect(stdout.text()).toBe('partial\n');
  });

  it('moves 100 MB of stdout into a slow reader with bounded memory', async () => {
    const size = 100_000_000;
    const child = spawn('head', ['-c', String(size), '/dev/zero'], { stdio: 'pipe' });
    const exited = once(child, 'exit');
    let received = 0;
    let writes = 0;
    // About 1 ms per 64 KiB chunk: slower than head, so without backpressure all 100 MB would pile up.
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        writes += 1;
        if (writes % 4 === 0) setTimeout(callback, 4);
        else callback();
      },
    });
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const started = Date.now();
    try {
      await pipeStdio(child, { stdout: slow });
    } finally {
      clearInterval(sampler);
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(received).toBe(size);
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });
});
