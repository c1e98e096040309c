// Benchmark: `execdriver run --rm busybox true` beside `runc run` of the same root filesystem, and
// `execdriver version` beside `node -e 0` (CLI start-up). Prints medians side by side.
// Usage: pnpm bench [-- --runs N]. Needs root, runc and a built dist/cli.js.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? 15 : Number(process.argv[runsFlag + 1]);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const base = mkdtempSync(join(tmpdir(), 'execdriver-cli-bench-'));
const prefix = `execdriver-cli-bench-${process.pid}`;
const env = { ...process.env, EXECDRIVER_STATE_ROOT: join(base, 'state'), EXECDRIVER_DATA_ROOT: join(base, 'data'), EXECDRIVER_CGROUP_PREFIX: prefix };

function time(file, args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function measure(label, file, args, options) {
  time(file, args, options); // warm-up (the first run also makes the busybox image)
  const samples = Array.from({ length: runs }, () => time(file, args, options));
  return { label, median: median(samples), min: Math.min(...samples) };
}

try {
  // The same root filesystem for both: the busybox image, made by the CLI.
  execFileSync(process.execPath, [cli, 'run', '--rm', 'busybox', 'true'], { env });
  const rootfs = join(base, 'data', 'images', 'busybox', 'rootfs');
  const bundle = join(base, 'bundle');
  execFileSync('mkdir', ['-p', bundle]);
  execFileSync('runc', ['spec', '--bundle', bundle]);
  const config = JSON.parse(execFileSync('cat', [join(bundle, 'config.json')], { encoding: 'utf8' }));
  config.root = { path: rootfs, readonly: true };
  config.process.terminal = false;
  config.process.args = ['true'];
  config.linux.cgroupsPath = `/${prefix}/runc-bench`;
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const runcRoot = join(base, 'runc');

  const rows = [
    [measure('execdriver run --rm busybox true', process.execPath, [cli, 'run', '--rm', 'busybox', 'true'], { env }),
      measure('runc run (same rootfs, runc spec)', 'runc', ['--root', runcRoot, 'run', '--bundle', bundle, 'bench'])],
    [measure('execdriver version', process.execPath, [cli, 'version'], { env }), measure('node -e 0', process.execPath, ['-e', '0'])],
  ];
  const nodeStart = rows[1][1].median;
  console.log(`medians of ${runs} runs (ms)\n`);
  console.log(`${'command'.padEnd(36)}${'median'.padStart(9)}${'min'.padStart(9)}   ${'reference'.padEnd(34)}${'median'.padStart(9)}${'min'.padStart(9)}${'overhead'.padStart(11)}`);
  for (const [ours, reference] of rows) {
    console.log(
      `${ours.label.padEnd(36)}${ours.median.toFixed(1).padStart(9)}${ours.min.toFixed(1).padStart(9)}   ${reference.label.padEnd(34)}${reference.median.toFixed(1).padStart(9)}${reference.min.toFixed(1).padStart(9)}${(ours.median - reference.median).toFixed(1).padStart(11)}`,
    );
  }
  const budget = rows[0][1].median + nodeStart + 30;
  console.log(`\naim: run <= runc + node start-up + 30 ms = ${budget.toFixed(1)} ms; measured ${rows[0][0].median.toFixed(1)} ms (${rows[0][0].median <= budget ? 'met' : 'missed'})`);
} finally {
  spawnSync('runc', ['--root', join(base, 'runc'), 'delete', '-f', 'bench']);
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    for (const dir of [join('/sys/fs/cgroup', hierarchy, prefix, 'runc-bench'), join('/sys/fs/cgroup', hierarchy, prefix)]) {
      try {
        rmdirSync(dir);
      } catch {
        // Absent, or (for the prefix) not a hierarchy.
      }
    }
  }
  rmSync(base, { recursive: true, force: true });
}
