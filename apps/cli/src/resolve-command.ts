import { readFile } from 'node:fs/promises';
import { resolveUserNamespaceRemap, NamespaceError } from '@execdriver/namespaces';
import { parseCommand, SpecError, type Command, type CommandInput } from '@execdriver/spec';
import { usageError } from './errors.js';
import { parseEnvFile, type CommandDraft, type ParsedRun } from './run-flags.js';

export interface ResolveRunOptions {
  hostEnv?: Readonly<Record<string, string | undefined>>;
  readTextFile?: (path: string) => Promise<string>;
  /** /etc of the host, for --userns-remap (default /etc). */
  etcRoot?: string;
}

const flagOfPath: readonly [RegExp, string][] = [
  [/^id$/, '--name'],
  [/^process\.args/, 'COMMAND'],
  [/^process\.env/, '--env'],
  [/^process\.user/, '--user'],
  [/^process\.workingDir/, '--workdir'],
  [/^hostname/, '--hostname'],
  [/^resources\.memorySwappiness/, '--memory-swappiness'],
  [/^resources\.memorySwap/, '--memory-swap'],
  [/^resources\.memoryReservation/, '--memory-reservation'],
  [/^resources\.kernelMemory/, '--kernel-memory'],
  [/^resources\.memory/, '--memory'],
  [/^resources\.cpusetCpus/, '--cpuset-cpus'],
  [/^resources\.cpusetMems/, '--cpuset-mems'],
  [/^resources\.cpuShares/, '--cpu-shares'],
  [/^resources\.cpuPeriod/, '--cpu-period'],
  [/^resources\.cpuQuota/, '--cpu-quota'],
  [/^resources\.cpus/, '--cpus'],
  [/^resources\.blkioWeight/, '--blkio-weight'],
  [/^resources\.pidsLimit/, '--pids-limit'],
  [/^resources\.ulimits/, '--ulimit'],
  [/^mounts/, '--volume/--mount/--tmpfs'],
  [/^devices/, '--device'],
  [/^capAdd/, '--cap-add'],
  [/^capDrop/, '--cap-drop'],
  [/^groupAdd/, '--group-add'],
  [/^sysctls/, '--sysctl'],
  [/^cgroupParent/, '--cgroup-parent'],
  [/^seccomp/, '--security-opt seccomp'],
  [/^appArmorProfile/, '--security-opt apparmor'],
  [/^selinux/, '--security-opt label'],
  [/^oomScoreAdj/, '--oom-score-adj'],
  [/^namespaces\.network/, '--network'],
  [/^namespaces\.ipc/, '--ipc'],
  [/^namespaces\.pid/, '--pid'],
  [/^namespaces\.uts/, '--uts'],
  [/^userNamespace/, '--userns-remap'],
];

/**
 * Checks a Command with the spec's schema; the first problem becomes one line naming the flag and
 * the value as the user typed it (`flagTexts`: `--memory` -> `4k`), else the value checked.
 */
export function validateCommand(input: CommandInput, flagTexts: Readonly<Record<string, string>> = {}): Command {
  try {
    return parseCommand(input);
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    const issue = error.issues[0];
    if (!issue) throw usageError(error.message.replace(/\s*\n\s*/g, '; '));
    const flag = flagOfPath.find(([pattern]) => pattern.test(issue.path))?.[1] ?? issue.path;
    const typed = flagTexts[flag];
    const value = typed !== undefined ? `${JSON.stringify(typed)} ` : 'value' in issue ? `${JSON.stringify(issue.value)} ` : '';
    throw usageError(`invalid value ${value}for ${flag.startsWith('-') ? `flag ${flag}` : flag}: ${issue.message}`);
  }
}

/** Converts a Docker seccomp profile (moby's format, `archMap`) to the OCI `linux.seccomp` shape the Command carries. */
export function toOciSeccompProfile(path: string, text: string): Record<string, unknown> & { defaultAction: string } {
  let profile: unknown;
  try {
    profile = JSON.parse(text);
  } catch (error) {
    throw usageError(`invalid value ${JSON.stringify(path)} for flag --security-opt seccomp: not JSON (${(error as Error).message})`);
  }
  if (typeof profile !== 'object' || profile === null || typeof (profile as { defaultAction?: unknown }).defaultAction !== 'string') {
    throw usageError(`invalid value ${JSON.stringify(path)} for flag --security-opt seccomp: the profile needs a defaultAction`);
  }
  const { archMap, ...rest } = profile as Record<string, unknown> & { defaultAction: string; archMap?: { architecture: string; subArchitectures?: string[] }[] };
  if (Array.isArray(archMap) && rest.architectures === undefined) {
    rest.architectures = archMap.flatMap((entry) => [entry.architecture, ...(entry.subArchitectures ?? [])]);
  }
  return rest;
}

/**
 * Completes a parsed `run` as far as the CLI can: `--env-file` contents (before `-e` values, which
 * win, as Docker), the `--userns-remap` mappings and the `--security-opt seccomp=FILE` profile.
 * The engine then adds the id, the root filesystem and the image's defaults, and checks the whole
 * with `validateCommand` (so messages name the flags).
 */
export async function completeRunDraft(parsed: ParsedRun, options: ResolveRunOptions = {}): Promise<CommandDraft> {
  const readTextFile = options.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
  const { command, cliOptions } = parsed;
  const read = async (flag: string, path: string) => {
    try {
      return await readTextFile(path);
    } catch (error) {
      throw usageError(`invalid value ${JSON.stringify(path)} for flag ${flag}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  };
  const fileEnv: string[] = [];
  for (const path of cliOptions.envFiles) fileEnv.push(...parseEnvFile(path, await read('--env-file', path), options.hostEnv ?? {}));
  const draft: CommandDraft = { ...command, process: { ...command.process, env: [...fileEnv, ...(command.process.env ?? [])] } };
  if (cliOptions.seccompProfileFile !== undefined) {
    draft.seccomp = { mode: 'custom', profile: toOciSeccompProfile(cliOptions.seccompProfileFile, await read('--security-opt seccomp', cliOptions.seccompProfileFile)) };
  }
  if (cliOptions.usernsRemap !== undefined) {
    try {
      const remap = await resolveUserNamespaceRemap(cliOptions.usernsRemap, { etcRoot: options.etcRoot ?? '/etc', createDefaultUser: true });
      draft.userNamespace = { uidMappings: remap.uidMappings, gidMappings: remap.gidMappings };
    } catch (error) {
      if (error instanceof NamespaceError) throw usageError(`invalid value ${JSON.stringify(cliOptions.usernsRemap)} for flag --userns-remap: ${error.message}`);
      throw error;
    }
  }
  return draft;
}
