import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuncRoot, officialValidator, referenceFile, runBundle, temporaryBusyboxRootfs, uniqueId, v2vmTool } from './index.js';

describe('testkit', () => {
  let rootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>>;
  let runc: Awaited<ReturnType<typeof createRuncRoot>>;
  beforeAll(async () => {
    rootfs = await temporaryBusyboxRootfs();
    runc = await createRuncRoot();
  });
  afterAll(async () => {
    await runc?.cleanup();
    await rootfs?.remove();
  });

  test('runc spec output is valid under both official schemas', () => {
    execFileSync('runc', ['spec', '--bundle', rootfs.dir]);
    const config = JSON.parse(readFileSync(join(rootfs.dir, 'config.json'), 'utf8'));
    expect(officialValidator('v1.0.2')(config)).toEqual({ valid: true, errors: [] });
    expect(officialValidator('v1.2.1')(config)).toEqual({ valid: true, errors: [] });
    expect(officialValidator('v1.2.1')({ ...config, ociVersion: 7 }).valid).toBe(false);
  });

  test('a busybox root filesystem runs under runc', async () => {
    const config = JSON.parse(readFileSync(join(rootfs.dir, 'config.json'), 'utf8'));
    config.process.terminal = false;
    config.process.args = ['sh', '-c', 'id -u; cat /etc/hostname; exit 3'];
    const result = await runBundle({ runcRoot: runc.root, bundle: rootfs.dir, id: uniqueId('testkit'), config });
    expect(result).toMatchObject({ exitCode: 3, stdout: '0\nbusybox\n' });
  });
});

describe('referenceFile (Docker reference data, a CI extra)', () => {
  test('skips outside CI, fails under CI=true, and finds the files where EXECDRIVER_REFERENCE points', () => {
    expect(referenceFile('docker-engine-api.yaml', {})).toMatchObject({ skip: expect.stringMatching(/^not run: EXECDRIVER_REFERENCE is not set/) });
    expect(referenceFile('docker-engine-api.yaml', { CI: 'true' })).toMatchObject({ error: expect.stringContaining('CI must compare') });
    expect(referenceFile('moby-seccomp-default.json', { EXECDRIVER_REFERENCE: '/nonexistent' })).toMatchObject({ error: expect.stringContaining('has no moby-seccomp-default.json') });
    const shared = process.env.EXECDRIVER_REFERENCE;
    if (shared) for (const name of ['docker-engine-api.yaml', 'moby-seccomp-default.json'] as const) expect(existsSync(referenceFile(name).path!)).toBe(true);
  });
});

describe('v2vmTool', () => {
  test.each([
    [{}, { skip: expect.stringMatching(/^not run: EXECDRIVER_V2VM is not set/) }],
    [{ CI: 'true' }, { error: expect.stringMatching(/EXECDRIVER_V2VM is not set: CI must run/) }],
    [{ EXECDRIVER_V2VM: 'run-in-v2vm' }, { error: 'EXECDRIVER_V2VM=run-in-v2vm is not an absolute path' }],
    [{ EXECDRIVER_V2VM: '/nonexistent/run-in-v2vm' }, { error: 'EXECDRIVER_V2VM=/nonexistent/run-in-v2vm is not an executable file' }],
    [{ EXECDRIVER_V2VM: '/bin/true', CI: 'true' }, { path: '/bin/true' }],
  ])('%j', (env, expected) => {
    expect(v2vmTool(env)).toEqual(expected);
  });
});
