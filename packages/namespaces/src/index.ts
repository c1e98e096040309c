export { NamespaceError, type NamespaceErrorCode } from './errors.js';
export { idMapSchema, idMapsSchema, findIdMapOverlap, maxIdMapRanges, type IdMap } from '@execdriver/spec';
export {
  parsePasswd,
  parseGroup,
  readPasswd,
  readGroup,
  findUser,
  findGroup,
  type PasswdEntry,
  type GroupEntry,
} from './passwd.js';
export { readPasswdInRootfs, readGroupInRootfs, resolveInRootfs } from './rootfs-path.js';
export {
  namespacePath,
  namespaceInode,
  namespaceKinds,
  supportedNamespaceKinds,
  parseNamespaceLink,
  type NamespaceKind,
} from './namespace-kind.js';
export { toOciNamespaces, type OciNamespace, type ToOciNamespacesOptions } from './oci-namespaces.js';
export { validateIdMaps, toHostId, toContainerId, parseIdMap, formatIdMap, readIdMap, writeIdMap, type IdMapKind } from './id-map.js';
export { parseSubordinateIds, subordinateRanges, type SubordinateRange, type SubordinateKind } from './subordinate-ids.js';
export {
  resolveUserNamespaceRemap,
  toIdMaps,
  findFreeRange,
  defaultRemapUser,
  type UserNamespaceRemap,
  type ResolveRemapOptions,
  type RunCommand,
} from './userns-remap.js';
export {
  chownTreeToMapping,
  type TreeMapping,
  type ChownTreeOptions,
  type ChownTreeResult,
  type ChownProgress,
} from './chown-tree.js';
