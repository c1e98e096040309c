import { describe, expect, test } from 'vitest';
import { OciError } from './errors.js';
import { hostnameFileContent, hostsFileContent, resolvConfContent } from './etc-files.js';

describe('hostsFileContent', () => {
  test.each(['new', 'none', 'container'] as const)("network '%s': localhost, the IPv6 lines and the hostname on 127.0.0.1", (network) => {
    expect(hostsFileContent({ hostname: 'web-1', network })).toBe(
      [
        '127.0.0.1\tlocalhost',
        '::1\tlocalhost ip6-localhost ip6-loopback',
        'fe00::0\tip6-localnet',
        'ff00::0\tip6-mcastprefix',
        'ff02::1\tip6-allnodes',
        'ff02::2\tip6-allrouters',
        '127.0.0.1\tweb-1',
        '',
      ].join('\n'),
    );
  });

  test('a domain name puts the FQDN first, then the short name', () => {
    expect(hostsFileContent({ hostname: 'web', domainname: 'example.org', network: 'new' }).split('\n').at(-2)).toBe('127.0.0.1\tweb.example.org web');
  });

  test("network 'host': the host's file as it is; without it INVALID_OPTIONS", () => {
    const hostHosts = '127.0.0.1 localhost\n10.0.0.5 box.lan box\n# comment\n';
    expect(hostsFileContent({ hostname: 'ignored', network: 'host', hostHosts })).toBe(hostHosts);
    expect(() => hostsFileContent({ hostname: 'x', network: 'host' })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'hostHosts' }) as OciError);
  });
});

describe('resolvConfContent', () => {
  const systemdResolved = '# This is /run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan example.org\n';

  test.each([
    ['localhost nameservers dropped, others and search/options kept', 'nameserver 127.0.0.1\nnameserver 10.0.0.2\nsearch lan\noptions ndots:2\nnameserver ::1\n', 'nameserver 10.0.0.2\nsearch lan\noptions ndots:2\n'],
    ['only a stub resolver: Docker falls back to 8.8.8.8 and 8.8.4.4', systemdResolved, '# This is /run/systemd/resolve/stub-resolv.conf\noptions edns0 trust-ad\nsearch lan example.org\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n'],
    ['empty file', '', 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n'],
    ['IPv6 and 127-looking names that are not loopback stay', 'nameserver 2001:db8::1\nnameserver 127.0.0.1.example\n', 'nameserver 2001:db8::1\nnameserver 127.0.0.1.example\n'],
    ['no final newline', 'nameserver 1.1.1.1', 'nameserver 1.1.1.1\n'],
  ])('%s', (_name, hostResolvConf, expected) => {
    for (const network of ['new', 'none', 'container'] as const) expect(resolvConfContent({ hostResolvConf, network })).toBe(expected);
  });

  test("network 'host': the host's file as it is, stub resolver included", () => {
    expect(resolvConfContent({ hostResolvConf: systemdResolved, network: 'host' })).toBe(systemdResolved);
  });
});

test('hostnameFileContent is the name and a newline', () => {
  expect(hostnameFileContent('web-1')).toBe('web-1\n');
});
