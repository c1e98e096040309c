export { createDriver, type DriverOptions } from './driver.js';
export type {
  ContainerInfo,
  ContainerIo,
  ContainerStats,
  ContainerStatus,
  ContainerSummary,
  Driver,
  DriverCallback,
  Hooks,
  StartedContainer,
  StartOptions,
} from './driver-types.js';
export { DriverError, type DriverErrorCode, type RuncFailure } from './errors.js';
export { Runc, lastRuncLogMessage, type RuncOptions } from './runc.js';
export {
  toGlobalArgs,
  toRunArgs,
  toExecArgs,
  toKillArgs,
  toDeleteArgs,
  type GlobalOptions,
  type RunOptions,
  type ExecOptions,
} from './runc-args.js';
export { normalizeSignal } from './signals.js';
