import type { ContainerSummary } from '@execdriver/driver';
import { describe, expect, it } from 'vitest';
import { assertImageRemovable } from './image-users.js';

function container(id: string, image: string, status: ContainerSummary['status']): ContainerSummary {
  return { id, status, startedAt: status === 'created' ? undefined : '2024-01-01T00:00:00Z', exitCode: status === 'stopped' ? 0 : undefined, labels: { 'execdriver.image': image } } as unknown as ContainerSummary;
}

const running = container('aaaaaaaaaaaa', 'busybox', 'running');
const stopped = container('bbbbbbbbbbbb', 'busybox:latest', 'stopped');
const other = container('cccccccccccc', 'alpine:3.19', 'stopped');
const rootfsDir = container('dddddddddddd', '/srv/rootfs', 'running');

describe('assertImageRemovable (Docker rmi conflicts)', () => {
  it.each([
    ['busybox', [running, stopped], false, 'conflict: unable to remove image busybox: container aaaaaaaaaaaa is using it'],
    ['busybox', [stopped], false, 'conflict: unable to remove image busybox: container bbbbbbbbbbbb is using it'],
    ['busybox:latest', [stopped], false, 'conflict: unable to remove image busybox:latest: container bbbbbbbbbbbb is using it'],
    ['busybox', [running], true, 'conflict: unable to remove image busybox (cannot be forced): running container aaaaaaaaaaaa is using it'],
    ['busybox', [stopped, other, rootfsDir], true, undefined],
    ['alpine:3.19', [running, stopped], false, undefined],
    ['alpine:3.19', [other], false, 'conflict: unable to remove image alpine:3.19: container cccccccccccc is using it'],
    ['alpine', [other], false, undefined],
  ])('rmi %s with %#', (reference, containers, force, message) => {
    const attempt = () => assertImageRemovable(reference, containers, { force });
    if (message === undefined) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(message);
  });
});
