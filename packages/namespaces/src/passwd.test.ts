import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NamespaceError } from './errors.js';
import { findGroup, findUser, parseGroup, parsePasswd, readGroup, readPasswd } from './passwd.js';

describe('parsePasswd', () => {
  it.each([
    ['root:x:0:0:root:/root:/bin/sh', [{ name: 'root', password: 'x', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/sh' }]],
    ['\n# comment\n  \nnobody:x:65534:65534::/nonexistent:\n', [{ name: 'nobody', password: 'x', uid: 65534, gid: 65534, gecos: '', home: '/nonexistent', shell: '' }]],
    ['a:x:1:2:A, B,,:/h:/s\r\n', [{ name: 'a', password: 'x', uid: 1, gid: 2, gecos: 'A, B,,', home: '/h', shell: '/s' }]],
    ['+::::::\n-bad::::::\nbig:x:4294967295:0:::', [{ name: 'big', password: 'x', uid: 4294967295, gid: 0, gecos: '', home: '', shell: '' }]],
  ])('parses %j', (text, expected) => {
    expect(parsePasswd(text)).toEqual(expected);
  });

  it.each([
    ['root:x:0:0:root:/root', 1, '7 fields'],
    ['ok:x:1:1:::\nbad:x:one:1:::', 2, 'invalid uid'],
    ['\n\nbad:x:1:-1:::', 3, 'invalid gid'],
    ['big:x:4294967296:0:::', 1, 'invalid uid'],
    [':x:1:1:::', 1, 'empty user name'],
  ])('rejects %j at line %i', (text, line, why) => {
    const error = (() => {
      try {
        parsePasswd(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NamespaceError);
    expect((error as NamespaceError).code).toBe('INVALID_FORMAT');
    expect((error as NamespaceError).message).toContain(`line ${line}`);
    expect((error as NamespaceError).message).toContain(why);
  });
});

describe('parseGroup', () => {
  it.each([
    ['users:x:100:tester', [{ name: 'users', password: 'x', gid: 100, members: ['tester'] }]],
    ['audio:x:29:a, b,,c\n#x\n', [{ name: 'audio', password: 'x', gid: 29, members: ['a', 'b', 'c'] }]],
    ['empty:x:5:', [{ name: 'empty', password: 'x', gid: 5, members: [] }]],
  ])('parses %j', (text, expected) => {
    expect(parseGroup(text)).toEqual(expected);
  });

  it.each([['users:x:100'], ['users:x:abc:'], ['a:x:1:b:c']])('rejects %j', (text) => {
    expect(() => parseGroup(text)).toThrow(/group line 1/);
  });
});

describe('readPasswd / readGroup', () => {
  it('reads from etcRoot, missing files give []', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-passwd-'));
    try {
      expect(await readPasswd({ etcRoot: dir })).toEqual([]);
      expect(await readGroup({ etcRoot: dir })).toEqual([]);
      await writeFile(join(dir, 'passwd'), 'u:x:7:8:::\n');
      await writeFile(join(dir, 'group'), 'g:x:8:u\n');
      const users = await readPasswd({ etcRoot: dir });
      const groups = await readGroup({ etcRoot: dir });
      expect(findUser(users, 'u')?.uid).toBe(7);
      expect(findUser(users, '7')?.name).toBe('u');
      expect(findUser(users, 7)?.name).toBe('u');
      expect(findUser(users, 'nobody')).toBeUndefined();
      expect(findGroup(groups, '8')?.name).toBe('g');
      expect(findGroup(groups, 'g')?.members).toEqual(['u']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
