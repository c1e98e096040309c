import { fileURLToPath } from 'node:url';
import { Engine, runConsoleHolder } from '@execdriver/engine';
import { DriverError } from '@execdriver/driver';
import { errorMessage } from './errors.js';
import { parseDaemonFlags, usage } from './flags.js';
import { createLogger } from './log.js';
import { startDaemon } from './server.js';
import { daemonVersion } from './system.js';

const daemonPath = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);

/** `execdriverd __console [--wait-for-client] ID`: the console holder of a tty container (the engine's runConsoleHolder). */
async function consoleHolder(args: readonly string[]): Promise<number> {
  const waitForClient = args.includes('--wait-for-client');
  const id = args.filter((arg) => !arg.startsWith('--'))[0];
  if (!id) throw new Error('usage: execdriverd __console [--wait-for-client] ID');
  const env = process.env;
  const engine = new Engine({
    stateRoot: env.EXECDRIVER_STATE_ROOT ?? '/run/execdriver',
    dataRoot: env.EXECDRIVER_DATA_ROOT ?? '/var/lib/execdriver',
    cgroupsPathPrefix: env.EXECDRIVER_CGROUP_PREFIX || 'execdriver',
    ...(env.EXECDRIVER_RUNC ? { runc: env.EXECDRIVER_RUNC } : {}),
  });
  const record = (await engine.find(id)).record;
  return runConsoleHolder(engine, id, {
    waitForClient,
    // Docker keeps a container whose start failed (it shows Exit 127); AutoRemove ones go.
    removeOnFailure: record.autoRemove,
    describeFailure: (error) => {
      const exitCode = error instanceof DriverError ? (error.code === 'COMMAND_NOT_FOUND' ? 127 : error.code === 'COMMAND_NOT_INVOKABLE' ? 126 : 125) : 125;
      return { message: `failed to create task for container: ${errorMessage(error)}: unknown`, exitCode };
    },
  });
}

async function main(): Promise<number> {
  if (argv[0] === '__console') return consoleHolder(argv.slice(1));
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
  const daemon = await startDaemon(flags, { daemonPath, log });
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
