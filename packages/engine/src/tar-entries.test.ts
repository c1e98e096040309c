import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goFileMode } from './container-files.js';
import { scanTarFile } from './tar-entries.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tar-entries-'));
  const long = `${'a'.repeat(60)}/${'b'.repeat(60)}`;
  await mkdir(join(dir, 'src', 'sub', long), { recursive: true });
  await writeFile(join(dir, 'src', 'file'), 'x');
  await writeFile(join(dir, 'src', 'sub', long, 'deep'), 'y');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** GNU tar of `src` in the given format, into a file. */
function archive(format: string): string {
  const file = join(dir, `${format}.tar`);
  const result = spawnSync('tar', ['-c', '-f', file, `--format=${format}`, '--owner=1234', '--group=4321', '-C', join(dir, 'src'), '.']);
  if (result.status !== 0) throw new Error(result.stderr.toString());
  return file;
}

describe('scanTarFile', () => {
  it.each(['gnu', 'pax', 'ustar'])('lists the members of a %s archive, names longer than 100 characters included', async (format) => {
    // Longer than ustar's 100-character name: split into prefix and name (ustar), a GNU long name, or a PAX path.
    const long = `${'a'.repeat(60)}/${'b'.repeat(60)}`;
    const handle = await open(archive(format), 'r');
    try {
      const entries = await scanTarFile(handle);
      expect(entries.map((entry) => `${entry.directory ? 'd' : 'f'} ${entry.name.replace(/\/$/, '')}`).sort()).toEqual(['d .', 'd ./sub', `d ./sub/${'a'.repeat(60)}`, `d ./sub/${long}`, `f ./file`, `f ./sub/${long}/deep`].sort());
    } finally {
      await handle.close();
    }
  });

  it('rewrites every owner in place, with valid checksums', async () => {
    const file = archive('gnu');
    const handle = await open(file, 'r+');
    try {
      await scanTarFile(handle, { owner: { uid: 0, gid: 7 } });
    } finally {
      await handle.close();
    }
    const listed = spawnSync('tar', ['-tv', '--numeric-owner', '-f', file], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    const owners = new Set(listed.stdout.split('\n').filter((line) => line !== '').map((line) => line.split(/\s+/)[1]));
    expect([...owners]).toEqual(['0/7']);
  });

  it('refuses what is not a tar archive', async () => {
    const file = join(dir, 'not.tar');
    await writeFile(file, Buffer.alloc(1024, 0x41));
    const handle = await open(file, 'r');
    try {
      await expect(scanTarFile(handle)).rejects.toMatchObject({ code: 'COPY_FAILED', message: expect.stringContaining('bad header checksum at byte 0') });
    } finally {
      await handle.close();
    }
  });
});

describe('goFileMode', () => {
  it.each([
    [0o040755, 2 ** 31 + 0o755],
    [0o100644, 0o644],
    [0o120777, 2 ** 27 + 0o777],
    [0o104755, 2 ** 23 + 0o755],
    [0o041777, 2 ** 31 + 2 ** 20 + 0o777],
    [0o020666, 2 ** 26 + 2 ** 21 + 0o666],
  ])('st_mode %o is Go FileMode %d', (stMode, expected) => {
    expect(goFileMode(stMode)).toBe(expected);
  });
});
