// Benchmark: chownTreeToMapping on a generated tree of 50,000 entries, beside `chown -hR` (no
// mapping arithmetic, no journal, no setuid/capability restore) as the reference. Prints, asserts nothing.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chownTreeToMapping } from '../dist/index.js';

const total = 50_000;
const perDirectory = 100;
const maps = {
  uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
  gidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
};

async function generate(root) {
  let count = 1;
  for (let directory = 0; count < total; directory += 1) {
    const path = join(root, `d${directory}`);
    await mkdir(path);
    count += 1;
    const names = [];
    for (let index = 0; index < perDirectory - 1 && count < total; index += 1, count += 1) names.push(index);
    await Promise.all(names.map((index) => (index % 10 === 9 ? symlink(`f${index - 1}`, join(path, `l${index}`)) : writeFile(join(path, `f${index}`), ''))));
  }
  return count;
}

const dir = await mkdtemp(join(tmpdir(), 'ns-bench-'));
try {
  const ours = join(dir, 'ours');
  const reference = join(dir, 'reference');
  await mkdir(ours);
  await mkdir(reference);
  const entries = await generate(ours);
  await generate(reference);

  let start = performance.now();
  const result = await chownTreeToMapping(ours, maps);
  const oursSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  execFileSync('chown', ['-hR', '100000:100000', reference]);
  const referenceSeconds = (performance.now() - start) / 1000;

  start = performance.now();
  await chownTreeToMapping(ours, maps);
  const secondMs = performance.now() - start;

  const rate = (seconds) => Math.round(entries / seconds).toLocaleString('en-US');
  console.log(`tree: ${entries} entries (${result.entries} changed)`);
  console.log(`chownTreeToMapping: ${oursSeconds.toFixed(2)} s, ${rate(oursSeconds)} files/s`);
  console.log(`chown -hR (reference): ${referenceSeconds.toFixed(2)} s, ${rate(referenceSeconds)} files/s`);
  console.log(`second call (marker): ${secondMs.toFixed(1)} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
