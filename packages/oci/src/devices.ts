import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command, Device } from '@execdriver/spec';
import { OciError } from './errors.js';
import type { LinuxDevice, LinuxDeviceCgroup } from './oci-types.js';

/** Linux's dev_t split (glibc's gnu_dev_major / gnu_dev_minor). */
export function splitDeviceNumber(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & 0xfffff000n);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Looks up each of the Command's devices on the host (following symlinks, as Docker does) and
 * returns the OCI `linux.devices` entries to create in the container, in the Command's order.
 * Paths under /dev are looked up under `devRoot`, so tests can use their own device nodes.
 * @throws OciError DEVICE_NOT_FOUND naming the path when it does not exist or is not a device node.
 */
export async function resolveDevices(command: Pick<Command, 'devices'>, options: { devRoot?: string } = {}): Promise<LinuxDevice[]> {
  const devRoot = options.devRoot ?? '/dev';
  return Promise.all(
    command.devices.map(async (device, index): Promise<LinuxDevice> => {
      const hostPath = device.path.startsWith('/dev/') ? join(devRoot, device.path.slice('/dev/'.length)) : device.path;
      const field = `devices.${index}.path`;
      let info;
      try {
        info = await stat(hostPath, { bigint: true });
      } catch (error) {
        throw new OciError('DEVICE_NOT_FOUND', `device ${device.path} does not exist on the host (${hostPath})`, { field, value: device.path, cause: error });
      }
      const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : info.isFIFO() ? 'p' : undefined;
      if (type === undefined) throw new OciError('DEVICE_NOT_FOUND', `${device.path} is not a device node (${hostPath})`, { field, value: device.path });
      const { major, minor } = splitDeviceNumber(info.rdev);
      return {
        type,
        path: device.containerPath ?? device.path,
        major,
        minor,
        fileMode: Number(info.mode & 0o777n),
        uid: Number(info.uid),
        gid: Number(info.gid),
      };
    }),
  );
}

/** The device cgroup rule letting the container use a resolved device with the Command's permissions; none for a fifo. */
export function deviceRule(device: LinuxDevice, command: Device): LinuxDeviceCgroup | undefined {
  if (device.type !== 'b' && device.type !== 'c') return undefined;
  return { allow: true, type: device.type, major: device.major, minor: device.minor, access: command.permissions };
}
