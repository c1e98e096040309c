// A runc container with "terminal": true under openTerminal, as @execdriver/driver will run `-t`
// containers: `runc run` in the foreground, the container's console proxied through our terminal.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuncRoot, findLeftovers, temporaryBusyboxRootfs, uniqueId } from '@execdriver/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputReader } from './__fixtures__/output-reader.js';
import { openTerminal } from './open-terminal.js';

const marker = 'execdriver-test-terminal';
const cgroupRoot = '/sys/fs/cgroup';

let runcRoot: Awaited<ReturnType<typeof createRuncRoot>>;
let rootfs: Awaited<ReturnType<typeof temporaryBusyboxRootfs>>;

beforeAll(async () => {
  runcRoot = await createRuncRoot();
  rootfs = await temporaryBusyboxRootfs();
});

afterAll(async () => {
  await runcRoot?.cleanup();
  removeCgroups(`/${marker}`);
  await rootfs?.remove();
  expect(findLeftovers(marker)).toEqual([]);
});

/** rmdir the cgroup `path` (and its parent when empty) in every hierarchy, v1 or v2. */
function removeCgroups(path: string) {
  for (const hierarchy of readdirSync(cgroupRoot)) {
    const dir = join(cgroupRoot, hierarchy, path);
    for (const child of safeReaddir(dir)) rmdirQuiet(join(dir, child));
    rmdirQuiet(dir);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

function rmdirQuiet(dir: string) {
  try {
    rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

describe('a runc container with a terminal', () => {
  it('takes input, follows resizes, gets ctrl-c and returns its exit code', async () => {
    const id = uniqueId('term');
    const bundle = rootfs.dir;
    expect(spawnSync('runc', ['spec', '--bundle', bundle]).status).toBe(0);
    const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    config.process.terminal = true;
    config.process.args = ['sh'];
    config.process.env = ['PATH=/bin:/sbin:/usr/bin', 'TERM=xterm', 'PS1=$ '];
    config.linux.cgroupsPath = `/${marker}/${id}`;
    await writeFile(join(bundle, 'config.json'), JSON.stringify(config));

    const terminal = await openTerminal('runc', ['--root', runcRoot.root, 'run', '--bundle', bundle, id], { cols: 100, rows: 40 });
    const reader = new OutputReader(terminal.output);
    // busybox ash asks where the cursor is (ESC [ 6 n) after a resize; answer as a terminal would.
    terminal.output.on('data', (chunk: Buffer) => {
      if (chunk.includes('\x1b[6n') && !terminal.closed) terminal.write('\x1b[1;1R');
    });
    try {
      // Round trip, and proof we are inside: the shell is PID 1 with runc's hostname on a pty.
      terminal.write('echo "in-$((6*7)) pid=$$ host=$(hostname)"; tty\r');
      await reader.waitFor(/in-42 pid=1 host=runc\r\n\/dev\/pts\/\d+\r\n/);

      let mark = reader.text.length;
      terminal.write('stty size\r');
      await reader.waitFor(/40 100\r\n/, { from: mark });
      terminal.resize(120, 33);
      // runc passes the new size on from its SIGWINCH handler, a moment later: asked again until
      // the shell's terminal has it (each answer is a complete `stty size` line).
      let size = '';
      for (let attempt = 0; attempt < 50 && size !== '33 120'; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        mark = reader.text.length;
        terminal.write('stty size\r');
        size = (await reader.waitFor(/(\d+ \d+)\r\n/, { from: mark }))[1]!;
      }
      expect(size).toBe('33 120');

      mark = reader.text.length;
      terminal.write('echo "ar""med"; sleep 30\r');
      await reader.waitFor(/armed\r\n/, { from: mark });
      await new Promise((resolve) => setTimeout(resolve, 100));
      terminal.write('\x03');
      await reader.waitFor(/\^C/, { from: mark });
      // The shell stays (it is PID 1 and handles SIGINT); sleep died of SIGINT: status 130.
      terminal.write('echo "after-$?"\r');
      await reader.waitFor(/after-130\r\n/, { from: mark });

      terminal.write('exit 5\r');
      expect(await terminal.exited).toEqual({ exitCode: 5, signal: null });
    } finally {
      if (!terminal.closed) {
        spawnSync('runc', ['--root', runcRoot.root, 'kill', id, 'KILL']);
        terminal.close();
      }
      spawnSync('runc', ['--root', runcRoot.root, 'delete', '-f', id]);
      removeCgroups(`/${marker}/${id}`);
    }
  });
});
