import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { officialValidator } from '@execdriver/testkit';
import { SpecError } from './errors.js';
import { parseFeatures } from './features.js';
import { readFixture, thrown, withValue, withoutKey } from './__fixtures__/fixtures.js';

// The features document exists only from runtime-spec v1.1; the official schema is v1.2.1's.
const official = officialValidator('v1.2.1', 'features-schema.json');

describe('features', () => {
  it.each(['runc-1.1.5-features.json', 'maximal-v1.2.1.json'])('%s passes ours and the official schema', (file) => {
    const input = readFixture(`features/${file}`);
    expect(official(input)).toEqual({ valid: true, errors: [] });
    expect(parseFeatures(input)).toEqual(input);
  });

  it('parses what `runc features` prints on this machine', () => {
    const result = spawnSync('runc', ['features'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const input = JSON.parse(result.stdout) as unknown;
    expect(official(input).valid).toBe(true);
    const features = parseFeatures(input);
    expect(features.hooks).toContain('createRuntime');
    expect(features.linux?.namespaces).toContain('pid');
  });

  const base = readFixture('features/maximal-v1.2.1.json');
  it.each([
    { name: 'ociVersionMin missing', input: withoutKey(base, 'ociVersionMin'), path: 'ociVersionMin' },
    { name: 'ociVersionMax a number', input: withValue(base, 'ociVersionMax', 1), path: 'ociVersionMax', value: 1 },
    { name: 'hooks a string', input: withValue(base, 'hooks', 'prestart'), path: 'hooks', value: 'prestart' },
    { name: 'unknown namespace', input: withValue(base, 'linux.namespaces.0', 'pids'), path: 'linux.namespaces.0', value: 'pids' },
    { name: 'lower-case capability', input: withValue(base, 'linux.capabilities.0', 'chown'), path: 'linux.capabilities.0', value: 'chown' },
    { name: 'unknown seccomp action', input: withValue(base, 'linux.seccomp.actions.0', 'SCMP_ACT_DENY'), path: 'linux.seccomp.actions.0', value: 'SCMP_ACT_DENY' },
    { name: 'unknown seccomp flag', input: withValue(base, 'linux.seccomp.supportedFlags.0', 'X'), path: 'linux.seccomp.supportedFlags.0', value: 'X' },
    { name: 'cgroup.v2 a string', input: withValue(base, 'linux.cgroup.v2', 'yes'), path: 'linux.cgroup.v2', value: 'yes' },
    { name: 'idmap.enabled a number', input: withValue(base, 'linux.mountExtensions.idmap.enabled', 1), path: 'linux.mountExtensions.idmap.enabled', value: 1 },
  ])('rejects $name (ours and official)', ({ input, path, value }) => {
    expect(official(input).valid).toBe(false);
    const error = thrown(() => parseFeatures(input)) as SpecError;
    expect(error).toBeInstanceOf(SpecError);
    expect(error.code).toBe('INVALID_FEATURES');
    expect(error.issues.map((issue) => issue.path)).toContain(path);
    if (value !== undefined) expect(error.message).toContain(`${path}: `);
    if (value !== undefined) expect(error.message).toContain(`(got ${JSON.stringify(value)})`);
  });
});
