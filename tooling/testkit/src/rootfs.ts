import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's busybox-static puts its binary. */
const hostBusybox = '/bin/busybox';

const passwd = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
tester:x:1000:1000:tester:/home/tester:/bin/sh
`;
const group = `root:x:0:
daemon:x:1:
bin:x:2:
audio:x:29:tester
staff:x:50:
users:x:100:tester
nogroup:x:65534:
tester:x:1000:
`;

/**
 * Builds a minimal busybox root filesystem at `dir` from the host's busybox-static:
 * /bin/busybox plus a symlink per applet, /etc/passwd and /etc/group (root, nobody and
 * tester 1000:1000 in group users), and the empty mount points runc needs.
 */
export async function createBusyboxRootfs(dir: string, busybox = hostBusybox): Promise<string> {
  if (!existsSync(busybox)) {
    throw new Error(`busybox not found at ${busybox}: apt-get install -y busybox-static`);
  }
  for (const sub of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/tester', 'var/tmp', 'run']) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await chmod(join(dir, 'tmp'), 0o1777);
  await cp(busybox, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  await Promise.all(
    applets.filter((applet) => applet !== 'busybox').map((applet) => symlink('busybox', join(dir, 'bin', applet))),
  );
  await writeFile(join(dir, 'etc/passwd'), passwd);
  await writeFile(join(dir, 'etc/group'), group);
  await writeFile(join(dir, 'etc/hostname'), 'busybox\n');
  return dir;
}

/** A fresh busybox root filesystem in a new temp dir; call the returned `remove` when done. */
export async function temporaryBusyboxRootfs(): Promise<{ rootfs: string; dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'execdriver-test-'));
  const rootfs = await createBusyboxRootfs(join(dir, 'rootfs'));
  return { rootfs, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
