// Throughput of stdout through @execdriver/terminal's plumbing, beside a plain shell pipe.
// Run with `pnpm bench` (builds first through turbo) or `node bench/throughput.mjs [megabytes]`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { openTerminal, pipeStdio } from '../dist/index.js';

const megabytes = Number(process.argv[2] ?? process.env.BENCH_MEGABYTES ?? 256);
const bytes = megabytes * 1_000_000;
const runs = 3;

async function timed(run) {
  let best = Infinity;
  for (let index = 0; index < runs; index += 1) {
    const started = process.hrtime.bigint();
    await run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  return best;
}

async function plainPipe() {
  const child = spawn('sh', ['-c', `head -c ${bytes} /dev/zero | cat > /dev/null`], { stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`plain pipe exited ${code}`);
}

async function bareNodePipe() {
  const child = spawn('head', ['-c', String(bytes), '/dev/zero'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = once(child, 'exit');
  await pipeline(child.stdout, createWriteStream('/dev/null'));
  const [code] = await exited;
  if (code !== 0) throw new Error(`head exited ${code}`);
}

async function throughPipeStdio() {
  const child = spawn('head', ['-c', String(bytes), '/dev/zero'], { stdio: 'pipe' });
  const exited = once(child, 'exit');
  await pipeStdio(child, { stdout: createWriteStream('/dev/null') });
  const [code] = await exited;
  if (code !== 0) throw new Error(`head exited ${code}`);
}

// A pseudo-terminal is much slower than a pipe (line discipline, small reads): a smaller sample.
const terminalMegabytes = Math.max(1, Math.round(megabytes / 8));

async function throughTerminal() {
  const bytes = terminalMegabytes * 1_000_000;
  const terminal = await openTerminal('head', ['-c', String(bytes), '/dev/zero'], { env: { PATH: process.env.PATH } });
  let received = 0;
  const counted = pipeline(terminal.output, async function* (source) {
    for await (const chunk of source) {
      received += chunk.length;
      yield chunk;
    }
  }, createWriteStream('/dev/null'));
  const { exitCode } = await terminal.exited;
  await counted;
  if (exitCode !== 0 || received !== bytes) throw new Error(`terminal: exit ${exitCode}, ${received} of ${bytes} bytes`);
}

const rows = [
  ['plain pipe: head | cat > /dev/null', megabytes, await timed(plainPipe)],
  ['bare node: stream.pipeline to /dev/null', megabytes, await timed(bareNodePipe)],
  ['pipeStdio: child stdout to /dev/null', megabytes, await timed(throughPipeStdio)],
  ['openTerminal: pty output to /dev/null', terminalMegabytes, await timed(throughTerminal)],
];
process.stdout.write(`stdout throughput, best of ${runs} runs\n`);
for (const [name, size, seconds] of rows) {
  process.stdout.write(`${name.padEnd(42)} ${String(size).padStart(5)} MB ${(size / seconds).toFixed(0).padStart(6)} MB/s  (${seconds.toFixed(3)} s)\n`);
}
