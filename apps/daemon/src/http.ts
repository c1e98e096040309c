import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { DaemonError } from './errors.js';

/** The API versions served: Docker Engine API 1.45, down to 1.24 (what every current client negotiates to). */
export const apiVersion = '1.45';
export const minApiVersion = '1.24';

/** A hijacked connection (`attach`, `exec start`): raw bytes both ways until `end()`. */
export interface Hijacked {
  input: Readable;
  output: Writable;
  /** Whether the client asked for the connection (`Upgrade: tcp`, answered 101) or reads a 200 body. */
  upgraded: boolean;
  /** Ends the output (and the connection once both sides are done). */
  end(): void;
  /** Settles when the client went away or `end()` closed the connection. */
  closed: Promise<void>;
}

/** One API request, whatever its transport (a plain request, or one asking for an upgrade). */
export interface Call {
  method: string;
  /** The path without its `/v1.NN` prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The version the client asked for (the prefix), or the daemon's. */
  version: string;
  headers: IncomingHttpHeaders;
  body(): Promise<Buffer>;
  /** The body parsed as JSON; undefined when empty. @throws DaemonError BAD_PARAMETER */
  json(): Promise<unknown>;
  /** The body as a stream (image import). */
  bodyStream(): Readable;
  send(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** A streamed response (200 and headers now, then the body as it comes). */
  stream(contentType: string, headers?: Record<string, string>): Writable;
  hijack(contentType: string): Hijacked;
  /** Whether a response has started. */
  readonly responded: boolean;
  /** Called when the client goes away before the response ended. */
  onClose(listener: () => void): void;
}

function versionOf(path: string): { version: string | undefined; path: string } {
  const match = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (!match) return { version: undefined, path };
  return { version: match[1], path: match[2]! };
}

function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = a.split('.').map(Number) as [number, number];
  const [bMajor, bMinor] = b.split('.').map(Number) as [number, number];
  return aMajor - bMajor || aMinor - bMinor;
}

/** Checks the `/v1.NN` prefix as dockerd does; returns the path without it. */
export function splitVersion(rawPath: string): { version: string; path: string } {
  const { version, path } = versionOf(rawPath);
  if (version === undefined) return { version: apiVersion, path };
  if (compareVersions(version, minApiVersion) < 0) throw new DaemonError('BAD_PARAMETER', `client version ${version} is too old. Minimum supported API version is ${minApiVersion}, please upgrade your client to a newer version`);
  if (compareVersions(version, apiVersion) > 0) throw new DaemonError('BAD_PARAMETER', `client version ${version} is too new. Maximum supported API version is ${apiVersion}`);
  return { version, path };
}

export const commonHeaders = { 'Api-Version': apiVersion, 'Docker-Experimental': 'false', Ostype: 'linux', Server: `execdriverd (linux)` };

function encodeBody(body: unknown): { data: Buffer | undefined; type: string | undefined } {
  if (body === undefined) return { data: undefined, type: undefined };
  if (Buffer.isBuffer(body)) return { data: body, type: 'application/octet-stream' };
  if (typeof body === 'string') return { data: Buffer.from(body), type: 'text/plain; charset=utf-8' };
  return { data: Buffer.from(`${JSON.stringify(body)}\n`), type: 'application/json' };
}

const statusText: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

function parseJson(data: Buffer): unknown {
  if (data.length === 0) return undefined;
  try {
    return JSON.parse(data.toString());
  } catch (error) {
    throw new DaemonError('BAD_PARAMETER', `invalid JSON body: ${(error as Error).message}`);
  }
}

/** A Call over Node's request/response pair. */
export function plainCall(request: IncomingMessage, response: ServerResponse, route: { path: string; version: string; params: Record<string, string>; query: URLSearchParams }): Call {
  let bodyPromise: Promise<Buffer> | undefined;
  const body = () =>
    (bodyPromise ??= new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => resolve(Buffer.concat(chunks)));
      request.on('error', reject);
    }));
  const call: Call = {
    method: request.method ?? 'GET',
    ...route,
    headers: request.headers,
    body,
    json: async () => parseJson(await body()),
    bodyStream: () => request,
    get responded() {
      return response.headersSent;
    },
    send(status, payload, headers = {}) {
      const { data, type } = encodeBody(status === 204 || status === 304 ? undefined : payload);
      response.writeHead(status, { ...commonHeaders, ...(type ? { 'Content-Type': type } : {}), ...(data ? { 'Content-Length': String(data.length) } : {}), ...headers });
      response.end(request.method === 'HEAD' ? undefined : data);
    },
    stream(contentType, headers = {}) {
      response.writeHead(200, { ...commonHeaders, 'Content-Type': contentType, ...headers });
      response.flushHeaders();
      return response;
    },
    hijack(contentType) {
      response.writeHead(200, { ...commonHeaders, 'Content-Type': contentType });
      response.flushHeaders();
      const closed = new Promise<void>((resolve) => response.once('close', () => resolve()));
      return { input: request, output: response, upgraded: false, end: () => response.end(), closed };
    },
    onClose(listener) {
      response.once('close', () => {
        if (!response.writableFinished) listener();
      });
    },
  };
  return call;
}

