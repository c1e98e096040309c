import type { NetworkRecord } from '@execdriver/network';
import type { Engine } from './engine.js';

/**
 * Docker's `network inspect` document of a network (`GET /networks/{id}`), its containers from
 * the live attachments; `withContainers: false` gives the list's smaller form (`GET /networks`,
 * whose `Containers` Docker leaves empty since API 1.28).
 */
export async function toDockerNetwork(engine: Engine, network: NetworkRecord, options: { withContainers?: boolean } = {}): Promise<Record<string, unknown>> {
  const containers: Record<string, unknown> = {};
  if (options.withContainers ?? true) {
    for (const { attachment, endpoint } of await engine.networks.endpointsOf(network.id)) {
      containers[attachment.containerId] = {
        Name: attachment.containerName,
        EndpointID: `${attachment.containerId.slice(0, 32)}${network.id.slice(0, 32)}`,
        MacAddress: endpoint.macAddress,
        IPv4Address: endpoint.ipAddress ? `${endpoint.ipAddress}/${endpoint.prefixLength}` : '',
        IPv6Address: '',
      };
    }
  }
  return {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: 'local',
    Driver: network.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: network.predefined ? null : {}, Config: network.subnet ? [{ Subnet: network.subnet, Gateway: network.gateway }] : [] },
    Internal: network.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: network.bridge ? { 'com.docker.network.bridge.name': network.bridge, ...(network.name === 'bridge' ? { 'com.docker.network.bridge.default_bridge': 'true' } : {}) } : {},
    Labels: network.labels,
  };
}
