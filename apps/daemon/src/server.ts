import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { isActive } from '@execdriver/engine';
import { containerRoutes, startContainer } from './containers.js';
import { Consoles, heldByConsoleHolder } from './consoles.js';
import { StdinWriters } from './stdin-writers.js';
import type { DaemonContext } from './context.js';
import { DaemonError, errorMessage, httpStatusOf } from './errors.js';
import { createEngine } from './engine-factory.js';
import { ExecStore, execRoutes } from './exec.js';
import { socketPathOf, type DaemonFlags } from './flags.js';
import { compileRoutes, matchRoute, plainCall, splitVersion, upgradeCall, type Call, type CompiledRoute } from './http.js';
import { imageRoutes } from './images.js';
import { createLogger, type Logger } from './log.js';
import { LogCopiers } from './log-copiers.js';
import { Monitor } from './monitor.js';
import { systemRoutes } from './system.js';
import { resourceRoutes } from './resource-routes.js';

/** The gid of a group in /etc/group; undefined when there is none. */
async function groupId(name: string): Promise<number | undefined> {
  if (/^\d+$/.test(name)) return Number(name);
  const text = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined) return Number(gid);
  }
  return undefined;
}

function isListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Listens on a unix socket, 0660 root:`gid`, its directory made 0750 when it did not exist. */
async function listen(server: http.Server, path: string, gid: number): Promise<void> {
  const dir = dirname(path);
  if (!(await stat(dir).then(() => true, () => false))) {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    await chown(dir, 0, gid);
  }
  if (await isListening(path)) throw new DaemonError('LISTEN_FAILED', `cannot listen on ${path}: another daemon is serving it`);
  await rm(path, { force: true });
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  await chown(path, 0, gid);
  await chmod(path, 0o660);
}

export interface RunningDaemon {
  context: DaemonContext;
  close(): Promise<void>;
}

/**
 * Starts the daemon: the engine on the flags' roots (the CLI's by default), the API on every
 * `-H` socket. Containers are not stopped when it closes.
 */
