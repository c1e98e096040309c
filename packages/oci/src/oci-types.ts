// The OCI runtime config types createRuntimeSpec writes, from @execdriver/spec (runtime-spec
// v1.0.2 .. v1.2.1, Linux), under the names this package has used since before they were exported.
import type {
  Features,
  RuntimeHook,
  RuntimeHooks,
  RuntimeMount,
  RuntimeProcess,
  RuntimeUser,
  LinuxCapabilities,
  PosixRlimit,
} from '@execdriver/spec';

export type {
  RuntimeSpec,
  Linux,
  LinuxCpu,
  LinuxDevice,
  LinuxDeviceCgroup,
  LinuxIdMapping,
  LinuxMemory,
  LinuxNamespace,
  LinuxResources,
  LinuxSeccomp,
} from '@execdriver/spec';

export type OciProcess = RuntimeProcess;
export type OciMount = RuntimeMount;
export type OciUser = RuntimeUser;
export type OciCapabilities = LinuxCapabilities;
export type OciRlimit = PosixRlimit;
export type OciHook = RuntimeHook;
export type OciHooks = RuntimeHooks;
/** What `runc features` prints (runtime-spec features.md); absent with runc 1.1.5, which has no `features` command. */
export type RuntimeFeatures = Features;
