import { errorMessage } from './errors.js';
import { parseDaemonFlags, usage } from './flags.js';
import { createLogger } from './log.js';
import { startDaemon } from './server.js';
import { daemonVersion } from './system.js';

const argv = process.argv.slice(2);

async function main(): Promise<number> {
  const flags = parseDaemonFlags(argv, process.env);
  if (flags.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`execdriverd version ${daemonVersion}\n`);
    return 0;
  }
  const log = createLogger(flags.logLevel);
  // One connection's failure must not take the API (or the containers' bookkeeping) down with it.
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: errorMessage(reason), ...(reason instanceof Error ? { stack: reason.stack } : {}) }));
  process.on('uncaughtException', (error) => log.error('uncaught exception', { error: errorMessage(error), stack: error.stack }));
  const daemon = await startDaemon(flags, { log });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info('stopping', { signal });
      void daemon.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}

try {
  const code = await main();
  process.exit(code);
} catch (error) {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'fatal', msg: errorMessage(error) })}\n`);
  process.exit(1);
}
