export { OciError, type OciErrorCode } from './errors.js';
export { createRuntimeSpec, defaultOciVersion, type RuntimeSpecOptions, type RuntimeSpecResult } from './runtime-spec.js';
export type { RuntimeSpecWarning, RuntimeSpecWarningCode } from './warnings.js';
export {
  defaultCapabilities,
  defaultMaskedPaths,
  defaultReadonlyPaths,
  defaultMounts,
  defaultDeviceRules,
  defaultEnvironment,
  defaultPath,
  defaultShmSizeBytes,
} from './defaults.js';
export { containerCapabilities, toOciCapabilities, capabilitiesFromMask } from './capabilities.js';
export { serializeRuntimeSpec } from './serialize.js';
export { rlimitInfinity, toLinuxResources, toOciRlimits, cpusPeriodMicroseconds, checkCpusOnline, type CgroupMode, type ResourcesContext } from './resources.js';
export { toOciMount, toOciMounts, rootfsPropagationFor, type MountsContext, type EtcFiles } from './mounts.js';
export { toOciSysctls, defaultNetworkSysctls } from './sysctls.js';
export { hostsFileContent, resolvConfContent, hostnameFileContent, defaultNameservers, type EtcNetworkMode } from './etc-files.js';
export { listHostDevices } from './host-devices.js';
export { detectLsm, type LsmSupport } from './lsm.js';
export { readOnlineCpus, parseCpuList, formatCpuList } from './online-cpus.js';
export { toCgroupsPath, defaultCgroupsPathPrefix } from './cgroups-path.js';
export { resolveUser, numericUser, needsUserLookup, type ResolvedUser } from './user.js';
export { resolveDevices, splitDeviceNumber, deviceRule } from './devices.js';
export {
  defaultSeccompPolicy,
  resolveSeccompPolicy,
  seccompArchitectures,
  parseSeccompArchitecture,
  type SeccompContext,
  type SeccompArchitecture,
  type SeccompPolicy,
  type SeccompRule,
  type SeccompRuleCondition,
  type SeccompAction,
  type SeccompArgumentCondition,
} from './seccomp/index.js';
