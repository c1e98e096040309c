/** What went wrong, as a stable string a caller can switch on. */
export type OciErrorCode =
  /** A Command field that cannot be expressed as an OCI config (wrong shape, conflicting settings). */
  | 'INVALID_COMMAND'
  /** An option passed to createRuntimeSpec is missing or does not fit the Command. */
  | 'INVALID_OPTIONS'
  /** A sysctl that is not namespaced (only net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* are). */
  | 'SYSCTL_NOT_NAMESPACED'
  /** A net.* sysctl with the host's network namespace. */
  | 'SYSCTL_HOST_NETWORK'
  /** An IPC sysctl (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*) with the host's IPC namespace. */
  | 'SYSCTL_HOST_IPC'
  /** A container whose namespace was asked for is not known or not running. */
  | 'CONTAINER_NOT_FOUND'
  /** A namespace combination or kind the kernel refuses or lacks. */
  | 'INVALID_NAMESPACES'
  /** A user name or uid not in the root filesystem's /etc/passwd. */
  | 'USER_NOT_FOUND'
  /** A group name or gid not in the root filesystem's /etc/group. */
  | 'GROUP_NOT_FOUND'
  /** A device path that does not exist on the host or is not a device node. */
  | 'DEVICE_NOT_FOUND'
  /** A resource setting the host cannot give (cpus above the CPUs online, a cpuset naming an offline CPU). */
  | 'INVALID_RESOURCES'
  /** A capability in capAdd that this runtime's bounding set lacks (options.availableCapabilities). */
  | 'CAPABILITY_UNAVAILABLE'
  /** The runtime (per its features) cannot do what the Command asks. */
  | 'UNSUPPORTED'
  /** A file of the root filesystem or the host could not be read. */
  | 'READ_FAILED';

/** The one error class of `@execdriver/oci`. */
export class OciError extends Error {
  override readonly name = 'OciError';
  readonly code: OciErrorCode;
  /** The offending Command field as a dotted path (`sysctls.kernel.domainname`, `process.user`), when there is one. */
  readonly field: string | undefined;
  /** The offending value, when there is one. */
  readonly value: unknown;

  constructor(code: OciErrorCode, message: string, options: { field?: string; value?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.value = options.value;
  }
}
