import type { Command } from '@execdriver/spec';
import { OciError } from './errors.js';

/** The default first segment of a container's cgroup: `/execdriver/<id>`. */
export const defaultCgroupsPathPrefix = 'execdriver';

/**
 * `linux.cgroupsPath` for a container:
 * - cgroupfs: `/<prefix>/<id>`, or `<cgroupParent>/<id>` (made absolute) when a parent is set;
 * - systemd (`command.systemdCgroup`): `<slice>:<prefix>:<id>`, the slice from cgroupParent or `system.slice`.
 */
export function toCgroupsPath(command: Pick<Command, 'id' | 'cgroupParent' | 'systemdCgroup'>, prefix = defaultCgroupsPathPrefix): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new OciError('INVALID_OPTIONS', `cgroupsPathPrefix ${JSON.stringify(prefix)} must be one path segment of letters, digits, _ . -`, {
      field: 'cgroupsPathPrefix',
      value: prefix,
    });
  }
  if (command.systemdCgroup) {
    const slice = command.cgroupParent ?? 'system.slice';
    if (!/^[A-Za-z0-9_.@-]+\.slice$/.test(slice)) {
      throw new OciError('INVALID_COMMAND', `cgroupParent ${JSON.stringify(slice)} must be a systemd slice such as machine.slice with systemdCgroup`, {
        field: 'cgroupParent',
        value: slice,
      });
    }
    return `${slice}:${prefix}:${command.id}`;
  }
  if (command.cgroupParent === undefined) return `/${prefix}/${command.id}`;
  const parent = command.cgroupParent.replace(/\/+$/, '');
  return `${parent.startsWith('/') ? '' : '/'}${parent}/${command.id}`;
}
