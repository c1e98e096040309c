import { normalizeCapability } from '@execdriver/spec';
import { OciError } from '../errors.js';
import { filterArchitectures, parseSeccompArchitecture, type SeccompArchitecture } from './architecture.js';
import type { LinuxSeccomp, LinuxSeccompAction, LinuxSeccompArg, LinuxSyscall } from './oci-seccomp.js';
import type { SeccompAction, SeccompArgumentCondition, SeccompPolicy, SeccompRule } from './policy.js';

/** The facts about one container that decide which rules of a policy apply. */
export interface SeccompContext {
  /** Node's `process.arch` (`x64`, `arm64`, ...), a `GOARCH` (`amd64`), `uname -m` or `SCMP_ARCH_*`. */
  architecture: string;
  /** The container's bounding set, `CAP_X` form (other spellings are normalised). */
  capabilities: readonly string[];
  /**
   * The host kernel release (`os.release()`, e.g. `6.1.0-18-amd64`) for rules with `minKernel`.
   * When absent, every `minKernel` counts as met: the oldest in the default policy is 4.8 (2016).
   */
  kernelVersion?: string;
}

const ociActions: Readonly<Record<SeccompAction, LinuxSeccompAction>> = {
  allow: 'SCMP_ACT_ALLOW',
  errno: 'SCMP_ACT_ERRNO',
  kill: 'SCMP_ACT_KILL',
  'kill-process': 'SCMP_ACT_KILL_PROCESS',
  'kill-thread': 'SCMP_ACT_KILL_THREAD',
  trap: 'SCMP_ACT_TRAP',
  trace: 'SCMP_ACT_TRACE',
  log: 'SCMP_ACT_LOG',
};

const ociOperators = {
  eq: 'SCMP_CMP_EQ',
  ne: 'SCMP_CMP_NE',
  lt: 'SCMP_CMP_LT',
  le: 'SCMP_CMP_LE',
  gt: 'SCMP_CMP_GT',
  ge: 'SCMP_CMP_GE',
} as const;

/** The errno that `action` returns, or undefined for actions that return none. */
function errnoOf(action: SeccompAction, errnoRet: number | undefined, fallback: number | undefined): number | undefined {
  if (action !== 'errno' && action !== 'trace') return undefined;
  return errnoRet ?? fallback;
}

/**
 * Turns a {@link SeccompPolicy} into the OCI `linux.seccomp` object for one container: keeps the
 * rules whose `includes` / `excludes` / `minKernel` fit its architecture, capabilities and kernel,
 * lists the native architecture with the ones its processes can also use (x86_64 with x86 and x32,
 * aarch64 with arm, s390x with s390, ...), and merges rules with the same action and arguments.
 * Rules that only repeat the default action, and argument-filtered names that another rule already
 * gives the same action unconditionally, are left out (they would change nothing).
 * Throws OciError `UNSUPPORTED` for an unknown architecture and `INVALID_OPTIONS` for a policy
 * runc would misread (the same argument compared twice in one rule, conflicting unconditional
 * actions for one name, a malformed `minKernel`).
 */
export function resolveSeccompPolicy(policy: SeccompPolicy, context: SeccompContext): LinuxSeccomp {
  const architecture = parseSeccompArchitecture(context.architecture);
  if (architecture === undefined) {
    throw new OciError('UNSUPPORTED', `seccomp: unknown architecture ${JSON.stringify(context.architecture)}`, {
      field: 'architecture',
      value: context.architecture,
    });
  }
  const capabilities = new Set(context.capabilities.map((name) => normalizeCapability(name) ?? name.trim().toUpperCase()));
  const kernel = context.kernelVersion === undefined ? undefined : parseKernelVersion(context.kernelVersion, 'kernelVersion');
  const defaultErrno = errnoOf(policy.defaultAction, policy.defaultErrnoRet, undefined);

  const applicable = policy.rules.filter((rule, index) => {
    checkRule(rule, index);
    return applies(rule, architecture, capabilities, kernel, index);
  });

  // One entry per action + arguments, in the order of first appearance (the socketcall denial
  // stays before the socket rules). Entries repeating the default action are kept for the
  // conflict check below but not emitted.
  const entries = new Map<string, Entry>();
  for (const rule of applicable) {
    const errno = errnoOf(rule.action, rule.errnoRet, policy.defaultErrnoRet);
    const key = actionKey(rule.action, errno);
    const args = rule.args !== undefined && rule.args.length > 0 ? rule.args.map(toOciArgument) : undefined;
    const entryKey = args === undefined ? key : `${key} ${JSON.stringify(args)}`;
    let entry = entries.get(entryKey);
    if (entry === undefined) {
      const syscall: LinuxSyscall = { names: [], action: ociActions[rule.action] };
      if (errno !== undefined) syscall.errnoRet = errno;
      if (args !== undefined) syscall.args = args;
      const repeatsDefault = rule.action === policy.defaultAction && errno === defaultErrno;
      entry = { syscall, key, names: new Set(), filtered: args !== undefined, repeatsDefault };
      entries.set(entryKey, entry);
    }
    for (const name of rule.names) entry.names.add(name);
  }

  // A name with two different unconditional actions is a policy error; a name with an
  // unconditional action makes argument-filtered rules with the same action moot.
  const unconditional = [...entries.values()].filter((entry) => !entry.filtered);
  for (const [position, entry] of unconditional.entries()) {
    for (const other of unconditional.slice(position + 1)) {
      const [small, large] = entry.names.size <= other.names.size ? [entry, other] : [other, entry];
      for (const name of small.names) {
        if (large.names.has(name)) {
          throw new OciError('INVALID_OPTIONS', `seccomp: ${name} gets both ${entry.key} and ${other.key} without conditions`, {
            field: 'seccomp.rules',
            value: name,
          });
        }
      }
    }
  }
  const syscalls: LinuxSyscall[] = [];
  for (const entry of entries.values()) {
    if (entry.repeatsDefault) continue;
    let names = [...entry.names];
    if (entry.filtered) {
      const moot = unconditional.find((candidate) => candidate.key === entry.key)?.names;
      if (moot !== undefined) names = names.filter((name) => !moot.has(name));
    }
    if (names.length > 0) syscalls.push({ ...entry.syscall, names });
  }

  return {
    defaultAction: ociActions[policy.defaultAction],
    ...(defaultErrno === undefined ? {} : { defaultErrnoRet: defaultErrno }),
    architectures: filterArchitectures(architecture),
    syscalls,
  };
}

