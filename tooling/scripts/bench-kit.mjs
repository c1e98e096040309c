// What every benchmark script of the repository shares: commands that must succeed (a failure aborts
// the benchmark with the command and its stderr), timing, medians, PSS of a process, and a ping of a
// Docker-API socket.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

/** Runs a command to its end; anything but exit 0 aborts the benchmark with the command and its stderr. */
export function check(file, args, options = {}) {
  const result = spawnSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.error) throw new Error(`benchmark aborted: ${file} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`benchmark aborted: ${file} ${args.join(' ')} failed (${result.signal ?? `exit ${result.status}`}): ${String(result.stderr).trim()}`);
  return result.stdout;
}

/** Milliseconds a checked command took. */
export function time(file, args, options) {
  const started = process.hrtime.bigint();
  check(file, args, options);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Whether a command is on PATH. */
export function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Proportional set size of a process in KiB (/proc/PID/smaps_rollup). */
export function pss(pid) {
  const match = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  if (!match) throw new Error(`benchmark aborted: no Pss in /proc/${pid}/smaps_rollup`);
  return Number(match[1]);
}

/** Whether a Docker-API socket answers GET /_ping with 200. */
export function ping(socketPath) {
  return new Promise((resolve) => {
    const request = http.request({ socketPath, path: '/_ping', method: 'GET' }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.end();
  });
}

/** A default bridge name of a benchmark's own (at most 15 characters). */
export function benchBridge(tag) {
  return `edb${tag}${(process.pid % 46656).toString(36)}`.slice(0, 15);
}

/** Deletes a benchmark's own bridge: its host interface and its per-network iptables rules (@execdriver/network, built). */
export async function removeBridge(bridge) {
  spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  const { removeBridgeRules } = await import(new URL('../../packages/network/dist/index.js', import.meta.url).href);
  await removeBridgeRules(bridge);
}
