import { describe, expect, it } from 'vitest';
import { parseEnvFile, parseRunFlags, type CommandDraft } from './run-flags.js';

const mib = 1024 ** 2;

describe('parseRunFlags: docker run semantics', () => {
  it('splits flags, image and command at the image', () => {
    const { command, cliOptions } = parseRunFlags(['--rm', '-it', 'busybox', 'sh', '-c', 'ls -l', '--rm']);
    expect(cliOptions).toMatchObject({ autoRemove: true, interactive: true, tty: true, image: 'busybox', args: ['sh', '-c', 'ls -l', '--rm'] });
    expect(command.process).toMatchObject({ args: ['sh', '-c', 'ls -l', '--rm'], tty: true });
  });

  it('keeps --entrypoint apart from the command (the engine combines them with the image)', () => {
    const parsed = parseRunFlags(['--entrypoint', '/bin/echo', 'busybox', 'hi']);
    expect(parsed.command.process.args).toEqual(['hi']);
    expect(parsed.cliOptions.entrypoint).toBe('/bin/echo');
  });

  it('reads the --health-* flags as Docker\'s HealthConfig (nanoseconds), --no-healthcheck as NONE', () => {
    const flags = ['--health-cmd', 'test -e /tmp/ok', '--health-interval', '1s', '--health-timeout', '500ms', '--health-retries', '2', '--health-start-period', '1m', '--health-start-interval', '2s'];
    expect(parseRunFlags([...flags, 'busybox']).cliOptions.healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 1e9, Timeout: 5e8, Retries: 2, StartPeriod: 6e10, StartInterval: 2e9 });
    expect(parseRunFlags(['--health-interval', '5s', 'busybox']).cliOptions.healthcheck).toEqual({ Interval: 5e9 });
    expect(parseRunFlags(['--no-healthcheck', 'busybox']).cliOptions.healthcheck).toEqual({ Test: ['NONE'] });
    expect(parseRunFlags(['busybox']).cliOptions.healthcheck).toBeUndefined();
    expect(() => parseRunFlags(['--no-healthcheck', '--health-cmd', 'true', 'busybox'])).toThrow('--no-healthcheck conflicts with --health-* options');
    expect(() => parseRunFlags(['--health-retries', '-2', 'busybox'])).toThrow('invalid value "-2" for flag --health-retries: --health-retries cannot be negative');
    expect(() => parseRunFlags(['--health-interval', 'soon', 'busybox'])).toThrow('invalid value "soon" for flag --health-interval');
  });

  it('takes the whole rest as the command with --rootfs', () => {
    const { cliOptions, command } = parseRunFlags(['--rootfs', '/srv/root', 'sh', '-c', 'true']);
    expect(cliOptions).toMatchObject({ image: undefined, rootfsDir: '/srv/root' });
    expect(command.process.args).toEqual(['sh', '-c', 'true']);
  });

  const cases: { flags: string[]; expected: Partial<CommandDraft> }[] = [
    { flags: ['-m', '64m'], expected: { resources: { memory: 64 * mib } } },
    { flags: ['--memory=1g', '--memory-swap', '-1'], expected: { resources: { memory: 1024 * mib, memorySwap: -1 } } },
    { flags: ['-m', '32m', '--memory-swap', '32m', '--memory-reservation', '16m'], expected: { resources: { memory: 32 * mib, memorySwap: 32 * mib, memoryReservation: 16 * mib } } },
    { flags: ['--kernel-memory', '50m', '--memory-swappiness', '10', '--oom-kill-disable'], expected: { resources: { kernelMemory: 50 * mib, memorySwappiness: 10, oomKillDisable: true } } },
    { flags: ['--cpus', '1.5'], expected: { resources: { cpus: 1.5 } } },
    { flags: ['--cpu-shares', '512', '--cpu-period', '50000', '--cpu-quota', '25000'], expected: { resources: { cpuShares: 512, cpuPeriod: 50000, cpuQuota: 25000 } } },
    { flags: ['--cpuset-cpus', '0-1', '--cpuset-mems', '0', '--blkio-weight', '300', '--pids-limit', '100'], expected: { resources: { cpusetCpus: '0-1', cpusetMems: '0', blkioWeight: 300, pidsLimit: 100 } } },
    { flags: ['--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=64'], expected: { resources: { ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'nproc', soft: 64, hard: 64 }] } } },
    { flags: ['--ulimit', 'memlock=-1:-1', '--ulimit', 'core=0:-1'], expected: { resources: { ulimits: [{ name: 'memlock', soft: -1, hard: -1 }, { name: 'core', soft: 0, hard: -1 }] } } },
    {
      flags: ['-v', '/src:/dst:ro,rslave'],
      expected: { mounts: [{ type: 'bind', source: '/src', destination: '/dst', readonly: true, propagation: 'rslave', recursive: true }] },
    },
    { flags: ['-v', '/a:/b'], expected: { mounts: [{ type: 'bind', source: '/a', destination: '/b', readonly: false, recursive: true }] } },
    {
      flags: ['--mount', 'type=bind,source=/a,target=/b,readonly,bind-propagation=shared'],
      expected: { mounts: [{ type: 'bind', source: '/a', destination: '/b', readonly: true, propagation: 'shared', recursive: true }] },
    },
    {
      flags: ['--mount', 'type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770'],
      expected: { mounts: [{ type: 'tmpfs', destination: '/t', readonly: false, sizeBytes: 64 * mib, mode: 0o1770 }] },
    },
    {
      flags: ['--tmpfs', '/run:size=64m,mode=1777,noexec'],
      expected: { mounts: [{ type: 'tmpfs', destination: '/run', readonly: false, sizeBytes: 64 * mib, mode: 0o1777, options: ['noexec'] }] },
    },
    { flags: ['--tmpfs', '/tmp'], expected: { mounts: [{ type: 'tmpfs', destination: '/tmp', readonly: false }] } },
    { flags: ['--device', '/dev/fuse'], expected: { devices: [{ path: '/dev/fuse' }] } },
    { flags: ['--device', '/dev/fuse:/dev/f:rw'], expected: { devices: [{ path: '/dev/fuse', containerPath: '/dev/f', permissions: 'rw' }] } },
    { flags: ['--device', '/dev/null:r'], expected: { devices: [{ path: '/dev/null', permissions: 'r' }] } },
    { flags: ['--cap-add', 'NET_ADMIN,SYS_TIME', '--cap-drop', 'ALL'], expected: { capAdd: ['NET_ADMIN', 'SYS_TIME'], capDrop: ['ALL'] } },
    { flags: ['--privileged', '--read-only', '--group-add', 'audio'], expected: { privileged: true, readonlyRootfs: true, groupAdd: ['audio'] } },
    { flags: ['--network', 'none'], expected: { namespaces: { network: { mode: 'none' } } } },
    { flags: ['--network', 'host', '--pid', 'host', '--uts', 'host', '--ipc', 'host'], expected: { namespaces: { network: { mode: 'host' }, pid: { mode: 'host' }, uts: { mode: 'host' }, ipc: { mode: 'host' } } } },
    { flags: ['--network', 'container:web', '--ipc', 'container:web', '--pid', 'container:web'], expected: { namespaces: { network: { mode: 'container', container: 'web' }, ipc: { mode: 'container', container: 'web' }, pid: { mode: 'container', container: 'web' } } } },
    { flags: ['--ipc', 'shareable'], expected: { namespaces: { ipc: { mode: 'new' } } } },
    { flags: ['--security-opt', 'seccomp=unconfined', '--security-opt', 'no-new-privileges'], expected: { seccomp: { mode: 'unconfined' }, noNewPrivileges: true } },
    { flags: ['--security-opt', 'no-new-privileges:true', '--security-opt', 'apparmor=docker-default'], expected: { noNewPrivileges: true, appArmorProfile: 'docker-default' } },
    { flags: ['--security-opt', 'label=type:svirt_apache_t'], expected: { selinux: { processLabel: 'system_u:system_r:svirt_apache_t:s0' } } },
    { flags: ['--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.msgmax=65536'], expected: { sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '65536' } } },
    { flags: ['--cgroup-parent', '/my/parent', '--oom-score-adj', '-500', '-h', 'box'], expected: { cgroupParent: '/my/parent', oomScoreAdj: -500, hostname: 'box' } },
  ];

  it.each(cases)('$flags', ({ flags, expected }) => {
    const { command } = parseRunFlags([...flags, 'busybox', 'true']);
    expect(command).toMatchObject(expected);
  });

  it('maps process flags', () => {
    const { command } = parseRunFlags(['-e', 'A=1', '-e', 'HOME_COPY', '-e', 'MISSING', '-u', 'nobody:users', '-w', '/tmp', 'busybox', 'env'], { hostEnv: { HOME_COPY: '/root' } });
    expect(command.process).toEqual({ args: ['env'], env: ['A=1', 'HOME_COPY=/root'], user: 'nobody:users', workingDir: '/tmp', tty: false });
  });

  it('keeps the files to read for later', () => {
    const { cliOptions } = parseRunFlags(['--env-file', 'a.env', '--security-opt', 'seccomp=/etc/profile.json', '--userns-remap', 'default', '-d', '--name', 'web', 'busybox']);
    expect(cliOptions).toMatchObject({ envFiles: ['a.env'], seccompProfileFile: '/etc/profile.json', usernsRemap: 'default', detach: true, name: 'web', args: [] });
  });

  it.each([
    [['-m', '64x', 'busybox'], 'invalid value "64x" for flag --memory: expected a size like 64m or 1g'],
    [['--cpus', 'two', 'busybox'], 'invalid value "two" for flag --cpus: expected a number like 1.5'],
    [['--cpus', '1', '--cpu-quota', '50000', 'busybox'], 'conflicting options: --cpus and --cpu-period/--cpu-quota cannot be used together'],
    [['--ulimit', 'nofile=2048:1024', 'busybox'], 'invalid value "nofile=2048:1024" for flag --ulimit: soft limit 2048 is above the hard limit 1024'],
    [['--ulimit', 'memlock=-1:1024', 'busybox'], 'invalid value "memlock=-1:1024" for flag --ulimit: soft limit -1 is above the hard limit 1024'],
    [['-v', 'data:relative', 'busybox'], 'the destination "relative" must be an absolute path'],
    [['-v', '/a:/b:rx', 'busybox'], 'unknown option "rx"'],
    [['--mount', 'type=volume,target=/v,bogus=1', 'busybox'], 'unknown key "bogus"'],
    [['--mount', 'type=npipe,target=/v', 'busybox'], 'type "npipe" is not supported'],
    [['--tmpfs', 'run', 'busybox'], 'for flag --tmpfs: the destination must be an absolute path'],
    [['--network', 'bridge', '--network-alias', 'a', 'busybox'], 'network-scoped alias is supported only for containers in user defined networks'],
    [['--network', 'none', '-p', '80', 'busybox'], 'conflicting options: port publishing and the container type network mode (--network none)'],
    [['-p', '80/sctp', 'busybox'], 'invalid argument for flag --publish: invalid protocol "sctp"'],
    [['--add-host', 'nohost', 'busybox'], 'invalid argument for flag --add-host'],
    [['--pid', 'other', 'busybox'], 'invalid value "other" for flag --pid'],
    [['--security-opt', 'seccomp=loose', 'busybox'], 'seccomp takes unconfined or a profile file path'],
    [['--oom-score-adj', '2000', 'busybox'], 'must be at most 1000'],
    [['--name', '-bad', 'busybox'], 'invalid container name "-bad"'],
    [['--rootfs', 'relative', 'sh'], 'for flag --rootfs: must be an absolute path'],
    [['--bogus', 'busybox'], 'unknown flag: --bogus'],
    [[], '"run" requires at least 1 argument'],
  ])('%j fails: %s', (argv, message) => {
    expect(() => parseRunFlags(argv)).toThrow(message);
  });

  it('puts containers on the bridge network by default, as Docker does, and reads the network flags', () => {
    expect(parseRunFlags(['busybox'])).toMatchObject({ command: { namespaces: { network: { mode: 'new' } } }, cliOptions: { network: { networks: [{ network: 'bridge', aliases: [] }], ports: [], publishAll: false } } });
    const parsed = parseRunFlags(['--network', 'mynet', '--network-alias', 'www', '-p', '127.0.0.1:8080:80', '-P', '--expose', '81', '--add-host', 'db:10.0.0.5', '--dns', '10.0.0.1', '--dns-search', 'example.org', 'busybox']);
    expect(parsed.command.namespaces).toEqual({ network: { mode: 'new' } });
    expect(parsed.cliOptions.network).toEqual({
      networks: [{ network: 'mynet', aliases: ['www'] }],
      ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPortStart: 8080, hostPortEnd: 8080 }],
      publishAll: true,
      exposed: ['81'],
      extraHosts: ['db:10.0.0.5'],
      dns: { servers: ['10.0.0.1'], search: ['example.org'], options: [] },
    });
    expect(parseRunFlags(['--network', 'none', 'busybox']).cliOptions.network).toBeUndefined();
    expect(parseRunFlags(['--network', 'default', 'busybox']).cliOptions.network?.networks).toEqual([{ network: 'bridge', aliases: [] }]);
  });

  it('names spec in its own argument count error', () => {
    expect(() => parseRunFlags(['-m', '64m'], { commandName: 'spec' })).toThrow('"spec" requires at least 1 argument');
  });

  it('keeps single-value flags as typed, for messages', () => {
    expect(parseRunFlags(['-m', '4k', '--memory-swap=1g', '--rm', '-e', 'A=1', 'busybox']).cliOptions.flagTexts).toEqual({ '--memory': '4k', '--memory-swap': '1g' });
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines, copies bare keys, skips comments', () => {
    expect(parseEnvFile('a.env', '# comment\nA=1\n\n  B=two words\nHOST_ONLY\nUNSET\n', { HOST_ONLY: 'x' })).toEqual(['A=1', 'B=two words', 'HOST_ONLY=x']);
  });

  it('names the file and line of a bad variable', () => {
    expect(() => parseEnvFile('a.env', 'A=1\nBAD KEY=2\n')).toThrow('invalid line 2 in --env-file a.env');
  });
});

describe('volume flags', () => {
  it.each([
    [['-v', 'data:/data:ro', 'busybox'], [{ source: 'data', destination: '/data', readonly: true }]],
    [['-v', '/anon', 'busybox'], [{ destination: '/anon' }]],
    [['-v', 'data:/d:nocopy', 'busybox'], [{ source: 'data', destination: '/d', nocopy: true }]],
    [['--mount', 'type=volume,source=v,target=/t,readonly,volume-nocopy', 'busybox'], [{ source: 'v', destination: '/t', readonly: true, nocopy: true }]],
    [['-v', '/h:/c', 'busybox'], []],
  ])('%j gives the volumes %j', (argv, volumes) => {
    expect(parseRunFlags(argv).cliOptions.volumes).toEqual(volumes);
  });
});
