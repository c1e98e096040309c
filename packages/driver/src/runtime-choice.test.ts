import { describe, expect, test } from 'vitest';
import { chooseDefaultRuntime, parseRuntimeVersion, runtimeDirectoryName, runtimeHostProblem, runtimeKeepsStopped } from './runtime-choice.js';

describe('parseRuntimeVersion', () => {
  test.each([
    ['runc', 'runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n', { name: 'runc', version: '1.1.5+ds1', spec: '1.0.2-dev', commit: '1.1.5+ds1-1+deb12u1' }],
    ['crun', 'crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\nspec: 1.0.0\n+SYSTEMD +SELINUX +APPARMOR +CAP +SECCOMP +EBPF +YAJL\n', { name: 'crun', version: '1.8.1', spec: '1.0.0', commit: 'f8a096be060b22ccd3d5f3ebe44108517fbf6c30' }],
    ['youki', 'youki version 0.3.0\ncommit: 0.3.0-0-abc\n', { name: 'youki', version: '0.3.0', spec: undefined, commit: '0.3.0-0-abc' }],
    ['my-runtime', 'my-runtime 2.0 (custom)\n', { name: 'my-runtime', version: 'my-runtime 2.0 (custom)', spec: undefined, commit: undefined }],
  ])('%s', (fallback, output, expected) => {
    expect(parseRuntimeVersion(output, fallback)).toEqual(expected);
  });
});

describe('chooseDefaultRuntime (podman\'s choice)', () => {
  const installed = (...names: string[]) => (command: string) => (names.includes(command) ? `/usr/bin/${command}` : undefined);
  test.each([
    ['pure cgroup v2 with crun installed: crun', 'unified', installed('runc', 'crun'), 'crun'],
    ['hybrid cgroups with crun installed: runc', 'hybrid', installed('runc', 'crun'), 'runc'],
    ['cgroup v1 with crun installed: runc', 'legacy', installed('runc', 'crun'), 'runc'],
    ['pure cgroup v2 without crun: runc', 'unified', installed('runc'), 'runc'],
  ] as const)('%s', (_label, cgroupMode, find, expected) => {
    expect(chooseDefaultRuntime({ cgroupMode, find })).toBe(expected);
  });
});

describe('runtimeHostProblem', () => {
  test('crun refuses hybrid cgroups, with the reason', () => {
    expect(runtimeHostProblem('crun', 'hybrid')).toMatch(/crun does not support hybrid cgroups/);
  });
  test.each([
    ['crun', 'unified'],
    ['crun', 'legacy'],
    ['runc', 'hybrid'],
    ['youki', 'unified'],
  ] as const)('%s on %s: no problem', (name, mode) => {
    expect(runtimeHostProblem(name, mode)).toBeUndefined();
  });
});

test('only runc keeps a stopped container (run --keep)', () => {
  expect(runtimeKeepsStopped('runc')).toBe(true);
  expect(runtimeKeepsStopped('crun')).toBe(false);
});

test.each([
  ['crun', 'crun'],
  ['/opt/bin/my runtime', 'my_runtime'],
  ['..', 'runtime'],
])('runtimeDirectoryName(%j) is %j', (name, expected) => {
  expect(runtimeDirectoryName(name)).toBe(expected);
});
