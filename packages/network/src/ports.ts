import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { NetworkError } from './errors.js';
import { parseIpv4 } from './cidr.js';

export type PortProtocol = 'tcp' | 'udp';

/** One `-p` request: a host port of 0 means a free one, chosen when the container starts. */
export interface PortRequest {
  containerPort: number;
  protocol: PortProtocol;
  /** '' for all addresses (Docker's 0.0.0.0). */
  hostIp: string;
  /** First and last host port acceptable; 0..0: any free port. */
  hostPortStart: number;
  hostPortEnd: number;
}

/** A published port as it is bound: Docker's `PortBinding` plus the container side. */
export interface PortBinding {
  containerPort: number;
  protocol: PortProtocol;
  hostIp: string;
  hostPort: number;
}

function portNumber(text: string, spec: string, allowZero = false): number {
  const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= (allowZero ? 0 : 1) && value <= 65535)) throw new NetworkError('INVALID_PORT', `invalid port ${JSON.stringify(text)} in ${JSON.stringify(spec)}: expected 1-65535`, { port: spec });
  return value;
}

function portRange(text: string, spec: string): [number, number] {
  const [first, last, extra] = text.split('-');
  if (extra !== undefined || first === undefined) throw new NetworkError('INVALID_PORT', `invalid port range ${JSON.stringify(text)} in ${JSON.stringify(spec)}`, { port: spec });
  const start = portNumber(first, spec);
  const end = last === undefined ? start : portNumber(last, spec);
  if (end < start) throw new NetworkError('INVALID_PORT', `invalid port range ${JSON.stringify(text)} in ${JSON.stringify(spec)}: the end is before the start`, { port: spec });
  return [start, end];
}

/**
 * Docker's `-p`: `[[ip:][hostPort[-end]]:]containerPort[-end][/tcp|/udp]`. A container range
 * with a host range of the same size maps one to one; a host range with one container port
 * means any free port of the range.
 * @throws NetworkError INVALID_PORT naming the text
 */
export function parsePublish(spec: string): PortRequest[] {
  const slash = spec.lastIndexOf('/');
  const protocolText = slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
  if (protocolText !== 'tcp' && protocolText !== 'udp') throw new NetworkError('INVALID_PORT', `invalid protocol ${JSON.stringify(protocolText)} in ${JSON.stringify(spec)}: tcp or udp`, { port: spec });
  const body = slash === -1 ? spec : spec.slice(0, slash);
  let hostIp = '';
  let rest = body;
  const bracket = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(body);
  if (bracket) {
    hostIp = bracket[1]!;
    rest = bracket[2]!;
  } else {
    const parts = body.split(':');
    if (parts.length === 3) {
      hostIp = parts[0]!;
      rest = `${parts[1]}:${parts[2]}`;
    } else if (parts.length > 3) throw new NetworkError('INVALID_PORT', `invalid port specification ${JSON.stringify(spec)}`, { port: spec });
  }
  if (hostIp !== '' && parseIpv4(hostIp) === undefined) throw new NetworkError('INVALID_PORT', `invalid IP address ${JSON.stringify(hostIp)} in ${JSON.stringify(spec)}: IPv4 only`, { port: spec });
  const colon = rest.lastIndexOf(':');
  const hostText = colon === -1 ? '' : rest.slice(0, colon);
  const containerText = colon === -1 ? rest : rest.slice(colon + 1);
  if (containerText === '') throw new NetworkError('INVALID_PORT', `no container port in ${JSON.stringify(spec)}`, { port: spec });
  const [containerStart, containerEnd] = portRange(containerText, spec);
  const [hostStart, hostEnd] = hostText === '' ? [0, 0] : portRange(hostText, spec);
  const count = containerEnd - containerStart + 1;
  const requests: PortRequest[] = [];
  if (hostText !== '' && count > 1 && hostEnd - hostStart + 1 !== count) {
    throw new NetworkError('INVALID_PORT', `invalid ranges in ${JSON.stringify(spec)}: the host range and the container range differ in size`, { port: spec });
  }
  for (let index = 0; index < count; index += 1) {
    const oneToOne = hostText !== '' && count > 1;
    requests.push({
      containerPort: containerStart + index,
      protocol: protocolText,
      hostIp,
      hostPortStart: oneToOne ? hostStart + index : hostStart,
      hostPortEnd: oneToOne ? hostStart + index : hostEnd,
    });
  }
  return requests;
}

/** `--expose 80[-81][/udp]` and image ExposedPorts keys (`80/tcp`). */
export function parseExposed(spec: string): { containerPort: number; protocol: PortProtocol }[] {
  const slash = spec.indexOf('/');
  const protocol = (slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase()) as PortProtocol;
  if (protocol !== 'tcp' && protocol !== 'udp') throw new NetworkError('INVALID_PORT', `invalid protocol in ${JSON.stringify(spec)}: tcp or udp`, { port: spec });
  const [start, end] = portRange(slash === -1 ? spec : spec.slice(0, slash), spec);
  return Array.from({ length: end - start + 1 }, (_, index) => ({ containerPort: start + index, protocol }));
}

/** Whether this process can bind the port now (nothing else on the host has it). */
export function portAvailable(hostIp: string, port: number, protocol: PortProtocol): Promise<boolean> {
  const host = hostIp === '' ? '0.0.0.0' : hostIp;
  if (protocol === 'udp') {
    return new Promise((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind({ port, address: host, exclusive: true }, () => socket.close(() => resolve(true)));
    });
  }
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the kernel considers free now (bind to 0). */
export function freePort(hostIp: string, protocol: PortProtocol): Promise<number> {
  const host = hostIp === '' ? '0.0.0.0' : hostIp;
  if (protocol === 'udp') {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind({ port: 0, address: host }, () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** `0.0.0.0:8080->80/tcp` (Docker's ps column entry). */
export function formatBinding(binding: PortBinding): string {
  return `${binding.hostIp === '' ? '0.0.0.0' : binding.hostIp}:${binding.hostPort}->${binding.containerPort}/${binding.protocol}`;
}
