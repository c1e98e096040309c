export { SpecError, type SpecErrorCode, type SpecIssue } from './errors.js';
export { lazySchema } from './lazy-schema.js';
export {
  absolutePathSchema,
  containerIdSchema,
  containerIdPattern,
  maxContainerIdLength,
  isCleanAbsolutePath,
  isValidContainerId,
} from './paths.js';
export { idMapSchema, idMapsSchema, findIdMapOverlap, maxIdMapRanges, type IdMap } from './id-map.js';
export { capabilitySchema, capabilityOrAllSchema, knownCapabilities, normalizeCapability, type Capability } from './capabilities.js';
export {
  resourcesSchema,
  ulimitSchema,
  knownRlimits,
  minimumMemoryBytes,
  isCpusetList,
  type Resources,
  type Ulimit,
  type RlimitName,
} from './resources.js';
export {
  mountSchema,
  bindMountSchema,
  mountDestinationSchema,
  tmpfsMountSchema,
  deviceSchema,
  mountPropagations,
  type Mount,
  type BindMount,
  type TmpfsMount,
  type MountPropagation,
  type Device,
} from './mount.js';
export {
  namespaceSettingSchema,
  networkSettingSchema,
  namespacesSchema,
  userNamespaceSchema,
  type NamespaceSetting,
  type NetworkSetting,
  type Namespaces,
  type UserNamespace,
} from './namespace-setting.js';
export {
  processConfigSchema,
  parseProcessConfig,
  envEntrySchema,
  userSpecSchema,
  consoleSizeSchema,
  type ProcessConfig,
  type ProcessConfigInput,
  type ConsoleSize,
} from './process-config.js';
export {
  commandSchema,
  parseCommand,
  exitStatusSchema,
  hostnameSchema,
  seccompSettingSchema,
  ociHookSchema,
  ociHooksSchema,
  type Command,
  type CommandInput,
  type ExitStatus,
  type SeccompSetting,
  type OciHook,
  type OciHooks,
} from './command.js';
export {
  runtimeSpecSchema, parseRuntimeSpec, ociVersionSchema, annotationsSchema,
  runtimeProcessSchema, runtimeUserSchema, runtimeRootSchema, runtimeMountSchema, runtimeHookSchema, runtimeHooksSchema,
  runtimeConsoleSizeSchema, linuxCapabilitiesSchema, posixRlimitSchema, posixRlimitTypes, linuxIoPrioritySchema,
  linuxSchedulerSchema, linuxExecCpuAffinitySchema, linuxSchema, linuxNamespaceSchema, linuxIdMappingSchema,
  linuxDeviceSchema, linuxDeviceCgroupSchema, linuxResourcesSchema, linuxMemorySchema, linuxCpuSchema, linuxBlockIoSchema,
  linuxWeightDeviceSchema, linuxThrottleDeviceSchema, linuxHugepageLimitSchema, linuxNetworkSchema, linuxInterfacePrioritySchema,
  linuxPidsSchema, linuxRdmaSchema, linuxSeccompSchema, linuxSyscallSchema, linuxSeccompArgSchema, linuxIntelRdtSchema,
  linuxPersonalitySchema, linuxTimeOffsetSchema, linuxTimeOffsetsSchema, linuxNamespaceTypeSchema, linuxRootfsPropagationSchema,
  linuxSeccompActionSchema, linuxSeccompArchSchema, linuxSeccompFlagSchema, linuxSeccompOperatorSchema,
  linuxSchedulerPolicySchema, linuxSchedulerFlagSchema,
  type RuntimeSpec, type RuntimeProcess, type RuntimeUser, type RuntimeRoot, type RuntimeMount, type RuntimeHook,
  type RuntimeHooks, type RuntimeConsoleSize, type LinuxCapabilities, type PosixRlimit, type LinuxIoPriority,
  type LinuxScheduler, type LinuxExecCpuAffinity, type Linux, type LinuxNamespace, type LinuxIdMapping, type LinuxDevice,
  type LinuxDeviceCgroup, type LinuxResources, type LinuxMemory, type LinuxCpu, type LinuxBlockIo, type LinuxWeightDevice,
  type LinuxThrottleDevice, type LinuxHugepageLimit, type LinuxNetwork, type LinuxInterfacePriority, type LinuxPids,
  type LinuxRdma, type LinuxSeccomp, type LinuxSyscall, type LinuxSeccompArg, type LinuxIntelRdt, type LinuxPersonality,
  type LinuxTimeOffset, type LinuxTimeOffsets, type LinuxNamespaceType, type LinuxRootfsPropagation, type LinuxSeccompAction,
  type LinuxSeccompArch, type LinuxSeccompFlag, type LinuxSeccompOperator, type LinuxSchedulerPolicy, type LinuxSchedulerFlag,
} from './runtime-spec.js';
export {
  containerStateSchema, containerStatusSchema, containerListSchema, parseContainerState, parseContainerList,
  type ContainerState, type ContainerStatus, type ContainerList,
} from './container-state.js';
export { cgroupModeSchema, type CgroupMode } from './cgroup-mode.js';
export { featuresSchema, linuxFeaturesSchema, parseFeatures, type Features, type LinuxFeatures } from './features.js';
export type { WithoutExtensions } from './extensions.js';
