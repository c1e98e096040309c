export { createBusyboxRootfs, temporaryBusyboxRootfs, hostBusybox } from './rootfs.js';
export { canRunContainers, createRuncRoot, uniqueId, runBundle, type RunResult } from './runc.js';
export { findLeftovers, removeCgroupDirs } from './leaks.js';
export { officialValidator, officialSchemaRoot, referenceFile, type OfficialVersion, type SchemaCheck } from './schemas.js';
export { v2vmTool, type V2vmTool } from './v2vm.js';
export { readmeExample, checkReadmeExample, type ReadmeExampleResult } from './readme.js';
export { bridgeRuleLines, networkLeftovers, removeTestBridge } from './network-leaks.js';
