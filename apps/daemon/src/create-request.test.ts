import { describe, expect, it } from 'vitest';
import { parseBind, parseSize, parseTmpfs, parseVolumeBind, toCreateRequest, toLogConfig, toPortRequests, toRestartPolicy } from './create-request.js';

/** What the docker CLI 28 sends for `docker run busybox` (the fields that are always there). */
const cliDefaults = {
  Image: 'busybox',
  Cmd: null,
  Entrypoint: null,
  Env: [],
  Tty: false,
  OpenStdin: false,
  Labels: {},
  Volumes: {},
  HostConfig: { Binds: null, NetworkMode: 'default', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, LogConfig: { Type: '', Config: {} }, Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, CapAdd: null, CapDrop: null, Memory: 0, NanoCpus: 0, PidsLimit: null, Ulimits: [], Init: null, ConsoleSize: [0, 0] },
  NetworkingConfig: { EndpointsConfig: {} },
};

describe('toCreateRequest', () => {
  it("takes the docker CLI's defaults as an image-default container on the default bridge", () => {
    const { request, warnings } = toCreateRequest(cliDefaults, undefined);
    expect(warnings).toEqual([]);
    expect(request).toEqual({
      image: 'busybox',
      autoRemove: false,
      interactive: false,
      command: { process: { args: [], env: [] }, resources: {}, mounts: [], namespaces: { network: { mode: 'new' } } },
      network: { networks: [{ network: 'bridge', aliases: [] }], ports: [], publishAll: false, exposed: [], extraHosts: [], dns: { servers: [], search: [], options: [] } },
    });
  });

  it('maps networking: a user network with aliases and a second network, ports, exposed ports, extra hosts, DNS', () => {
    const { request } = toCreateRequest(
      {
        ...cliDefaults,
        ExposedPorts: { '80/tcp': {}, '53/udp': {} },
        HostConfig: {
          ...cliDefaults.HostConfig,
          NetworkMode: 'front',
          PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }, { HostIp: '', HostPort: '' }], '443/tcp': [{ HostIp: '::1', HostPort: '9000-9010' }] },
          PublishAllPorts: true,
          ExtraHosts: ['db:10.0.0.5', 'gw=10.0.0.1'],
          Dns: ['1.1.1.1'],
          DnsSearch: ['example.com'],
          DnsOptions: ['ndots:2'],
        },
        NetworkingConfig: { EndpointsConfig: { front: { Aliases: ['web', 'www'] }, back: { Aliases: null } } },
      },
      undefined,
    );
    expect(request.command.namespaces).toEqual({ network: { mode: 'new' } });
    expect(request.network).toEqual({
      networks: [
        { network: 'front', aliases: ['web', 'www'] },
        { network: 'back', aliases: [] },
      ],
      ports: [
        { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortStart: 8080, hostPortEnd: 8080 },
        { containerPort: 80, protocol: 'tcp', hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
        { containerPort: 443, protocol: 'tcp', hostIp: '::1', hostPortStart: 9000, hostPortEnd: 9010 },
      ],
      publishAll: true,
      exposed: ['80/tcp', '53/udp', '443/tcp'],
      extraHosts: ['db:10.0.0.5', 'gw=10.0.0.1'],
      dns: { servers: ['1.1.1.1'], search: ['example.com'], options: ['ndots:2'] },
    });
  });

  it('keeps none, host and container: network modes without bridge networking; host discards published ports with a warning', () => {
    expect(toCreateRequest({ ...cliDefaults, HostConfig: { ...cliDefaults.HostConfig, NetworkMode: 'none' } }, undefined).request).not.toHaveProperty('network');
    const host = toCreateRequest({ ...cliDefaults, HostConfig: { ...cliDefaults.HostConfig, NetworkMode: 'host', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } }, undefined);
    expect(host.request.command.namespaces).toEqual({ network: { mode: 'host' } });
    expect(host.warnings).toEqual(['Published ports are discarded when using host network mode']);
    expect(toCreateRequest({ ...cliDefaults, HostConfig: { ...cliDefaults.HostConfig, NetworkMode: 'container:web' } }, undefined).request.command.namespaces).toEqual({ network: { mode: 'container', container: 'web' } });
  });

  it('maps named volumes (Binds, Mounts), anonymous volumes (Config.Volumes) and the lifecycle settings', () => {
    const { request, bindSources } = toCreateRequest(
      {
        ...cliDefaults,
        Volumes: { '/anon': {}, '/data': {} },
        StopTimeout: 0,
        HostConfig: {
          ...cliDefaults.HostConfig,
          Binds: ['data:/data:ro', '/host:/h'],
          Mounts: [
            { Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: true, VolumeOptions: { NoCopy: true } },
            { Type: 'volume', Target: '/scratch' },
          ],
          RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
          Init: true,
          LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
        },
      },
      undefined,
    );
    expect(bindSources).toEqual(['/host']);
    expect(request.volumes).toEqual([
      { source: 'data', destination: '/data', readonly: true },
      { source: 'cache', destination: '/cache', readonly: true, nocopy: true },
      { destination: '/scratch', readonly: false, nocopy: false },
      { destination: '/anon' },
    ]);
    expect(request.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 2 });
    expect(request.init).toBe(true);
    expect(request.stopTimeout).toBe(0);
    expect(request.logConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } });
  });

  it('checks restart policies and log configs as dockerd does', () => {
    expect(toRestartPolicy({ Name: 'no', MaximumRetryCount: 0 })).toBeUndefined();
    expect(toRestartPolicy({ Name: '', MaximumRetryCount: 0 })).toBeUndefined();
    expect(toRestartPolicy({ Name: 'always', MaximumRetryCount: 0 })).toEqual({ name: 'always', maximumRetryCount: 0 });
    expect(toRestartPolicy({ Name: 'unless-stopped' })).toEqual({ name: 'unless-stopped', maximumRetryCount: 0 });
    expect(toRestartPolicy({ Name: 'on-failure', MaximumRetryCount: 0 })).toEqual({ name: 'on-failure', maximumRetryCount: 0 });
    expect(() => toRestartPolicy({ Name: 'always', MaximumRetryCount: 3 })).toThrow("maximum retry count cannot be used with restart policy 'always'");
    expect(() => toRestartPolicy({ Name: 'on-failure', MaximumRetryCount: -1 })).toThrow('maximum retry count cannot be negative');
    expect(() => toRestartPolicy({ Name: 'sometimes' })).toThrow("invalid restart policy 'sometimes'");
    expect(toLogConfig({ Type: '', Config: {} })).toBeUndefined();
    expect(toLogConfig({ Type: 'none', Config: {} })).toEqual({ Type: 'none', Config: {} });
    expect(toLogConfig({ Type: 'local', Config: { 'max-size': '10m' } })).toEqual({ Type: 'json-file', Config: { 'max-size': '10m' } });
    expect(() => toLogConfig({ Type: 'syslog', Config: {} })).toThrow("no log driver named 'syslog'");
    expect(() => toLogConfig({ Type: 'json-file', Config: { 'max-size': 'huge' } })).toThrow('max-size');
  });

  it('parses port bindings and volume binds, naming the bad value', () => {
    expect(toPortRequests({ '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }], '80/tcp': null })).toEqual([{ containerPort: 53, protocol: 'udp', hostIp: '', hostPortStart: 5353, hostPortEnd: 5353 }]);
    expect(() => toPortRequests({ '80/sctp': [] })).toThrow('80/sctp');
    expect(() => toPortRequests({ '80/tcp': [{ HostPort: '70000' }] })).toThrow('invalid HostConfig.PortBindings 80/tcp HostPort "70000"');
    expect(parseVolumeBind('/host:/c')).toBeUndefined();
    expect(parseVolumeBind('vol:/c:nocopy,rw')).toEqual({ source: 'vol', destination: '/c', readonly: false, nocopy: true });
    expect(() => parseVolumeBind('vol:/c:rslave')).toThrow('unknown option "rslave"');
    expect(() => parseVolumeBind('vol:relative')).toThrow('the container path must be absolute');
  });

  it('maps Config and HostConfig fields onto the Command', () => {
    const { request, bindSources } = toCreateRequest(
      {
        ...cliDefaults,
        Cmd: ['sh', '-c', 'true'],
        Entrypoint: [''],
        Env: ['A=1'],
        WorkingDir: '/w',
        User: '1000:1000',
        Tty: true,
        OpenStdin: true,
        Hostname: 'box',
        Labels: { a: 'b' },
        StopSignal: 'SIGUSR1',
        HostConfig: {
          ...cliDefaults.HostConfig,
          Binds: ['/srv/data:/data:ro,rslave'],
          Tmpfs: { '/run': 'size=64m,mode=1777,noexec' },
          Memory: 64 * 1024 * 1024,
          NanoCpus: 1_500_000_000,
          CpuShares: 512,
          PidsLimit: 100,
          Ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }],
          CapAdd: ['NET_ADMIN'],
          CapDrop: ['MKNOD'],
          Privileged: false,
          ReadonlyRootfs: true,
          NetworkMode: 'host',
          IpcMode: 'shareable',
          PidMode: 'container:web',
          AutoRemove: true,
          SecurityOpt: ['no-new-privileges', 'seccomp=unconfined'],
          ConsoleSize: [30, 100],
        },
      },
      'named',
    );
    expect(bindSources).toEqual(['/srv/data']);
    expect(request).toEqual({
      name: 'named',
      image: 'busybox',
      entrypoint: [],
      labels: { a: 'b' },
      stopSignal: 'SIGUSR1',
      autoRemove: true,
      interactive: true,
      command: {
        process: { args: ['sh', '-c', 'true'], env: ['A=1'], workingDir: '/w', user: '1000:1000', tty: true, consoleSize: { height: 30, width: 100 } },
        resources: { memory: 64 * 1024 * 1024, cpus: 1.5, cpuShares: 512, pidsLimit: 100, ulimits: [{ name: 'nofile', soft: 512, hard: 1024 }] },
        mounts: [
          { type: 'bind', source: '/srv/data', destination: '/data', readonly: true, recursive: true, propagation: 'rslave' },
          { type: 'tmpfs', destination: '/run', readonly: false, sizeBytes: 64 * 1024 * 1024, mode: 0o1777, options: ['noexec'] },
        ],
        namespaces: { network: { mode: 'host' }, ipc: { mode: 'new' }, pid: { mode: 'container', container: 'web' } },
        hostname: 'box',
        readonlyRootfs: true,
        capAdd: ['NET_ADMIN'],
        capDrop: ['MKNOD'],
        noNewPrivileges: true,
        seccomp: { mode: 'unconfined' },
      },
    });
  });

  it.each([
    [{ HostConfig: { Links: ['db:db'] } }, 'HostConfig.Links is not supported by execdriverd'],
    [{ HostConfig: { VolumesFrom: ['other'] } }, 'HostConfig.VolumesFrom'],
    [{ HostConfig: { VolumeDriver: 'nfs' } }, 'HostConfig.VolumeDriver "nfs"'],
    [{ HostConfig: { Mounts: [{ Type: 'volume', Target: '/v', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }] } }, 'VolumeOptions.DriverConfig'],
    [{ HostConfig: { Mounts: [{ Type: 'npipe', Target: '/v' }] } }, 'HostConfig.Mounts type "npipe"'],
    [{ HostConfig: { NetworkMode: 'host', ExtraHosts: ['a:1.2.3.4'] } }, 'HostConfig.ExtraHosts with NetworkMode host'],
    [{ HostConfig: { NetworkMode: 'none', Dns: ['1.1.1.1'] } }, 'HostConfig.Dns with NetworkMode none'],
    [{ NetworkingConfig: { EndpointsConfig: { mynet: { IPAMConfig: { IPv4Address: '10.0.0.9' } } } } }, 'NetworkingConfig.EndpointsConfig.mynet.IPAMConfig'],
    [{ HostConfig: { SecurityOpt: ['label=disable'] } }, 'HostConfig.SecurityOpt "label=disable"'],
  ])('refuses %j: 400 naming the field', (body, message) => {
    expect(() => toCreateRequest({ ...cliDefaults, ...body, HostConfig: { ...cliDefaults.HostConfig, ...(body as { HostConfig?: object }).HostConfig } }, undefined)).toThrow(message);
  });

  it.each([
    [{ Image: '' }, 'no image given'],
    [{ Cmd: 5 }, 'invalid Cmd 5'],
    [{ HostConfig: { Memory: 'lots' } }, 'invalid HostConfig.Memory "lots"'],
    [{ HostConfig: { IpcMode: 'weird' } }, 'invalid HostConfig.IpcMode "weird"'],
    [{ HostConfig: { NetworkMode: 'none', PortBindings: { '80/tcp': [{ HostPort: '80' }] } } }, 'conflicting options: port publishing and the container type network mode'],
    [{ HostConfig: { NetworkMode: 'bridge' }, NetworkingConfig: { EndpointsConfig: { bridge: { Aliases: ['x'] } } } }, 'network-scoped alias is supported only for containers in user defined networks'],
    [{ HostConfig: { NetworkMode: 'none' }, NetworkingConfig: { EndpointsConfig: { front: {} } } }, 'container cannot be connected to network "front" with NetworkMode none'],
    [{ HostConfig: { ExtraHosts: ['nocolon'] } }, 'invalid HostConfig.ExtraHosts entry "nocolon"'],
    [{ ExposedPorts: { '99999/tcp': {} } }, 'invalid Config.ExposedPorts port "99999/tcp"'],
    [{ HostConfig: { Binds: ['relative/path:/data'] } }, 'invalid HostConfig.Binds entry'],
    [{ StopTimeout: 1.5 }, 'invalid Config.StopTimeout 1.5'],
  ])('rejects bad values %j', (body, message) => {
    expect(() => toCreateRequest({ ...cliDefaults, ...body, HostConfig: { ...cliDefaults.HostConfig, ...(body as { HostConfig?: object }).HostConfig } }, undefined)).toThrow(message);
  });

  it("maps Config.Healthcheck, as docker run --health-* sends it, and refuses what dockerd refuses", () => {
    const healthcheck = { Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 1_000_000_000, Timeout: 0, StartPeriod: 0, StartInterval: 0, Retries: 2 };
    expect(toCreateRequest({ ...cliDefaults, Healthcheck: healthcheck }, undefined).request.healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 1_000_000_000, Retries: 2 });
    expect(toCreateRequest({ ...cliDefaults, Healthcheck: { Test: ['NONE'] } }, undefined).request.healthcheck).toEqual({ Test: ['NONE'] });
    expect(toCreateRequest({ ...cliDefaults, Healthcheck: null }, undefined).request.healthcheck).toBeUndefined();
    expect(() => toCreateRequest({ ...cliDefaults, Healthcheck: { Test: ['CMD', 'true'], Interval: 1000 } }, undefined)).toThrow('Interval in Healthcheck cannot be less than 1ms');
    expect(() => toCreateRequest({ ...cliDefaults, Healthcheck: { Test: ['CMD', 'true'], Retries: -1 } }, undefined)).toThrow('Retries in Healthcheck cannot be negative');
    expect(() => toCreateRequest({ ...cliDefaults, Healthcheck: { Test: ['BOGUS', 'true'] } }, undefined)).toThrow('invalid Healthcheck.Test ["BOGUS","true"]');
  });

  it('parses binds, tmpfs options and sizes', () => {
    expect(parseBind('/a:/b')).toEqual({ type: 'bind', source: '/a', destination: '/b', readonly: false, recursive: true });
    expect(() => parseBind('/a:/b:bogus')).toThrow('unknown option "bogus"');
    expect(parseTmpfs('/t', 'ro')).toEqual({ type: 'tmpfs', destination: '/t', readonly: true });
    expect([parseSize('x', '512'), parseSize('x', '1k'), parseSize('x', '2m'), parseSize('x', '1g')]).toEqual([512, 1024, 2 * 1024 ** 2, 1024 ** 3]);
  });
});

describe('HostConfig.Runtime (docker run --runtime)', () => {
  it.each(['runc', 'crun', 'youki'])('%s is the container\'s runtime', (runtime) => {
    const { request } = toCreateRequest({ ...cliDefaults, HostConfig: { ...cliDefaults.HostConfig, Runtime: runtime } }, undefined);
    expect(request.runtime).toBe(runtime);
  });

  it('an unknown runtime is refused naming it and the known ones', () => {
    expect(() => toCreateRequest({ ...cliDefaults, HostConfig: { ...cliDefaults.HostConfig, Runtime: 'kata' } }, undefined)).toThrow(/HostConfig.Runtime "kata".*known runtimes: runc, crun, youki/);
  });
});
