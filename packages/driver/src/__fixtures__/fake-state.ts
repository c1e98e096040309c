import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCommand } from '@execdriver/spec';
import { processStartTime } from '../process-identity.js';
import type { ContainerRecord } from '../state-store.js';

/** Writes a container's state directory by hand, as a driver would have left it. */
export async function writeContainer(
  stateRoot: string,
  id: string,
  options: { record?: Partial<ContainerRecord>; exitCode?: string; running?: boolean; config?: unknown } = {},
): Promise<string> {
  const dir = join(stateRoot, 'containers', id);
  await mkdir(dir, { recursive: true });
  const command = parseCommand({ id, rootfs: '/', process: { args: ['sleep', '100'] } });
  const record: ContainerRecord = {
    id,
    bundle: dir,
    rootfs: '/',
    cgroupsPath: `/execdriver-fake/${id}`,
    createdAt: '2024-01-01T00:00:00.000Z',
    startedAt: '2024-01-01T00:00:01.000Z',
    logs: true,
    fifos: false,
    tty: false,
    command,
    labels: {},
    warnings: [],
    // "Running": our own process stands in for the container's, so the status is read from /proc.
    ...(options.running ? { pid: process.pid, pidStartTime: processStartTime(process.pid)! } : {}),
    ...options.record,
  };
  await writeFile(join(dir, 'container.json'), JSON.stringify(record));
  await writeFile(join(dir, 'config.json'), JSON.stringify(options.config ?? { ociVersion: '1.0.2', process: { args: ['sleep', '100'], env: ['PATH=/bin'], cwd: '/' } }));
  if (options.exitCode !== undefined) await writeFile(join(dir, 'exit-code'), options.exitCode);
  return dir;
}
