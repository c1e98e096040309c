import { chmod, copyFile, mkdtemp, readdir, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addNetworkList, deleteNetworkList, pluginStdin } from './cni-list.js';
import { invokePlugin, pluginEnvironment } from './cni-exec.js';
import type { CniConfigList } from './cni-types.js';
import { endpointFromResult } from './network-manager.js';
import { NetworkError } from './errors.js';

let base: string;
let pluginDir: string;
let logDir: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'cni-test-'));
  pluginDir = join(base, 'bin');
  logDir = join(base, 'log');
  await mkdir(pluginDir);
  await mkdir(logDir);
  for (const name of ['fake-ok', 'fake-second', 'fake-fail', 'fake-garbage']) {
    await copyFile(new URL('./__fixtures__/fake-plugin.sh', import.meta.url), join(pluginDir, name));
    await chmod(join(pluginDir, name), 0o755);
  }
});
afterEach(() => rm(base, { recursive: true, force: true }));

async function calls(): Promise<Record<string, unknown>[]> {
  const files = (await readdir(logDir)).sort();
  return Promise.all(files.map(async (file) => JSON.parse(await readFile(join(logDir, file), 'utf8')) as Record<string, unknown>));
}

const list = (types: string[]): CniConfigList => ({
  cniVersion: '1.0.0',
  name: 'testnet',
  plugins: types.map((type) => ({ type, ...(type === 'fake-second' ? { capabilities: { portMappings: true } } : {}) })),
});
const runtime = () => ({ containerId: 'c1', netns: '/run/netns/c1', ifName: 'eth0', args: { LOG: logDir }, capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], other: 1 } });

describe('the CNI protocol', () => {
  it('names the CNI variables as the spec does', () => {
    expect(pluginEnvironment({ pluginDirs: ['/a', '/b'], command: 'ADD', containerId: 'c', netns: '/n', ifName: 'eth0', args: { K: 'v', L: 'w' } })).toEqual({
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'c',
      CNI_NETNS: '/n',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/a:/b',
      CNI_ARGS: 'K=v;L=w',
    });
  });

  it('gives runtimeConfig only for declared capabilities, with name, cniVersion and prevResult', () => {
    const config = list(['fake-ok', 'fake-second']);
    expect(pluginStdin(config, config.plugins[0]!, runtime(), undefined)).toEqual({ type: 'fake-ok', name: 'testnet', cniVersion: '1.0.0' });
    const second = pluginStdin(config, config.plugins[1]!, runtime(), { cniVersion: '1.0.0' });
    expect(second.runtimeConfig).toEqual({ portMappings: runtime().capabilityArgs.portMappings });
    expect(second.prevResult).toEqual({ cniVersion: '1.0.0' });
  });

  it('chains ADD through the list, each plugin getting the previous result, and parses the last', async () => {
    const result = await addNetworkList(list(['fake-ok', 'fake-second']), runtime(), { pluginDirs: ['/nonexistent', pluginDir] });
    const recorded = await calls();
    expect(recorded.map((call) => [call.plugin, call.command, call.containerId, call.netns, call.ifName, call.path])).toEqual([
      ['fake-ok', 'ADD', 'c1', '/run/netns/c1', 'eth0', `/nonexistent:${pluginDir}`],
      ['fake-second', 'ADD', 'c1', '/run/netns/c1', 'eth0', `/nonexistent:${pluginDir}`],
    ]);
    expect((recorded[0]!.stdin as Record<string, unknown>).prevResult).toBeUndefined();
    expect((recorded[1]!.stdin as Record<string, unknown>).prevResult).toMatchObject({ ips: [{ address: '10.99.0.2/24' }] });
    expect(result.ips?.[0]?.address).toBe('10.99.0.3/24');
    expect(endpointFromResult(result, 'eth0')).toEqual({ ipAddress: '10.99.0.3', prefixLength: 24, gateway: '10.99.0.1', macAddress: 'aa:bb:cc:dd:ee:01' });
  });

  it('runs DEL in reverse order with the result as prevResult', async () => {
    await deleteNetworkList(list(['fake-ok', 'fake-second']), runtime(), { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] }, { pluginDirs: [pluginDir] });
    const recorded = await calls();
    expect(recorded.map((call) => `${call.plugin} ${call.command}`)).toEqual(['fake-second DEL', 'fake-ok DEL']);
    expect((recorded[0]!.stdin as Record<string, unknown>).prevResult).toEqual({ cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] });
  });

  it("reports a plugin's CNI error code and message, and deletes what the list added before it", async () => {
    const error = await addNetworkList(list(['fake-ok', 'fake-fail']), runtime(), { pluginDirs: [pluginDir] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ code: 'PLUGIN_FAILED', details: { plugin: 'fake-fail', cniCode: 11, cniMessage: 'try again later', cniDetails: 'the fake says no' } });
    expect((error as Error).message).toContain('try again later');
    expect((await calls()).map((call) => `${call.plugin} ${call.command}`)).toEqual(['fake-ok ADD', 'fake-fail ADD', 'fake-fail DEL', 'fake-ok DEL']);
  });

  it('reports a plugin that fails without a CNI error by its stderr and exit code', async () => {
    const call = invokePlugin({ pluginDirs: [pluginDir], type: 'fake-garbage', command: 'ADD', containerId: 'c', netns: '/n', ifName: 'eth0', args: { LOG: logDir }, config: {} });
    await expect(call).rejects.toMatchObject({ code: 'PLUGIN_FAILED', message: expect.stringContaining('exited with 3: not json') });
  });

  it('refuses a plugin it cannot find, naming it and the directories', async () => {
    const call = invokePlugin({ pluginDirs: [pluginDir], type: 'bridge-nope', command: 'ADD', containerId: 'c', netns: '/n', ifName: 'eth0', config: {} });
    await expect(call).rejects.toMatchObject({ code: 'PLUGIN_NOT_FOUND', message: `CNI plugin bridge-nope not found in ${pluginDir}` });
  });
});
