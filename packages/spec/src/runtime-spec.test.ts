import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { officialValidator, type OfficialVersion } from '@execdriver/testkit';
import { SpecError } from './errors.js';
import { parseRuntimeSpec, type RuntimeSpec } from './runtime-spec.js';
import { readFixture, thrown, withValue, withoutKey } from './__fixtures__/fixtures.js';

const official: Record<OfficialVersion, (value: unknown) => { valid: boolean; errors: string[] }> = {
  'v1.0.2': officialValidator('v1.0.2', 'config-schema.json'),
  'v1.2.1': officialValidator('v1.2.1', 'config-schema.json'),
};
const bothVersions: OfficialVersion[] = ['v1.0.2', 'v1.2.1'];

/** Each valid fixture and the official schema versions it belongs to. */
const validFixtures: { file: string; versions: OfficialVersion[] }[] = [
  // `runc spec` and `runc spec --rootless` of runc 1.1.5 (spec 1.0.2-dev), captured on this machine.
  { file: 'runc-1.1.5-spec.json', versions: bothVersions },
  { file: 'runc-1.1.5-spec-rootless.json', versions: bothVersions },
  { file: 'minimal.json', versions: bothVersions },
  // Every field of v1.2.1, and every field v1.0.2 has with v1.0.2's enum values.
  { file: 'maximal-v1.2.1.json', versions: ['v1.2.1'] },
  { file: 'maximal-v1.0.2.json', versions: bothVersions },
  // Unknown keys at the top level and nested (runc's vtpms, v1.3's netDevices, a windows section).
  { file: 'extensions.json', versions: bothVersions },
];

describe('valid configs pass ours and the official schemas', () => {
  it.each(validFixtures)('$file', ({ file, versions }) => {
    const input = readFixture(`runtime-spec/${file}`);
    for (const version of versions) {
      expect(official[version](input), `${version} official schema`).toEqual({ valid: true, errors: [] });
    }
    // Parsing keeps every field, including extensions, so the config round-trips.
    expect(parseRuntimeSpec(input)).toEqual(input);
  });

  it('the maximal v1.2.1 fixture is not a v1.0.2 config (so the version split is real)', () => {
    expect(official['v1.0.2'](readFixture('runtime-spec/maximal-v1.2.1.json')).valid).toBe(false);
  });

  it('keeps extension keys at every level', () => {
    const parsed = parseRuntimeSpec(readFixture('runtime-spec/extensions.json')) as unknown as Record<string, unknown>;
    expect(parsed['org.example.topLevelExtension']).toEqual({ anything: [1, 2, 3] });
    expect(JSON.stringify(parsed)).toContain('"vtpms"');
    expect(JSON.stringify(parsed)).toContain('"org.example.mountExtension":"kept"');
    expect(JSON.stringify(parsed)).toContain('"netDevices"');
  });

  it('types only the spec\'s fields, while parsing keeps extensions', () => {
    // @ts-expect-error `procss` is not a field of RuntimeSpec: `satisfies` catches misspelt fields.
    const config = { ociVersion: '1.0.2', root: { path: 'rootfs' }, procss: {} } satisfies RuntimeSpec;
    expect(parseRuntimeSpec(config)).toEqual(config);
  });

  it('keeps uint64 values beyond 2^53 that the spec allows', () => {
    const parsed = parseRuntimeSpec(readFixture('runtime-spec/maximal-v1.2.1.json'));
    expect(parsed.linux?.resources?.hugepageLimits?.[0]?.limit).toBe(9223372036854772000);
  });
});

