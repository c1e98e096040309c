export { defaultSeccompPolicy } from './default-policy.js';
export { resolveSeccompPolicy, type SeccompContext } from './resolve.js';
export {
  seccompArchitectures,
  parseSeccompArchitecture,
  type SeccompArchitecture,
} from './architecture.js';
export type {
  SeccompPolicy,
  SeccompRule,
  SeccompRuleCondition,
  SeccompAction,
  SeccompArgumentCondition,
} from './policy.js';
export type { LinuxSeccomp, LinuxSyscall, LinuxSeccompArg, LinuxSeccompArch, LinuxSeccompAction } from './oci-seccomp.js';
