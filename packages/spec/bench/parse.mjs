// How many typical runc configs parseRuntimeSpec parses per second, beside JSON.parse of the
// same text as a reference. Runs against dist/ (`pnpm bench` builds first). Prints; asserts nothing.
import { readFileSync } from 'node:fs';
import { parseRuntimeSpec } from '../dist/runtime-spec.js';

const fixtures = ['runc-1.1.5-spec.json', 'runc-1.1.5-spec-rootless.json', 'maximal-v1.2.1.json'];
const durationMs = Number(process.env.BENCH_MS ?? 1000);

/** Calls `work` in batches for about `durationMs` after a warm-up; returns calls per second. */
function measure(work) {
  for (let i = 0; i < 2000; i += 1) work();
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 500; i += 1) work();
    calls += 500;
    now = process.hrtime.bigint();
  }
  return calls / (Number(now - start) / 1e9);
}

const format = (perSecond) => Math.round(perSecond).toLocaleString('en-US').padStart(12);
const rows = [];
for (const file of fixtures) {
  const text = readFileSync(new URL(`../src/__fixtures__/runtime-spec/${file}`, import.meta.url), 'utf8');
  const document = JSON.parse(text);
  rows.push({
    file,
    bytes: text.length,
    parse: measure(() => parseRuntimeSpec(document)),
    reference: measure(() => JSON.parse(text)),
  });
}

process.stdout.write(`parseRuntimeSpec throughput (node ${process.version}, ${durationMs} ms per figure)\n`);
process.stdout.write(`${'config'.padEnd(32)}${'bytes'.padStart(7)}${'parses/s'.padStart(13)}${'JSON.parse/s'.padStart(14)}\n`);
for (const row of rows) {
  process.stdout.write(`${row.file.padEnd(32)}${String(row.bytes).padStart(7)}${format(row.parse)} ${format(row.reference)}\n`);
}
