// Benchmark: what the bridge network adds to `execdriver run --rm busybox true`, beside
// `--network none`, in the same run, alternating. Prints medians side by side; asserts no time
// limit, but every timed run must succeed (exit 0) or the benchmark stops with its error. Leaves
// nothing: own state and data roots, its own default bridge, removed at the end.
// Run as root after `pnpm build`: `pnpm --filter @execdriver/network bench`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const cli = fileURLToPath(new URL('../../../apps/cli/dist/cli.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'execdriver-network-bench-'));
const bridge = `edbench${(process.pid % 10000).toString(36)}`;
const prefix = `execdriver-network-bench-${process.pid}`;
const env = { ...process.env, EXECDRIVER_STATE_ROOT: join(work, 'state'), EXECDRIVER_DATA_ROOT: join(work, 'data'), EXECDRIVER_CGROUP_PREFIX: prefix, EXECDRIVER_BRIDGE: bridge };
const execdriver = (args) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 60_000 });

process.on('exit', () => {
  const ids = execdriver(['ps', '-aq']).stdout?.split('\n').filter(Boolean) ?? [];
  if (ids.length > 0) execdriver(['rm', '-f', ...ids]);
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) spawnSync('rmdir', [join('/sys/fs/cgroup', hierarchy, prefix)], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

function timed(args) {
  const start = process.hrtime.bigint();
  const result = execdriver(args);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`benchmark aborted: execdriver ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${(result.stderr ?? '').trim()}`);
  return ms;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const cases = {
  'run --rm --network none busybox true': ['run', '--rm', '--network', 'none', 'busybox', 'true'],
  'run --rm busybox true (bridge)': ['run', '--rm', 'busybox', 'true'],
  'run --rm -p 80 busybox true (bridge + port)': ['run', '--rm', '-p', '80', 'busybox', 'true'],
};
// Warm-up: the image, the bridge and the plugins' chains exist before timing.
for (const args of Object.values(cases)) timed(args);
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < rounds; round += 1) for (const [name, args] of Object.entries(cases)) times[name].push(timed(args));
const base = median(times[Object.keys(cases)[0]]);
console.log(`${rounds} rounds each, medians (ms), alternating:`);
for (const [name, values] of Object.entries(times)) {
  const value = median(values);
  console.log(`  ${name.padEnd(48)} ${value.toFixed(0).padStart(6)}  ${name === Object.keys(cases)[0] ? '' : `+${(value - base).toFixed(0)} ms`}`);
}
