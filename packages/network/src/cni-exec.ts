import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { CniErrorResult, CniResult } from './cni-types.js';
import { NetworkError } from './errors.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export interface PluginInvocation {
  /** Directories searched for the plugin binary, in order (CNI_PATH). */
  pluginDirs: readonly string[];
  /** The plugin's `type`: its binary's name. */
  type: string;
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  args?: Record<string, string>;
  /** The network configuration given on stdin. */
  config: Record<string, unknown>;
  /** Bound on the plugin's run (default 60 s). */
  timeoutMs?: number;
}

/** The plugin's binary: the first executable `<dir>/<type>`. @throws NetworkError PLUGIN_NOT_FOUND */
export async function findPlugin(pluginDirs: readonly string[], type: string): Promise<string> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(type)) throw new NetworkError('PLUGIN_NOT_FOUND', `invalid CNI plugin type ${JSON.stringify(type)}`, { plugin: type });
  for (const dir of pluginDirs) {
    const path = join(dir, type);
    if (await access(path, constants.X_OK).then(() => true, () => false)) return path;
  }
  throw new NetworkError('PLUGIN_NOT_FOUND', `CNI plugin ${type} not found in ${pluginDirs.join(':')}`, { plugin: type });
}

/** The environment of one plugin call, as the CNI spec names it. */
export function pluginEnvironment(invocation: Omit<PluginInvocation, 'config' | 'type'>): Record<string, string> {
  const environment: Record<string, string> = {
    CNI_COMMAND: invocation.command,
    CNI_CONTAINERID: invocation.containerId,
    CNI_NETNS: invocation.netns,
    CNI_IFNAME: invocation.ifName,
    CNI_PATH: invocation.pluginDirs.join(':'),
  };
  if (invocation.args && Object.keys(invocation.args).length > 0) {
    environment.CNI_ARGS = Object.entries(invocation.args).map(([key, value]) => `${key}=${value}`).join(';');
  }
  return environment;
}

function isErrorResult(value: unknown): value is CniErrorResult {
  return typeof value === 'object' && value !== null && typeof (value as CniErrorResult).code === 'number' && typeof (value as CniErrorResult).msg === 'string';
}

/**
 * Runs one plugin: its binary with the CNI variables, the config JSON on stdin. ADD gives the
 * parsed result; DEL and CHECK give undefined (DEL of something already gone succeeds, as the
 * spec requires of plugins).
 * @throws NetworkError PLUGIN_NOT_FOUND; PLUGIN_FAILED with the plugin's CNI `code` and `msg`; INVALID_RESULT
 */
export async function invokePlugin(invocation: PluginInvocation): Promise<CniResult | undefined> {
  const binary = await findPlugin(invocation.pluginDirs, invocation.type);
  const { stdout, stderr, exitCode, timedOut } = await new Promise<{ stdout: string; stderr: string; exitCode: number | null; timedOut: boolean }>((resolve, reject) => {
    const child = spawn(binary, [], {
      // PATH for the plugins' own helpers (iptables, ip6tables); nothing else of ours leaks in.
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...pluginEnvironment(invocation) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, invocation.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new NetworkError('PLUGIN_FAILED', `CNI plugin ${invocation.type} (${binary}) could not run: ${error.message}`, { plugin: invocation.type }, { cause: error }));
    });
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout: out, stderr: err, exitCode: code, timedOut });
    });
    child.stdin.end(JSON.stringify(invocation.config));
  });
  const where = `CNI plugin ${invocation.type} ${invocation.command} for ${invocation.containerId}`;
  if (timedOut) throw new NetworkError('PLUGIN_FAILED', `${where} timed out after ${invocation.timeoutMs ?? 60_000} ms`, { plugin: invocation.type });
  let parsed: unknown;
  try {
    parsed = stdout.trim() === '' ? undefined : JSON.parse(stdout);
  } catch {
    parsed = undefined;
  }
  if (exitCode !== 0) {
    if (isErrorResult(parsed)) {
      throw new NetworkError('PLUGIN_FAILED', `${where} failed: ${parsed.msg}${parsed.details ? ` (${parsed.details})` : ''} [CNI error ${parsed.code}]`, {
        plugin: invocation.type,
        cniCode: parsed.code,
        cniMessage: parsed.msg,
        ...(parsed.details ? { cniDetails: parsed.details } : {}),
      });
    }
    const text = (stderr.trim() || stdout.trim()).split('\n').at(-1) ?? '';
    throw new NetworkError('PLUGIN_FAILED', `${where} exited with ${exitCode}${text ? `: ${text}` : ''}`, { plugin: invocation.type });
  }
  if (invocation.command !== 'ADD') return undefined;
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as CniResult).cniVersion !== 'string') {
    throw new NetworkError('INVALID_RESULT', `${where} printed no CNI result: ${JSON.stringify(stdout.slice(0, 200))}`, { plugin: invocation.type });
  }
  return parsed as CniResult;
}
