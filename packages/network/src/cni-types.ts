// The CNI result and error types (spec 1.0.0, also read for 0.4.0 results), as the plugins print them.

export interface CniInterface {
  name: string;
  mac?: string;
  /** Set for the interface inside the container's namespace. */
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR notation: `172.17.0.2/16`. */
  address: string;
  gateway?: string;
  /** Index into `interfaces`. */
  interface?: number;
  version?: string;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** A plugin's error on stdout: `{"code": 7, "msg": "...", "details": "..."}`. */
export interface CniErrorResult {
  cniVersion?: string;
  code: number;
  msg: string;
  details?: string;
}

/** One plugin's configuration in a conflist: its `type` (the binary) and its own keys. */
export interface CniPluginConfig {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

/** A network configuration list (`.conflist`). */
export interface CniConfigList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: CniPluginConfig[];
}

/** A port mapping as portmap's `runtimeConfig.portMappings` takes it. */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIP?: string;
}

/** What the runtime adds per call: the container, its namespace, the interface, capability arguments. */
export interface CniRuntimeConf {
  containerId: string;
  netns: string;
  ifName: string;
  /** `CNI_ARGS` pairs. */
  args?: Record<string, string>;
  /** Capability arguments, given to the plugins that declare the capability (`portMappings`, ...). */
  capabilityArgs?: Record<string, unknown>;
}
