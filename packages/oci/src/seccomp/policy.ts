import type { SeccompArchitecture } from './architecture.js';

/**
 * What the kernel does with a matching system call. `errno` fails it with `errnoRet` (or the
 * policy's `defaultErrnoRet`); `kill` is libseccomp's thread kill, `kill-process` the whole process.
 */
export type SeccompAction = 'allow' | 'errno' | 'kill' | 'kill-process' | 'kill-thread' | 'trap' | 'trace' | 'log';

/** Comparison of one system call argument (index 0-5) with a constant, as unsigned 64-bit numbers. */
export type SeccompArgumentCondition =
  | { index: number; op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; value: number }
  /** True when `(argument & mask) === value`. */
  | { index: number; op: 'masked-eq'; mask: number; value: number };

/**
 * When a rule applies. In `includes`, every listed capability must be in the container's bounding
 * set and the container's native architecture must be one of those listed. In `excludes`, any
 * listed capability held, or the native architecture listed, removes the rule.
 */
export interface SeccompRuleCondition {
  capabilities?: readonly string[];
  architectures?: readonly SeccompArchitecture[];
}

/** One rule of a {@link SeccompPolicy}. */
export interface SeccompRule {
  /** System call names as the kernel (and libseccomp) spell them; names unknown to the host are ignored by runc. */
  names: readonly string[];
  action: SeccompAction;
  /** The errno for `errno` (and `trace`) rules; the policy's `defaultErrnoRet` when absent. */
  errnoRet?: number;
  /**
   * All conditions must hold. Compare each argument at most once per rule: runc splits repeated
   * comparisons of one argument into separate rules (OR), so write one rule per allowed range.
   */
  args?: readonly SeccompArgumentCondition[];
  /** `major.minor`: the rule applies only on this kernel or newer. */
  minKernel?: string;
  includes?: SeccompRuleCondition;
  excludes?: SeccompRuleCondition;
  /** Why the rule exists: kept with the policy, not emitted into the OCI config. */
  reason?: string;
}

/**
 * A seccomp policy in execdriver's own format: a default action for every system call no rule
 * matches, and rules that apply depending on the container's architecture, capabilities and
 * kernel. {@link resolveSeccompPolicy} turns it into one container's OCI `linux.seccomp`.
 */
export interface SeccompPolicy {
  defaultAction: SeccompAction;
  /** The errno of the default action when it is `errno` (1 = EPERM). */
  defaultErrnoRet?: number;
  rules: SeccompRule[];
}