interface Entry {
  syscall: LinuxSyscall;
  /** Action and errno, e.g. `allow` or `errno(38)`. */
  key: string;
  names: Set<string>;
  filtered: boolean;
  repeatsDefault: boolean;
}

function actionKey(action: SeccompAction, errno: number | undefined): string {
  return errno === undefined ? action : `${action}(${errno})`;
}

function toOciArgument(condition: SeccompArgumentCondition): LinuxSeccompArg {
  if (condition.op === 'masked-eq') {
    return { index: condition.index, value: condition.mask, valueTwo: condition.value, op: 'SCMP_CMP_MASKED_EQ' };
  }
  return { index: condition.index, value: condition.value, op: ociOperators[condition.op] };
}

function checkRule(rule: SeccompRule, index: number): void {
  const field = () => `seccomp.rules.${index}`;
  if (rule.names.length === 0) {
    throw new OciError('INVALID_OPTIONS', `seccomp: rule ${index} names no system call`, { field: field(), value: rule });
  }
  const seen: number[] = [];
  for (const condition of rule.args ?? []) {
    if (!Number.isInteger(condition.index) || condition.index < 0 || condition.index > 5) {
      throw new OciError('INVALID_OPTIONS', `seccomp: rule ${index} (${rule.names.join(', ')}) compares argument ${condition.index}; system calls have arguments 0 to 5`, {
        field: field(),
        value: condition,
      });
    }
    // runc turns repeated comparisons of one argument into separate rules, so `a > 1 && a < 5` would allow everything.
    if (seen.includes(condition.index)) {
      throw new OciError(
        'INVALID_OPTIONS',
        `seccomp: rule ${index} (${rule.names.join(', ')}) compares argument ${condition.index} twice; runc would OR the comparisons: write one rule per range`,
        { field: field(), value: rule.args },
      );
    }
    seen.push(condition.index);
  }
  if (rule.minKernel !== undefined) parseKernelVersion(rule.minKernel, `${field()}.minKernel`);
}

function applies(
  rule: SeccompRule,
  architecture: SeccompArchitecture,
  capabilities: ReadonlySet<string>,
  kernel: readonly [number, number] | undefined,
  index: number,
): boolean {
  const holds = (name: string) => capabilities.has(normalizeCapability(name) ?? name);
  const { includes, excludes } = rule;
  if (includes?.architectures !== undefined && !includes.architectures.includes(architecture)) return false;
  if (includes?.capabilities !== undefined && !includes.capabilities.every(holds)) return false;
  if (excludes?.architectures?.includes(architecture)) return false;
  if (excludes?.capabilities?.some(holds)) return false;
  if (rule.minKernel !== undefined && kernel !== undefined) {
    const [major, minor] = parseKernelVersion(rule.minKernel, `seccomp.rules.${index}.minKernel`);
    if (kernel[0] < major || (kernel[0] === major && kernel[1] < minor)) return false;
  }
  return true;
}

/** `6.1.0-18-amd64` -> [6, 1]. */
function parseKernelVersion(text: string, field: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(text.trim());
  if (match === null) {
    throw new OciError('INVALID_OPTIONS', `seccomp: ${JSON.stringify(text)} is not a kernel version (major.minor)`, { field, value: text });
  }
  return [Number(match[1]), Number(match[2])];
}
