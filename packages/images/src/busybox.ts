import { chmod, copyFile, mkdir, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ImageError } from './errors.js';
import type { ImageConfig } from './image-config.js';
import { runTool } from './run-tool.js';

const passwd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;

const group = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
staff:x:50:
users:x:100:
nogroup:x:65534:
`;

/**
 * The built-in `busybox` image: the host's static busybox (`/bin/busybox` from busybox-static)
 * with one symlink per applet where `busybox --list-full` puts it, /etc/passwd and /etc/group as
 * the busybox image has them, and empty /proc /sys /dev /tmp (1777) /root.
 */
/** The config of the built-in image, as the Docker Hub busybox image has it. */
export function busyboxImageConfig(): ImageConfig {
  return { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] };
}

/**
 * Fills `rootfs` with the built-in `busybox` image: the host's static busybox (`/bin/busybox`
 * from busybox-static) with one symlink per applet where `busybox --list-full` puts it,
 * /etc/passwd and /etc/group as the busybox image has them, and empty /proc /sys /dev /tmp (1777) /root.
 */
export async function buildBusyboxRootfs(rootfs: string, busybox = '/bin/busybox'): Promise<void> {
  const found = await stat(busybox).catch(() => undefined);
  if (!found?.isFile()) {
    throw new ImageError('IMAGE_FAILED', `cannot make the busybox image: ${busybox} is missing (install it with "apt-get install -y busybox-static")`);
  }
  const applets = (await runTool(busybox, ['--list-full'])).split('\n').map((line) => line.trim()).filter((line) => line !== '');
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'root', 'tmp', 'var/tmp', 'home', 'var/spool/mail', 'var/www']) {
    await mkdir(join(rootfs, dir), { recursive: true, mode: 0o755 });
  }
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await chmod(join(rootfs, 'var/tmp'), 0o1777);
  await chmod(join(rootfs, 'root'), 0o700);
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  for (const applet of applets) {
    if (applet.includes('..') || applet.startsWith('/') || applet === 'bin/busybox') continue;
    await mkdir(join(rootfs, dirname(applet)), { recursive: true, mode: 0o755 });
    await symlink('/bin/busybox', join(rootfs, applet)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
  await writeFile(join(rootfs, 'etc/passwd'), passwd, { mode: 0o644 });
  await writeFile(join(rootfs, 'etc/group'), group, { mode: 0o644 });
  await writeFile(join(rootfs, 'etc/hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n', { mode: 0o644 });
  await writeFile(join(rootfs, 'etc/hostname'), 'busybox\n', { mode: 0o644 });
  await writeFile(join(rootfs, 'etc/resolv.conf'), '', { mode: 0o644 });
}
