import { describe, expect, it } from 'vitest';
import { parseBind, parseSize, parseTmpfs, toCreateRequest } from './create-request.js';

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
  it("takes the docker CLI's defaults as an image-default container with no network", () => {
    const { request, warnings } = toCreateRequest(cliDefaults, undefined);
    expect(warnings).toEqual([]);
    expect(request).toEqual({ image: 'busybox', autoRemove: false, interactive: false, command: { process: { args: [], env: [] }, resources: {}, mounts: [], namespaces: { network: { mode: 'none' } } } });
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
    [{ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } }, 'HostConfig.PortBindings is not supported by execdriverd'],
    [{ HostConfig: { RestartPolicy: { Name: 'always' } } }, 'HostConfig.RestartPolicy "always"'],
    [{ HostConfig: { Init: true } }, 'HostConfig.Init'],
    [{ HostConfig: { NetworkMode: 'mynet' } }, 'HostConfig.NetworkMode "mynet"'],
    [{ HostConfig: { Binds: ['named:/data'] } }, 'named volumes'],
    [{ HostConfig: { Mounts: [{ Type: 'volume', Target: '/v' }] } }, 'HostConfig.Mounts type "volume"'],
    [{ Volumes: { '/data': {} } }, 'Config.Volumes'],
    [{ Healthcheck: { Test: ['CMD', 'true'] } }, 'Config.Healthcheck'],
    [{ HostConfig: { LogConfig: { Type: 'syslog' } } }, 'HostConfig.LogConfig.Type "syslog"'],
    [{ NetworkingConfig: { EndpointsConfig: { mynet: {} } } }, 'NetworkingConfig.EndpointsConfig "mynet"'],
    [{ HostConfig: { SecurityOpt: ['label=disable'] } }, 'HostConfig.SecurityOpt "label=disable"'],
    [{ OpenStdin: true }, 'Config.OpenStdin without Config.Tty'],
  ])('refuses %j: 400 naming the field', (body, message) => {
    expect(() => toCreateRequest({ ...cliDefaults, ...body, HostConfig: { ...cliDefaults.HostConfig, ...(body as { HostConfig?: object }).HostConfig } }, undefined)).toThrow(message);
  });

  it.each([
    [{ Image: '' }, 'no image given'],
    [{ Cmd: 5 }, 'invalid Cmd 5'],
    [{ HostConfig: { Memory: 'lots' } }, 'invalid HostConfig.Memory "lots"'],
    [{ HostConfig: { IpcMode: 'weird' } }, 'invalid HostConfig.IpcMode "weird"'],
  ])('rejects bad values %j', (body, message) => {
    expect(() => toCreateRequest({ ...cliDefaults, ...body, HostConfig: { ...cliDefaults.HostConfig, ...(body as { HostConfig?: object }).HostConfig } }, undefined)).toThrow(message);
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
