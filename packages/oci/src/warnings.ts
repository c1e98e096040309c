/** Why a setting of the Command could not apply as asked on this host. */
export type RuntimeSpecWarningCode =
  /** Kernel memory limits: none on cgroup v2; runc 1.1+ ignores them on v1 too. */
  | 'KERNEL_MEMORY_IGNORED'
  /** memory.swappiness exists only on cgroup v1. */
  | 'SWAPPINESS_UNSUPPORTED'
  /** memory.oom_control (disabling the OOM killer) exists only on cgroup v1. */
  | 'OOM_KILL_DISABLE_UNSUPPORTED'
  /** No I/O scheduler with weights (BFQ) on this host: a blkio weight would be refused. */
  | 'BLKIO_WEIGHT_UNSUPPORTED'
  /** Capabilities the runtime does not know (per `runc features`); left out of the config. */
  | 'CAPABILITY_UNKNOWN_TO_RUNTIME'
  /** The runtime has no seccomp support (per `runc features`): the default policy is left out. */
  | 'SECCOMP_UNSUPPORTED'
  /** Joining another container's IPC namespace without its /dev/shm on the host: /dev/shm is not shared. */
  | 'SHM_NOT_SHARED'
  /**
   * AppArmor or SELinux is off (options.lsm: the setting is left out, as Docker does; or the
   * runtime's features: the runtime will refuse it) while the Command sets a profile or label.
   */
  | 'LSM_DISABLED';

/** A setting that did not make it into the config as asked, for the caller to show. */
export interface RuntimeSpecWarning {
  code: RuntimeSpecWarningCode;
  /** The Command field, dotted (`resources.kernelMemory`). */
  field: string;
  message: string;
}
