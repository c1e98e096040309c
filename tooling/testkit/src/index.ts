export { createBusyboxRootfs, temporaryBusyboxRootfs } from './rootfs.js';
export { createRuncRoot, uniqueId, runBundle, type RunResult } from './runc.js';
export { findLeftovers, removeCgroupDirs } from './leaks.js';
export { officialValidator, officialSchemaRoot, type OfficialVersion, type SchemaCheck } from './schemas.js';