describe('the runc on this machine', () => {
  const runc = (args: string[], cwd: string): string => {
    const result = spawnSync('runc', args, { cwd, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };

  it.each([[['spec']], [['spec', '--rootless']]])('`runc %s` output passes ours and both official schemas', (args) => {
    const bundle = mkdtempSync(join(tmpdir(), 'execdriver-spec-'));
    try {
      runc([...args, '--bundle', bundle], bundle);
      const input = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as unknown;
      for (const version of bothVersions) expect(official[version](input).valid, version).toBe(true);
      expect(parseRuntimeSpec(input)).toEqual(input);
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });
});

interface InvalidCase {
  name: string;
  /** Dotted path to replace (or to delete with `remove`). */
  path: string;
  value?: unknown;
  remove?: true;
  /** The path our error must name, when it differs from `path`. */
  errorPath?: string;
  /** The official versions that must reject it; both unless the field is v1.2-only. */
  versions?: OfficialVersion[];
}

const base = readFixture('runtime-spec/runc-1.1.5-spec.json');

function applyCase(testCase: InvalidCase): unknown {
  return testCase.remove ? withoutKey(base, testCase.path) : withValue(base, testCase.path, testCase.value);
}

/** Rejected by ours and by the official schema. */
const invalidConfigs: InvalidCase[] = [
  { name: 'ociVersion missing', path: 'ociVersion', remove: true },
  { name: 'ociVersion a number', path: 'ociVersion', value: 1 },
  { name: 'root.path missing', path: 'root.path', remove: true },
  { name: 'root.path a number', path: 'root.path', value: 7 },
  { name: 'root.readonly a string', path: 'root.readonly', value: 'yes' },
  { name: 'process.cwd missing', path: 'process.cwd', remove: true },
  { name: 'process.cwd a number', path: 'process.cwd', value: 5 },
  { name: 'process.terminal a string', path: 'process.terminal', value: 'true' },
  { name: 'process.args a string', path: 'process.args', value: 'sh -c true' },
  { name: 'process.env entry a number', path: 'process.env.0', value: 12 },
  { name: 'negative uid', path: 'process.user.uid', value: -1 },
  { name: 'gid above uint32', path: 'process.user.gid', value: 4294967296 },
  { name: 'negative additional gid', path: 'process.user.additionalGids', value: [-5], errorPath: 'process.user.additionalGids.0' },
  { name: 'fractional umask', path: 'process.user.umask', value: 1.5 },
  { name: 'rlimit type not RLIMIT_*', path: 'process.rlimits.0.type', value: 'NOFILE' },
  { name: 'negative rlimit', path: 'process.rlimits.0.soft', value: -1 },
  { name: 'rlimit without hard', path: 'process.rlimits.0.hard', remove: true },
  { name: 'capability set a string', path: 'process.capabilities.bounding', value: 'CAP_KILL' },
  { name: 'consoleSize without width', path: 'process.consoleSize', value: { height: 24 }, errorPath: 'process.consoleSize.width' },
  { name: 'fractional oomScoreAdj', path: 'process.oomScoreAdj', value: 2.5 },
  { name: 'noNewPrivileges a string', path: 'process.noNewPrivileges', value: 'true' },
  { name: 'bad ioPriority class', path: 'process.ioPriority', value: { class: 'IOPRIO_CLASS_FAST', priority: 1 }, errorPath: 'process.ioPriority.class', versions: ['v1.2.1'] },
  { name: 'bad scheduler policy', path: 'process.scheduler', value: { policy: 'SCHED_FAST' }, errorPath: 'process.scheduler.policy', versions: ['v1.2.1'] },
  { name: 'bad scheduler flag', path: 'process.scheduler', value: { policy: 'SCHED_OTHER', flags: ['SCHED_FLAG_FAST'] }, errorPath: 'process.scheduler.flags.0', versions: ['v1.2.1'] },
  { name: 'bad execCPUAffinity', path: 'process.execCPUAffinity', value: { initial: 'all' }, errorPath: 'process.execCPUAffinity.initial', versions: ['v1.2.1'] },
  { name: 'mount without destination', path: 'mounts.0.destination', remove: true },
  { name: 'mount options a string', path: 'mounts.1.options', value: 'nosuid' },
  {
    name: 'negative mount idmap size',
    path: 'mounts.0',
    value: { destination: '/data', source: '/srv', options: ['rbind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1000, size: -1 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] },
    errorPath: 'mounts.0.uidMappings.0.size',
    versions: ['v1.2.1'],
  },
  { name: 'hook without path', path: 'hooks.prestart', value: [{ args: ['hook'] }], errorPath: 'hooks.prestart.0.path' },
  { name: 'hook timeout 0', path: 'hooks.poststop', value: [{ path: '/bin/true', timeout: 0 }], errorPath: 'hooks.poststop.0.timeout' },
  { name: 'hooks not an array', path: 'hooks.createRuntime', value: { path: '/bin/true' } },
  { name: 'hook args a string', path: 'hooks.startContainer', value: [{ path: '/bin/true', args: 'x' }], errorPath: 'hooks.startContainer.0.args' },
  { name: 'annotation value a number', path: 'annotations', value: { 'com.example.count': 3 }, errorPath: 'annotations.com.example.count' },
  { name: 'hostname a number', path: 'hostname', value: 42 },
  { name: 'domainname a boolean', path: 'domainname', value: true, versions: ['v1.2.1'] },
  { name: 'bad namespace type', path: 'linux.namespaces.0.type', value: 'pids' },
  { name: 'namespace without type', path: 'linux.namespaces.0.type', remove: true },
  { name: 'namespace path a number', path: 'linux.namespaces.1.path', value: 1234 },
  { name: 'negative uid mapping hostID', path: 'linux.uidMappings', value: [{ containerID: 0, hostID: -1, size: 1 }], errorPath: 'linux.uidMappings.0.hostID' },
  { name: 'gid mapping without size', path: 'linux.gidMappings', value: [{ containerID: 0, hostID: 1000 }], errorPath: 'linux.gidMappings.0.size' },
  { name: 'bad device type', path: 'linux.devices', value: [{ path: '/dev/x', type: 'x', major: 1, minor: 3 }], errorPath: 'linux.devices.0.type' },
  { name: 'device without path', path: 'linux.devices', value: [{ type: 'c', major: 1, minor: 3 }], errorPath: 'linux.devices.0.path' },
  { name: 'device fileMode above 512', path: 'linux.devices', value: [{ path: '/dev/x', type: 'c', major: 1, minor: 3, fileMode: 4095 }], errorPath: 'linux.devices.0.fileMode' },
  { name: 'device cgroup entry without allow', path: 'linux.resources.devices.0.allow', remove: true },
  { name: 'memory limit a string', path: 'linux.resources.memory.limit', value: '1g' },
  { name: 'negative swappiness', path: 'linux.resources.memory.swappiness', value: -1 },
  { name: 'negative cpu shares', path: 'linux.resources.cpu.shares', value: -2 },
  { name: 'cpus a number', path: 'linux.resources.cpu.cpus', value: 3 },
  { name: 'pids without limit', path: 'linux.resources.pids', value: {}, errorPath: 'linux.resources.pids.limit' },
  { name: 'fractional pids limit', path: 'linux.resources.pids.limit', value: 1.5 },
  { name: 'blkio weight above uint16', path: 'linux.resources.blockIO.weight', value: 70000 },
  { name: 'throttle device without major', path: 'linux.resources.blockIO.throttleReadBpsDevice', value: [{ minor: 0, rate: 100 }], errorPath: 'linux.resources.blockIO.throttleReadBpsDevice.0.major' },
  { name: 'bad hugepage size', path: 'linux.resources.hugepageLimits', value: [{ pageSize: '2M', limit: 1 }], errorPath: 'linux.resources.hugepageLimits.0.pageSize' },
  { name: 'net priority without priority', path: 'linux.resources.network.priorities', value: [{ name: 'eth0' }], errorPath: 'linux.resources.network.priorities.0.priority' },
  { name: 'negative rdma handles', path: 'linux.resources.rdma', value: { mlx5_1: { hcaHandles: -1 } }, errorPath: 'linux.resources.rdma.mlx5_1.hcaHandles' },
  { name: 'unified value a number', path: 'linux.resources.unified', value: { 'memory.max': 1024 }, errorPath: 'linux.resources.unified.memory.max', versions: ['v1.2.1'] },
  { name: 'bad rootfsPropagation', path: 'linux.rootfsPropagation', value: 'rprivate' },
  { name: 'seccomp without defaultAction', path: 'linux.seccomp', value: { syscalls: [] }, errorPath: 'linux.seccomp.defaultAction' },
  { name: 'bad seccomp defaultAction', path: 'linux.seccomp', value: { defaultAction: 'SCMP_ACT_DENY' }, errorPath: 'linux.seccomp.defaultAction' },
  { name: 'bad seccomp architecture', path: 'linux.seccomp', value: { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['x86_64'] }, errorPath: 'linux.seccomp.architectures.0' },
  { name: 'bad seccomp flag', path: 'linux.seccomp', value: { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_FAST'] }, errorPath: 'linux.seccomp.flags.0' },
  { name: 'syscall with no names', path: 'linux.seccomp', value: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, errorPath: 'linux.seccomp.syscalls.0.names' },
  { name: 'syscall without action', path: 'linux.seccomp', value: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'] }] }, errorPath: 'linux.seccomp.syscalls.0.action' },
  {
    name: 'bad seccomp arg operator',
    path: 'linux.seccomp',
    value: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 0, op: 'SCMP_CMP_SAME' }] }] },
    errorPath: 'linux.seccomp.syscalls.0.args.0.op',
  },
  { name: 'sysctl value a number', path: 'linux.sysctl', value: { 'net.ipv4.ip_forward': 1 }, errorPath: 'linux.sysctl.net.ipv4.ip_forward' },
  { name: 'maskedPaths a string', path: 'linux.maskedPaths', value: '/proc/kcore' },
  { name: 'bad memBwSchema', path: 'linux.intelRdt', value: { memBwSchema: 'L3:0=7f0' }, errorPath: 'linux.intelRdt.memBwSchema' },
  { name: 'bad personality domain', path: 'linux.personality', value: { domain: 'LINUX64' }, errorPath: 'linux.personality.domain' },
  { name: 'negative time offset nanosecs', path: 'linux.timeOffsets', value: { monotonic: { secs: 1, nanosecs: -1 } }, errorPath: 'linux.timeOffsets.monotonic.nanosecs', versions: ['v1.2.1'] },
  { name: 'cgroupsPath a number', path: 'linux.cgroupsPath', value: 5 },
  { name: 'linux an array', path: 'linux', value: [] },
];

describe('invalid configs are rejected by ours and by the official schemas', () => {
  it('has at least 30 cases', () => {
    expect(invalidConfigs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(invalidConfigs)('$name', (testCase) => {
    const input = applyCase(testCase);
    for (const version of testCase.versions ?? bothVersions) {
      expect(official[version](input).valid, `${version} official schema`).toBe(false);
    }
    expectNamedError(input, testCase.errorPath ?? testCase.path, testCase.remove ? undefined : { value: testCase.value, inError: testCase.errorPath === undefined });
  });

  it('rejects a document that is not an object', () => {
    expect(official['v1.2.1']('config').valid).toBe(false);
    expectNamedError('config', '', { value: 'config', inError: true });
  });

  it('lists every offending path in one message', () => {
    const input = withValue(withValue(base, 'linux.namespaces.0.type', 'pids'), 'process.user.uid', -1);
    const error = thrown(() => parseRuntimeSpec(input)) as SpecError;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['linux.namespaces.0.type', 'process.user.uid']);
    expect(error.message).toContain('linux.namespaces.0.type: ');
    expect(error.message).toContain('(got "pids")');
    expect(error.message).toContain('process.user.uid: must be a uint32 from 0 to 4294967295 (got -1)');
  });
});

/**
 * Where ours is deliberately stricter than the official JSON schema: the spec text says MUST (or
 * REQUIRED) and the JSON schema does not encode it. The official schemas accept these inputs.
 */
const stricterThanOfficial: (InvalidCase & { spec: string })[] = [
  { name: 'ociVersion not SemVer', path: 'ociVersion', value: 'latest', spec: 'config.md: "`ociVersion` (string, REQUIRED) MUST be in SemVer v2.0.0 format"' },
  { name: 'root missing', path: 'root', remove: true, spec: 'config.md: "`root` ... On all other platforms [than Windows], this field is REQUIRED."' },
  { name: 'relative cwd', path: 'process.cwd', value: 'home/tester', spec: 'config.md: "`cwd` (string, REQUIRED) ... This value MUST be an absolute path."' },
  { name: 'process without args', path: 'process.args', remove: true, spec: 'config.md: "`args` ... at least one entry is REQUIRED (non-Windows)"' },
  { name: 'empty args', path: 'process.args', value: [], spec: 'config.md: "`args` ... at least one entry is REQUIRED (non-Windows)"' },
  { name: 'user without uid', path: 'process.user', value: { gid: 0 }, errorPath: 'process.user.uid', spec: 'config.md POSIX-platform User: "`uid` (int, REQUIRED)"' },
  {
    name: 'duplicate rlimit',
    path: 'process.rlimits',
    value: [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 1 }, { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 }],
    errorPath: 'process.rlimits.1.type',
    spec: 'config.md: "If `rlimits` contains duplicated entries with same `type`, the runtime MUST generate an error."',
  },
  {
    name: 'unknown rlimit',
    path: 'process.rlimits.0.type',
    value: 'RLIMIT_FOO',
    spec: 'config.md: "The runtime MUST generate an error for any values which cannot be mapped to a relevant kernel interface."',
  },
  { name: 'ioPriority without priority', path: 'process.ioPriority', value: { class: 'IOPRIO_CLASS_BE' }, errorPath: 'process.ioPriority.priority', spec: 'config.md: "`priority` (int, REQUIRED)"' },
  { name: 'relative hook path', path: 'hooks.poststart', value: [{ path: 'bin/notify' }], errorPath: 'hooks.poststart.0.path', spec: 'config.md: "`path` ... MUST be absolute."' },
  { name: 'empty annotation key', path: 'annotations', value: { '': 'x' }, errorPath: 'annotations.', spec: 'config.md: "Keys MUST NOT be an empty string."' },
  {
    name: 'mount uidMappings without gidMappings',
    path: 'mounts.0',
    value: { destination: '/data', source: '/srv', options: ['rbind', 'idmap'], uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] },
    errorPath: 'mounts.0.gidMappings',
    spec: 'config.md: "`uidMappings` ... If specified, it MUST be specified along with `gidMappings`."',
  },
  { name: 'relative namespace path', path: 'linux.namespaces.1.path', value: 'run/netns/a', spec: 'config-linux.md: "`path` ... This value MUST be an absolute path in the runtime mount namespace."' },
  {
    name: 'duplicate namespace',
    path: 'linux.namespaces.1.type',
    value: 'pid',
    spec: 'config-linux.md: "If a `namespaces` field contains duplicated namespaces with same `type`, the runtime MUST generate an error."',
  },
  { name: 'char device without major', path: 'linux.devices', value: [{ path: '/dev/x', type: 'c', minor: 3 }], errorPath: 'linux.devices.0.major', spec: 'config-linux.md: "`major, minor` (int64, REQUIRED unless `type` is `p`)"' },
  {
    name: 'bad device cgroup type',
    path: 'linux.resources.devices.0.type',
    value: 'x',
    spec: 'config-linux.md: "`type` ... `a` (all), `c` (char), or `b` (block)" + config.md: "Runtimes MUST generate an error when invalid or unsupported values are encountered."',
  },
  { name: 'bad device cgroup access', path: 'linux.resources.devices.0.access', value: 'rwx', spec: 'config-linux.md: "`access` ... A composition of `r` (read), `w` (write), and `m` (mknod)."' },
  {
    name: 'weight device without weights',
    path: 'linux.resources.blockIO.weightDevice',
    value: [{ major: 8, minor: 0 }],
    errorPath: 'linux.resources.blockIO.weightDevice.0.weight',
    spec: 'config-linux.md: "You MUST specify at least one of `weight` or `leafWeight` in a given entry"',
  },
  { name: 'throttle device without rate', path: 'linux.resources.blockIO.throttleWriteIOPSDevice', value: [{ major: 8, minor: 0 }], errorPath: 'linux.resources.blockIO.throttleWriteIOPSDevice.0.rate', spec: 'config-linux.md: "`rate` (uint64, REQUIRED)"' },
  {
    name: 'empty rdma entry',
    path: 'linux.resources.rdma',
    value: { mlx5_1: {} },
    errorPath: 'linux.resources.rdma.mlx5_1.hcaHandles',
    spec: 'config-linux.md: "You MUST specify at least one of the `hcaHandles` or `hcaObjects` in a given entry"',
  },
  {
    name: 'cpu burst above quota',
    path: 'linux.resources.cpu',
    value: { quota: 1000, burst: 2000 },
    errorPath: 'linux.resources.cpu.burst',
    spec: 'config-linux.md: "`burst` ... If specified, this value MUST be no larger than any positive `quota`"',
  },
  {
    name: 'defaultErrnoRet with SCMP_ACT_KILL',
    path: 'linux.seccomp',
    value: { defaultAction: 'SCMP_ACT_KILL', defaultErrnoRet: 1 },
    errorPath: 'linux.seccomp.defaultErrnoRet',
    spec: 'config-linux.md: "When the action doesn\'t support an errno, the runtime MUST print and error and fail."',
  },
  {
    name: 'errnoRet with SCMP_ACT_ALLOW',
    path: 'linux.seccomp',
    value: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW', errnoRet: 1 }] },
    errorPath: 'linux.seccomp.syscalls.0.errnoRet',
    spec: 'config-linux.md: "When the action doesn\'t support an errno, the runtime MUST print and error and fail."',
  },
  {
    name: 'listenerMetadata without listenerPath',
    path: 'linux.seccomp',
    value: { defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' },
    errorPath: 'linux.seccomp.listenerMetadata',
    spec: 'config-linux.md: "`listenerMetadata` ... This field MUST NOT be set if `listenerPath` is not set."',
  },
  { name: 'relative masked path', path: 'linux.maskedPaths.0', value: 'proc/kcore', spec: 'config-linux.md: "The values MUST be absolute paths in the container namespace."' },
  { name: 'relative readonly path', path: 'linux.readonlyPaths.0', value: 'proc/sys', spec: 'config-linux.md: "The values MUST be absolute paths in the container namespace."' },
  { name: 'personality without domain', path: 'linux.personality', value: { flags: [] }, errorPath: 'linux.personality.domain', spec: 'config-linux.md: "`domain` (string, REQUIRED)"' },
];

describe('ours is stricter than the official schemas where the spec text says MUST', () => {
  it.each(stricterThanOfficial)('$name ($spec)', (testCase) => {
    const input = applyCase(testCase);
    for (const version of bothVersions) {
      expect(official[version](input).valid, `${version} official schema accepts it`).toBe(true);
    }
    expectNamedError(input, testCase.errorPath ?? testCase.path, testCase.remove ? undefined : { value: testCase.value, inError: testCase.errorPath === undefined });
  });
});

/** Asserts that parsing fails with a SpecError naming `path` and, when given, the offending value. */
function expectNamedError(input: unknown, path: string, offending?: { value: unknown; inError: boolean }): void {
  const error = thrown(() => parseRuntimeSpec(input));
  expect(error).toBeInstanceOf(SpecError);
  const specError = error as SpecError;
  expect(specError.code).toBe('INVALID_SPEC');
  const issue = specError.issues.find((candidate) => candidate.path === path);
  expect(issue, `an issue at ${JSON.stringify(path)} in:\n${specError.message}`).toBeDefined();
  expect(specError.message).toContain(`${path === '' ? '(root)' : path}: `);
  if (offending?.inError) {
    expect(issue?.value).toEqual(offending.value);
    expect(specError.message).toContain(`(got ${JSON.stringify(offending.value)})`);
  } else if (offending === undefined && issue) {
    expect(issue.message).toBe('is required');
  }
}
