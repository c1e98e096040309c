import { invokePlugin } from './cni-exec.js';
import type { CniConfigList, CniPluginConfig, CniResult, CniRuntimeConf } from './cni-types.js';

export interface CniListOptions {
  pluginDirs: readonly string[];
  timeoutMs?: number;
}

/**
 * One plugin's stdin, as libcni builds it: the list's `name` and `cniVersion`, the plugin's own
 * keys, `runtimeConfig` with the capability arguments the plugin declares, and `prevResult`.
 */
export function pluginStdin(list: CniConfigList, plugin: CniPluginConfig, runtime: CniRuntimeConf, prevResult: CniResult | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, enabled] of Object.entries(plugin.capabilities ?? {})) {
    if (enabled && runtime.capabilityArgs?.[capability] !== undefined) runtimeConfig[capability] = runtime.capabilityArgs[capability];
  }
  if (Object.keys(runtimeConfig).length > 0) config.runtimeConfig = runtimeConfig;
  if (prevResult !== undefined) config.prevResult = prevResult;
  return config;
}

function call(list: CniConfigList, plugin: CniPluginConfig, runtime: CniRuntimeConf, command: 'ADD' | 'DEL' | 'CHECK', prevResult: CniResult | undefined, options: CniListOptions) {
  return invokePlugin({
    pluginDirs: options.pluginDirs,
    type: plugin.type,
    command,
    containerId: runtime.containerId,
    netns: runtime.netns,
    ifName: runtime.ifName,
    ...(runtime.args ? { args: runtime.args } : {}),
    config: pluginStdin(list, plugin, runtime, prevResult),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/**
 * ADD through the list, each plugin getting the previous one's result; the last result is the
 * list's. When a plugin fails, the ones before it are deleted again (in reverse) and the error
 * is thrown, so a failed ADD leaves nothing.
 */
export async function addNetworkList(list: CniConfigList, runtime: CniRuntimeConf, options: CniListOptions): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const plugin of list.plugins) {
    try {
      result = (await call(list, plugin, runtime, 'ADD', result, options)) ?? result;
    } catch (error) {
      await deleteNetworkList(list, runtime, result, options).catch(() => undefined);
      throw error;
    }
  }
  return result ?? { cniVersion: list.cniVersion };
}

/**
 * DEL through the list in reverse order with the ADD's result as `prevResult`. Every plugin is
 * called even when one fails; the first failure is thrown at the end.
 */
export async function deleteNetworkList(list: CniConfigList, runtime: CniRuntimeConf, prevResult: CniResult | undefined, options: CniListOptions): Promise<void> {
  let first: unknown;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await call(list, plugin, runtime, 'DEL', prevResult, options);
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

/** CHECK through the list in order with the ADD's result. @throws NetworkError PLUGIN_FAILED */
export async function checkNetworkList(list: CniConfigList, runtime: CniRuntimeConf, prevResult: CniResult, options: CniListOptions): Promise<void> {
  if (list.disableCheck) return;
  for (const plugin of list.plugins) await call(list, plugin, runtime, 'CHECK', prevResult, options);
}
