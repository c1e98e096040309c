export { NetworkError, type NetworkErrorCode, type NetworkErrorDetails } from './errors.js';
export type { CniConfigList, CniDns, CniErrorResult, CniInterface, CniIpConfig, CniPluginConfig, CniPortMapping, CniResult, CniRoute, CniRuntimeConf } from './cni-types.js';
export { findPlugin, invokePlugin, pluginEnvironment, type CniCommand, type PluginInvocation } from './cni-exec.js';
export { addNetworkList, checkNetworkList, deleteNetworkList, pluginStdin, type CniListOptions } from './cni-list.js';
export { createNetns, deleteNetns, listNetns, type NetnsOptions } from './netns.js';
export { chooseSubnet, formatSubnet, parseSubnet, subnetsOverlap, type Ipv4Subnet } from './cidr.js';
export { NetworkStore, networkNamePattern, type NetworkDriver, type NetworkRecord } from './network-store.js';
export { AttachmentStore, type Attachment, type Endpoint } from './attachment.js';
export { bridgeConflist, loopbackConflist } from './bridge-conflist.js';
export { bridgeRuleComment, bridgeRules, ensureBridgeRules, removeBridgeRules, type BridgeRule, type BridgeRuleInput } from './bridge-rules.js';
export { bridgeHostsContent, parseExtraHost, resolvConfWith } from './hosts-file.js';
export { formatBinding, freePort, parseExposed, parsePublish, portAvailable, type PortBinding, type PortProtocol, type PortRequest } from './ports.js';
export {
  NetworkManager,
  endpointFromResult,
  predefinedNetworks,
  type AttachRequest,
  type CreateNetworkRequest,
  type NetworkJoin,
  type NetworkManagerOptions,
} from './network-manager.js';
