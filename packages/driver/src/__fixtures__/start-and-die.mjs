// Starts a container with a driver on the given state root, prints its pid, and then either
// exits at once (mode "exit") or waits to be killed with SIGKILL (mode "hang").
// Usage: node start-and-die.mjs <stateRoot> <prefix> <id> <rootfs> <mode> <sh script>
import { createDriver } from '@execdriver/driver';

const [stateRoot, prefix, id, rootfs, mode, script] = process.argv.slice(2);
const driver = await createDriver({ stateRoot, cgroupsPathPrefix: prefix });
const started = await driver.start(
  { id, rootfs, process: { args: ['sh', '-c', script] } },
  mode === 'exit' ? { logs: true } : {},
);
process.stdout.write(`${started.pid}\n`);
if (mode === 'exit') process.exit(0);
setInterval(() => undefined, 1000);
