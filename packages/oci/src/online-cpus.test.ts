import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatCpuList, parseCpuList, readOnlineCpus } from './online-cpus.js';
import { checkCpusOnline } from './resources.js';
import { testCommand } from './__fixtures__/harness.js';

let sysRoot: string;
beforeAll(async () => {
  sysRoot = await mkdtemp(join(tmpdir(), 'execdriver-oci-sys-'));
});
afterAll(async () => {
  await rm(sysRoot, { recursive: true, force: true });
});

async function writeOnline(text: string): Promise<string> {
  const root = await mkdtemp(join(sysRoot, 'root-'));
  await mkdir(join(root, 'devices/system/cpu'), { recursive: true });
  await writeFile(join(root, 'devices/system/cpu/online'), text);
  return root;
}

describe('parseCpuList and formatCpuList', () => {
  test.each([
    ['0', [0], '0'],
    ['0-1\n', [0, 1], '0-1'],
    ['0-3,5,7-8', [0, 1, 2, 3, 5, 7, 8], '0-3,5,7-8'],
    ['4,0-1', [0, 1, 4], '0-1,4'],
  ])('%j', (text, cpus, formatted) => {
    expect([...parseCpuList(text)!].sort((a, b) => a - b)).toEqual(cpus);
    expect(formatCpuList(parseCpuList(text)!)).toBe(formatted);
  });

  test.each(['x', '3-1', '0,,1', '-1'])('%j is not a list', (text) => {
    expect(parseCpuList(text)).toBeUndefined();
  });
});

describe('readOnlineCpus', () => {
  test('parses the online file under sysRoot', async () => {
    expect(await readOnlineCpus({ sysRoot: await writeOnline('0-2,4\n') })).toEqual(new Set([0, 1, 2, 4]));
  });

  test('this host', async () => {
    expect((await readOnlineCpus()).size).toBeGreaterThan(0);
  });

  test('missing or garbage is READ_FAILED naming the file', async () => {
    await expect(readOnlineCpus({ sysRoot: join(sysRoot, 'nowhere') })).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringContaining('nowhere/devices/system/cpu/online') });
    await expect(readOnlineCpus({ sysRoot: await writeOnline('garbage') })).rejects.toMatchObject({ code: 'READ_FAILED', message: expect.stringContaining('"garbage"') });
  });
});

describe('checkCpusOnline', () => {
  const two = new Set([0, 1]);
  test.each([
    [{ cpus: 2 }],
    [{ cpus: 0.01 }],
    [{ cpusetCpus: '0-1' }],
    [{ cpusetCpus: '1' }],
  ])('%o fits 2 CPUs', (resources) => {
    expect(() => checkCpusOnline(testCommand({ resources }).resources, two)).not.toThrow();
  });

  test.each([
    [{ cpus: 2.5 }, 'resources.cpus', 2.5, /resources\.cpus 2\.5 .*from 0\.01 to 2\.00.*only 2 CPUs online \(0-1\)/],
    [{ cpusetCpus: '0-3' }, 'resources.cpusetCpus', '0-3', /resources\.cpusetCpus 0-3 names CPUs that are not online: 2-3 \(online: 0-1\)/],
    [{ cpusetCpus: '5' }, 'resources.cpusetCpus', '5', /not online: 5 /],
  ])('%o is INVALID_RESOURCES', (resources, field, value, message) => {
    expect(() => checkCpusOnline(testCommand({ resources }).resources, two)).toThrowError(expect.objectContaining({ code: 'INVALID_RESOURCES', field, value, message: expect.stringMatching(message) }));
  });
});
