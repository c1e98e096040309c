import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatBinding, parseExposed, parsePublish, portAvailable } from './ports.js';
import { chooseSubnet, formatSubnet, parseSubnet } from './cidr.js';
import { bridgeHostsContent, resolvConfWith } from './hosts-file.js';

describe('parsePublish (docker -p)', () => {
  it.each([
    ['80', [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0 }]],
    ['8080:80', [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 8080, hostPortEnd: 8080 }]],
    ['127.0.0.1:8080:80/udp', [{ containerPort: 80, protocol: 'udp', hostIp: '127.0.0.1', hostPortStart: 8080, hostPortEnd: 8080 }]],
    ['127.0.0.1::80', [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortStart: 0, hostPortEnd: 0 }]],
    ['8000-8001:80-81', [
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 8000, hostPortEnd: 8000 },
      { containerPort: 81, protocol: 'tcp', hostIp: '', hostPortStart: 8001, hostPortEnd: 8001 },
    ]],
    ['9000-9010:80', [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 9000, hostPortEnd: 9010 }]],
  ])('%s', (text, expected) => {
    expect(parsePublish(text)).toEqual(expected);
  });

  it.each(['', '80/sctp', '0', '70000', 'a:b:c:d', '8000-8002:80-81', 'host:80:80', '90-80'])('refuses %j', (text) => {
    expect(() => parsePublish(text)).toThrow(expect.objectContaining({ code: 'INVALID_PORT' }));
  });

  it('reads --expose and ExposedPorts keys', () => {
    expect(parseExposed('80/tcp')).toEqual([{ containerPort: 80, protocol: 'tcp' }]);
    expect(parseExposed('53-54/udp')).toEqual([{ containerPort: 53, protocol: 'udp' }, { containerPort: 54, protocol: 'udp' }]);
  });

  it('formats a binding as docker ps does', () => {
    expect(formatBinding({ hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' })).toBe('0.0.0.0:8080->80/tcp');
  });

  it('sees a port another process holds', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = server.address() as { port: number };
    expect(await portAvailable('127.0.0.1', port, 'tcp')).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await portAvailable('127.0.0.1', port, 'tcp')).toBe(true);
  });
});

describe('subnets', () => {
  it("takes Docker's 172.17.0.0/16 unless the host uses it", () => {
    expect(formatSubnet(chooseSubnet([]))).toBe('172.17.0.0/16');
    expect(formatSubnet(chooseSubnet([parseSubnet('172.16.0.0/12')]))).toBe('192.168.0.0/20');
    expect(formatSubnet(chooseSubnet([parseSubnet('172.17.5.0/24')]))).toBe('172.18.0.0/16');
    expect(formatSubnet(chooseSubnet([], { skipDefault: true }))).toBe('172.18.0.0/16');
  });

  it('masks and refuses', () => {
    expect(formatSubnet(parseSubnet('10.1.2.3/8'))).toBe('10.0.0.0/8');
    expect(() => parseSubnet('10.0.0.0')).toThrow(expect.objectContaining({ code: 'INVALID_SUBNET' }));
    expect(() => parseSubnet('300.0.0.0/8')).toThrow(expect.objectContaining({ code: 'INVALID_SUBNET' }));
  });
});

describe('/etc files', () => {
  it("writes Docker's /etc/hosts with extra hosts, the container's address and peers", () => {
    const text = bridgeHostsContent({ hostname: 'abc', ipAddress: '172.18.0.2', extraHosts: ['db:10.0.0.5'], peers: [{ ipAddress: '172.18.0.3', names: ['web', 'www'] }] });
    expect(text.split('\n').slice(6)).toEqual(['10.0.0.5\tdb', '172.18.0.2\tabc', '172.18.0.3\tweb www', '']);
    expect(() => bridgeHostsContent({ hostname: 'a', ipAddress: undefined, extraHosts: ['nope'], peers: [] })).toThrow(expect.objectContaining({ code: 'INVALID_HOST' }));
  });

  it('replaces the nameservers with --dns', () => {
    expect(resolvConfWith('search example.org\nnameserver 1.1.1.1\n', { servers: ['10.0.0.1'], search: [], options: ['ndots:2'] })).toBe('search example.org\nnameserver 10.0.0.1\noptions ndots:2\n');
  });
});
