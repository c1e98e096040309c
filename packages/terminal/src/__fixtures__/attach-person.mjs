// The person's side, run by attach-local-terminal.test.ts under an OUTER pseudo-terminal that plays
// the person's terminal: attaches to an inner shell, then reports the outer terminal's mode as
// `stty -a` sees it. Usage: node attach-person.mjs <mode>. Imports the built package (dist).
import { spawnSync } from 'node:child_process';
import { attachLocalTerminal, openTerminal } from '../../dist/index.js';

const mode = process.argv[2] ?? 'exit';
const keeperSignals = { 'keep-SIGINT': 'SIGINT', 'keep-SIGTERM': 'SIGTERM', 'keep-SIGHUP': 'SIGHUP' };

function terminalMode() {
  const result = spawnSync('stty', ['-a'], { stdio: ['inherit', 'pipe', 'pipe'], encoding: 'utf8' });
  const words = new Set(result.stdout.split(/[\s;]+/));
  return `icanon=${words.has('icanon')} echo=${words.has('echo')} isig=${words.has('isig')}`;
}

function report(line) {
  process.stdout.write(`\r\n${line}\r\n`);
}

if (mode === 'control') {
  // Proves the check can see raw mode: set it and report without restoring.
  process.stdin.setRawMode(true);
  report(`AFTER ${terminalMode()} raw=${process.stdin.isRaw}`);
  process.exit(0);
}

// Node adds its own SIGWINCH listener when process.stdout (a terminal) is first used: do that first.
process.stdout.write('');
process.stderr.write('');
const listeners = () => ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGWINCH'].map((name) => process.listenerCount(name)).join(',');
report(`BEFORE ${terminalMode()} raw=${process.stdin.isRaw} listeners=${listeners()}`);
const inner = await openTerminal('/bin/sh', [], { env: { PATH: process.env.PATH, TERM: 'xterm', PS1: 'inner$ ' } });
const keeper = keeperSignals[mode];
if (keeper !== undefined) process.on(keeper, () => {});
setTimeout(() => {
  report(`DURING ${terminalMode()}`);
  if (mode === 'error') process.stdin.emit('error', new Error('keyboard gone'));
}, 300);

let outcome;
try {
  outcome = { result: await attachLocalTerminal(inner, mode === 'custom-keys' ? { detachKeys: 'ctrl-x,q' } : {}) };
} catch (error) {
  outcome = { error: { code: error.code, message: error.message } };
}
report(`OUTCOME ${JSON.stringify(outcome)}`);
if (keeper !== undefined) process.removeAllListeners(keeper);
report(`AFTER ${terminalMode()} raw=${process.stdin.isRaw} listeners=${listeners()}`);
if (!inner.closed) {
  let alive = true;
  try {
    process.kill(inner.pid, 0);
  } catch {
    alive = false;
  }
  inner.write('echo "still-$((40+2))"\r');
  const text = await new Promise((resolve) => {
    let seen = '';
    inner.output.on('data', (chunk) => {
      seen += chunk.toString();
      if (seen.includes('still-42')) resolve(seen);
    });
    inner.output.resume();
  });
  report(`INNER alive=${alive} answered=${text.includes('still-42')}`);
  inner.close();
}
report('DONE');
process.exit(0);
