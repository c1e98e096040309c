export { SpecError, type SpecErrorCode, type SpecIssue } from './errors.js';
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
