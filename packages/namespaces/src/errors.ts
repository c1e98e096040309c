/** What went wrong, as a stable string a caller can switch on. */
export type NamespaceErrorCode =
  /** A text file (/etc/passwd, /etc/group, /etc/subuid, uid_map) has a line that does not parse. */
  | 'INVALID_FORMAT'
  /** An ID mapping is invalid: overlap, size 0, beyond 2^32-1, too many ranges. */
  | 'INVALID_ID_MAP'
  /** An id has no range in the mapping. */
  | 'ID_NOT_MAPPED'
  /** A container id the caller's lookup does not know. */
  | 'CONTAINER_NOT_FOUND'
  /** /proc/<pid> (or its ns entry) does not exist: the process is gone. */
  | 'PROCESS_NOT_FOUND'
  /** The kernel has no such namespace kind. */
  | 'UNSUPPORTED_NAMESPACE'
  /** Namespace settings the kernel (or runc) would refuse together. */
  | 'INVALID_NAMESPACE_COMBINATION'
  /** A `--userns-remap` style spec that does not parse. */
  | 'INVALID_REMAP_SPEC'
  /** A user name or uid not in /etc/passwd. */
  | 'USER_NOT_FOUND'
  /** A group name or gid not in /etc/group. */
  | 'GROUP_NOT_FOUND'
  /** The user or group has no ranges in /etc/subuid or /etc/subgid. */
  | 'NO_SUBORDINATE_IDS'
  /** useradd / usermod failed. */
  | 'USER_CREATION_FAILED'
  /** A path inside a root filesystem could not be resolved (symlink loop, not a directory). */
  | 'PATH_RESOLUTION_FAILED'
  /** A file could not be read for a reason other than its absence. */
  | 'READ_FAILED'
  /** lchown / chmod / setxattr on a file of the tree failed. */
  | 'CHOWN_FAILED'
  /** The root filesystem was already prepared for a different mapping. */
  | 'ALREADY_MAPPED'
  /** A helper program (getcap, setcap) is missing or failed. */
  | 'TOOL_FAILED'
  /** The caller's AbortSignal fired. */
  | 'ABORTED';

/** The one error class of `@execdriver/namespaces`. */
export class NamespaceError extends Error {
  override readonly name = 'NamespaceError';
  readonly code: NamespaceErrorCode;
  /** The offending value, path or id, when there is one. */
  readonly value: unknown;

  constructor(code: NamespaceErrorCode, message: string, options: { value?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.value = options.value;
  }
}

/** True for a Node fs error with the given code (ENOENT, ENOTDIR...). */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && 'code' in error && codes.includes(String((error as NodeJS.ErrnoException).code));
}
