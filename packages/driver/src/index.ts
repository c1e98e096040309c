export { createDriver, type DriverOptions } from './driver.js';
export type {
  BrokenContainer,
  ContainerInfo,
  ContainerIo,
  ContainerStats,
  ContainerStatus,
  ContainerSummary,
  Driver,
  DriverCallback,
  Hooks,
  ListOptions,
  StartedContainer,
  StartOptions,
  DriverRuntimes,
  RuntimeDescription,
} from './driver-types.js';
export {
  chooseDefaultRuntime,
  knownRuntimeNames,
  parseRuntimeVersion,
  runtimeHostProblem,
  runtimeKeepsStopped,
  type KnownRuntimeName,
  type RuntimeVersion,
} from './runtime-choice.js';
export type { ContainerOutput } from './output-fifo.js';
export { DriverError, type DriverErrorCode, type DriverErrorOptions, type RuncFailure } from './errors.js';
export { toDriverError, classifyRuncFailure, fromRuncFailure, type RuncFailureKind } from './to-driver-error.js';
export { Runc, lastRuncLogMessage, runcEnvironment, type RuncIo, type RuncOptions, type RuncProcess } from './runc.js';
export {
  toGlobalArgs,
  toRunArgs,
  toExecArgs,
  toKillArgs,
  toDeleteArgs,
  toStateArgs,
  toPauseArgs,
  toResumeArgs,
  toUpdateArgs,
  type GlobalOptions,
  type RunOptions,
  type ExecOptions,
} from './runc-args.js';
export { normalizeSignal } from './signals.js';