/** Reads exactly `length` bytes of a paused stream (the body of an upgrade request), leaving the rest. */
function readExactly(stream: Readable, length: number): Promise<Buffer> {
  if (length === 0) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const onReadable = () => {
      let chunk: Buffer | null;
      while (got < length && (chunk = stream.read() as Buffer | null) !== null) {
        if (got + chunk.length > length) {
          stream.unshift(chunk.subarray(length - got));
          chunk = chunk.subarray(0, length - got);
        }
        chunks.push(chunk);
        got += chunk.length;
      }
      if (got >= length) done(() => resolve(Buffer.concat(chunks)));
    };
    const onEnd = () => done(() => resolve(Buffer.concat(chunks)));
    const onError = (error: Error) => done(() => reject(error));
    const done = (settle: () => void) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      settle();
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    onReadable();
  });
}

/** A Call over a raw socket: a request that asked for `Upgrade: tcp` (attach, exec start). */
export function upgradeCall(request: IncomingMessage, socket: Duplex, head: Buffer, route: { path: string; version: string; params: Record<string, string>; query: URLSearchParams }): Call {
  if (head.length > 0) socket.unshift(head);
  let responded = false;
  let bodyPromise: Promise<Buffer> | undefined;
  const body = () => (bodyPromise ??= readExactly(socket, Number(request.headers['content-length'] ?? 0) || 0));
  const writeHead = (status: number, headers: Record<string, string>) => {
    responded = true;
    const lines = [`HTTP/1.1 ${status} ${status === 101 ? 'UPGRADED' : (statusText[status] ?? 'Status')}`, ...Object.entries({ ...commonHeaders, ...headers }).map(([key, value]) => `${key}: ${value}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  };
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  return {
    method: request.method ?? 'POST',
    ...route,
    headers: request.headers,
    body,
    json: async () => parseJson(await body()),
    bodyStream: () => socket,
    get responded() {
      return responded;
    },
    send(status, payload, headers = {}) {
      const { data, type } = encodeBody(status === 204 || status === 304 ? undefined : payload);
      writeHead(status, { ...(type ? { 'Content-Type': type } : {}), 'Content-Length': String(data?.length ?? 0), Connection: 'close', ...headers });
      socket.end(data);
    },
    stream(contentType, headers = {}) {
      writeHead(200, { 'Content-Type': contentType, Connection: 'close', ...headers });
      return socket;
    },
    hijack(contentType) {
      writeHead(101, { 'Content-Type': contentType, Connection: 'Upgrade', Upgrade: 'tcp' });
      // The request's own body (dockerode sends the attach options as JSON) is not stdin: dockerd drops it too.
      const input = new PassThrough();
      void body().then(
        () => socket.pipe(input),
        () => socket.pipe(input),
      );
      return {
        input,
        output: socket,
        upgraded: true,
        end: () => {
          socket.end();
          // The client may keep its write side open (stdin): once our side is done, the connection is.
          setTimeout(() => socket.destroy(), 1000).unref();
        },
        closed,
      };
    },
    onClose(listener) {
      socket.once('close', listener);
    },
  };
}

/** A route: method, path pattern with `{name}` parameters (a `{name*}` takes the rest, slashes too), handler. */
export interface Route {
  method: string | readonly string[];
  pattern: string;
  handler: (call: Call) => Promise<void>;
}

export interface CompiledRoute extends Route {
  regexp: RegExp;
  names: string[];
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.pattern.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(\*?)\}/g, (_all, name: string, rest: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    return { ...route, regexp: new RegExp(`^${source}/?$`), names };
  });
}

/** The route of a method and path, with its parameters; `methodMismatch` when the path exists for other methods. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | 'methodMismatch' | undefined {
  let mismatch = false;
  for (const route of routes) {
    const match = route.regexp.exec(path);
    if (!match) continue;
    const methods = typeof route.method === 'string' ? [route.method] : route.method;
    if (!methods.includes(method)) {
      mismatch = true;
      continue;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1]!)));
    return { route, params };
  }
  return mismatch ? 'methodMismatch' : undefined;
}

/** Docker's boolean query values: 1/true/True (and an empty value counts as false). */
export function queryBoolean(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null || value === '') return fallback;
  return !['0', 'false', 'False', 'FALSE', 'no'].includes(value);
}

export function queryInteger(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw new DaemonError('BAD_PARAMETER', `invalid value ${JSON.stringify(value)} for query parameter ${name}: expected an integer`);
  return Number(value);
}

/**
 * Docker's `filters` parameter: `{"status":{"running":true}}` (current) or `{"status":["running"]}`
 * (before API 1.22 clients), as a map of key to values.
 */
export function parseFilters(text: string | null): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  if (text === null || text === '') return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new DaemonError('BAD_PARAMETER', `invalid filter ${JSON.stringify(text)}: not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new DaemonError('BAD_PARAMETER', `invalid filter ${JSON.stringify(text)}`);
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) filters.set(key, value.map(String));
    else if (typeof value === 'object' && value !== null) filters.set(key, Object.entries(value).filter(([, on]) => on === true).map(([item]) => item));
    else throw new DaemonError('BAD_PARAMETER', `invalid filter ${JSON.stringify(key)}: expected a list of values`);
  }
  return filters;
}
