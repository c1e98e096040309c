import { describe, expect, it } from 'vitest';
import { toContainerUpdate } from './container-admin.js';

describe('toContainerUpdate (POST /containers/{id}/update body)', () => {
  it.each([
    [{ Memory: 67108864, MemorySwap: 134217728 }, { resources: { memory: 67108864, memorySwap: 134217728 } }],
    [{ Memory: 0, CpuShares: 0, CpusetCpus: '', PidsLimit: null }, { resources: {} }],
    [{ NanoCpus: 1500000000, CpuShares: 512, BlkioWeight: 300 }, { resources: { cpus: 1.5, cpuShares: 512, blkioWeight: 300 } }],
    [{ CpuPeriod: 100000, CpuQuota: 50000, CpusetCpus: '0', CpusetMems: '0' }, { resources: { cpuPeriod: 100000, cpuQuota: 50000, cpusetCpus: '0', cpusetMems: '0' } }],
    [{ PidsLimit: 0 }, { resources: { pidsLimit: -1 } }],
    [{ PidsLimit: 100 }, { resources: { pidsLimit: 100 } }],
    [{ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }, { resources: {}, restartPolicy: { name: 'on-failure', maximumRetryCount: 3 } }],
    [{ RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }, { resources: {}, restartPolicy: { name: 'always', maximumRetryCount: 0 } }],
    [{ RestartPolicy: { Name: '' } }, { resources: {} }],
  ])('%j', (body, expected) => {
    expect(toContainerUpdate(body)).toEqual(expected);
  });

  it.each([
    [{ Memory: '64m' }, 'BAD_PARAMETER', 'invalid Memory "64m"'],
    [{ CpusetCpus: 3 }, 'BAD_PARAMETER', 'invalid CpusetCpus 3'],
    [{ Ulimits: [{ Name: 'nofile', Soft: 1, Hard: 1 }] }, 'UNSUPPORTED', 'Ulimits'],
    [{ CgroupParent: '/x' }, 'UNSUPPORTED', 'CgroupParent "/x"'],
    [{ RestartPolicy: { Name: 'sometimes' } }, 'INVALID_REQUEST', '"sometimes"'],
  ])('refuses %j', (body, code, words) => {
    expect(() => toContainerUpdate(body)).toThrow(expect.objectContaining({ code, message: expect.stringContaining(words) }));
  });
});
