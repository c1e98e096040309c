/** What went wrong, as a string literal naming the value involved. */
export type NetworkErrorCode =
  | 'PLUGIN_NOT_FOUND'
  | 'PLUGIN_FAILED'
  | 'PORT_IN_USE'
  | 'NO_SUCH_NETWORK'
  | 'NETWORK_EXISTS'
  | 'NETWORK_IN_USE'
  | 'AMBIGUOUS_NETWORK'
  | 'NO_FREE_SUBNET'
  | 'NETNS_FAILED'
  | 'RULES_FAILED'
  | 'NOT_CONNECTED'
  | 'ALREADY_CONNECTED'
  | 'INVALID_PORT'
  | 'INVALID_SUBNET'
  | 'INVALID_NETWORK'
  | 'INVALID_HOST'
  | 'INVALID_RESULT'
  | 'CORRUPT_RECORD';

export interface NetworkErrorDetails {
  /** The plugin's CNI error code (PLUGIN_FAILED), as the CNI spec numbers them. */
  cniCode?: number;
  /** The plugin's CNI error `msg` and `details`. */
  cniMessage?: string;
  cniDetails?: string;
  /** The plugin, network, port or path involved. */
  plugin?: string;
  network?: string;
  port?: string;
  path?: string;
}

/** The one error class of @execdriver/network. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  readonly code: NetworkErrorCode;
  readonly details: NetworkErrorDetails;

  constructor(code: NetworkErrorCode, message: string, details: NetworkErrorDetails = {}, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = details;
  }
}
