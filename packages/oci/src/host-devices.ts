import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { splitDeviceNumber } from './devices.js';
import { OciError } from './errors.js';
import type { LinuxDevice } from './oci-types.js';

/** Directories of /dev that hold no host devices a privileged container should get (runc's HostDevices skips the same). */
const skippedDirectories = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ENOENT';
}

/**
 * Every char and block device under `devRoot`, as Docker's `--privileged` hands them to the
 * container (runc's HostDevices): subdirectories walked except pts, shm, fd, mqueue (and LXC's and
 * udev's private ones), `console` skipped (runc sets it up), fifos and symlinks skipped, symlinked
 * directories not followed. Paths are the container's: `/dev/<path under devRoot>`. Entries that
 * vanish during the walk are skipped.
 * @throws OciError READ_FAILED naming the path when a directory cannot be read.
 */
export async function listHostDevices(options: { devRoot?: string } = {}): Promise<LinuxDevice[]> {
  const devRoot = options.devRoot ?? '/dev';
  const found: LinuxDevice[] = [];
  const walk = async (relative: string): Promise<void> => {
    const directory = join(devRoot, relative);
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (relative !== '' && isMissing(error)) return;
      throw new OciError('READ_FAILED', `cannot list host devices in ${directory}`, { value: directory, cause: error });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      // Dirent types come from lstat: a symlink to a directory is a symlink here, never walked.
      if (entry.isDirectory()) {
        if (!skippedDirectories.has(entry.name)) await walk(child);
        continue;
      }
      if (!(entry.isCharacterDevice() || entry.isBlockDevice()) || entry.name === 'console') continue;
      let info;
      try {
        info = await lstat(join(devRoot, child), { bigint: true });
      } catch (error) {
        if (isMissing(error)) continue;
        throw new OciError('READ_FAILED', `cannot stat host device ${join(devRoot, child)}`, { value: join(devRoot, child), cause: error });
      }
      const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
      if (type === undefined) continue;
      const { major, minor } = splitDeviceNumber(info.rdev);
      found.push({ type, path: `/dev/${child}`, major, minor, fileMode: Number(info.mode & 0o777n), uid: Number(info.uid), gid: Number(info.gid) });
    }
  };
  await walk('');
  return found;
}