export async function startDaemon(flags: DaemonFlags, options: { log?: Logger } = {}): Promise<RunningDaemon> {
  const log = options.log ?? createLogger(flags.logLevel);
  if (flags.pidfile) {
    const old = Number((await readFile(flags.pidfile, 'utf8').catch(() => '')).trim());
    if (old > 0 && old !== process.pid) {
      let alive = false;
      try {
        process.kill(old, 0);
        alive = true;
      } catch {
        // Stale pidfile.
      }
      if (alive) throw new DaemonError('LISTEN_FAILED', `pid file found, ensure execdriverd is not running or delete ${flags.pidfile} (pid ${old} is alive)`);
    }
    await mkdir(dirname(flags.pidfile), { recursive: true });
    await writeFile(flags.pidfile, `${process.pid}`);
  }
  const engine = createEngine({ stateRoot: flags.execRoot, dataRoot: flags.dataRoot, cgroupPrefix: flags.cgroupPrefix, runc: flags.runc, bridge: flags.bridge, cniPath: flags.cniPath });
  const logCopiers = new LogCopiers(engine, log);
  const monitor = new Monitor(engine, log, { settled: (id) => logCopiers.settled(id) });
  const context: DaemonContext = { engine, monitor, execs: new ExecStore(), consoles: new Consoles(engine, logCopiers), logCopiers, stdinWriters: new StdinWriters(), log, flags };
  monitor.useStarter((container) => startContainer(context, container));
  /** Live restore under way (see below): requests other than _ping wait for it. */
  let restored: Promise<void> | undefined;
  const routes: CompiledRoute[] = compileRoutes([...resourceRoutes(context), ...systemRoutes(context), ...containerRoutes(context), ...execRoutes(context), ...imageRoutes(context)]);

  const dispatch = async (request: http.IncomingMessage, makeCall: (route: { path: string; version: string; params: Record<string, string>; query: URLSearchParams }) => Call, fallback: (status: number, message: string) => void) => {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://execdriverd');
    let call: Call | undefined;
    try {
      const { version, path } = splitVersion(url.pathname);
      const method = request.method ?? 'GET';
      const match = matchRoute(routes, method, path);
      if (match === undefined) throw new DaemonError('NOT_FOUND', 'page not found');
      if (match === 'methodMismatch') throw new DaemonError('NOT_FOUND', `page not found (no ${method} ${path})`);
      call = makeCall({ path, version, params: match.params, query: url.searchParams });
      if (path !== '/_ping' && restored) await restored;
      await match.route.handler(call);
      log.debug('request', { method, path: url.pathname, ms: Date.now() - started });
    } catch (error) {
      const status = httpStatusOf(error);
      const message = errorMessage(error);
      log[status >= 500 ? 'error' : 'debug']('request failed', { method: request.method, path: url.pathname, status, error: message, ...(status >= 500 && error instanceof Error ? { stack: error.stack } : {}) });
      if (call && !call.responded) call.send(status, { message });
      else if (!call) fallback(status, message);
    }
  };

  const sockets = new Set<net.Socket>();
  const makeServer = () => {
    const server = http.createServer({ keepAliveTimeout: 5000 }, (request, response) => {
      void dispatch(request, (route) => plainCall(request, response, route), (status, message) => plainCall(request, response, { path: '', version: '', params: {}, query: new URLSearchParams() }).send(status, { message }));
    });
    server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      void dispatch(request, (route) => upgradeCall(request, socket, head, route), (status, message) => upgradeCall(request, socket, head, { path: '', version: '', params: {}, query: new URLSearchParams() }).send(status, { message }));
    });
    server.on('connection', (socket: net.Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return server;
  };

  let gid = await groupId(flags.group);
  if (gid === undefined) {
    if (flags.group !== 'docker') throw new DaemonError('BAD_FLAG', `invalid value ${JSON.stringify(flags.group)} for flag --group: no such group in /etc/group`);
    log.warn('no group docker: the API sockets are root-only (give -G GROUP to open them to a group)');
    gid = 0;
  }
  const paths = flags.hosts.map(socketPathOf);
  const servers: http.Server[] = [];
  for (const path of paths) {
    const server = makeServer();
    await listen(server, path, gid);
    servers.push(server);
    log.info('API listen on', { socket: path });
  }

  // Live restore: the output of the containers left running (their FIFOs) is read again before other
  // requests are served (dockerd restores before it serves); started once listening, so _ping answers at once.
  restored = logCopiers.resumeAll().then(
    (ids) => {
      for (const id of ids) log.info('log copier resumed', { id });
    },
    (error: unknown) => log.warn('could not resume the log copiers of the last run', { error: errorMessage(error) }),
  );

  // Containers this daemon left running with AutoRemove are removed once they exit; ones that exited meanwhile, now.
  // Restart policies go on: running containers are watched, stopped ones restarted as dockerd does at boot.
  void (async () => {
    try {
      const { containers } = await engine.list();
      for (const container of containers) {
        // Live restore: the health checks of the containers that kept running are this daemon's again.
        if (container.state === 'running' || container.state === 'paused') monitor.probeHealth(container);
        // A CLI console holder removes its own container.
        if (!container.record.autoRemove || heldByConsoleHolder(container)) continue;
        if (isActive(container)) monitor.watch(container);
        else if (container.state === 'exited') await monitor.autoRemove(container, container.exitCode ?? 0);
      }
      await monitor.recoverRestartPolicies(containers);
    } catch (error) {
      log.warn('could not look at the containers of the last run', { error: errorMessage(error) });
    }
  })();

  log.info('execdriverd started', { pid: process.pid, dataRoot: flags.dataRoot, execRoot: flags.execRoot });
  let closing: Promise<void> | undefined;
  return {
    context,
    close: () =>
      (closing ??= (async () => {
        for (const target of servers) target.close();
        await monitor.stopHealthProbes();
        for (const socket of sockets) socket.destroy();
        await monitor.close();
        await Promise.all(paths.map((path) => rm(path, { force: true })));
        if (flags.pidfile) await rm(flags.pidfile, { force: true });
        log.info('execdriverd stopped; containers keep running');
      })()),
  };
}
