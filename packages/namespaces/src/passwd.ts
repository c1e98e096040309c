import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NamespaceError, hasErrorCode } from './errors.js';

/** One line of /etc/passwd (passwd(5)). */
export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

/** One line of /etc/group (group(5)). */
export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
}

const maxId = 2 ** 32 - 1;

/** Lines that carry no entry: blank, `#` comments, and NIS compat markers (`+`/`-`). */
function isSkippable(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('+') || trimmed.startsWith('-');
}

/** Parses a decimal id 0..2^32-1, or undefined. */
export function parseId(text: string): number | undefined {
  if (!/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id <= maxId ? id : undefined;
}

function malformed(file: string, lineNumber: number, line: string, why: string): NamespaceError {
  return new NamespaceError('INVALID_FORMAT', `${file} line ${lineNumber}: ${why}: ${JSON.stringify(line)}`, {
    value: { line: lineNumber, text: line },
  });
}

/** Parses /etc/passwd text. Skips blank and comment lines; a malformed line raises INVALID_FORMAT with its number. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (isSkippable(line)) return;
    const fields = line.split(':');
    if (fields.length !== 7) throw malformed('passwd', index + 1, line, `expected 7 fields, got ${fields.length}`);
    const [name, password, uidText, gidText, gecos, home, shell] = fields as [string, string, string, string, string, string, string];
    if (name === '') throw malformed('passwd', index + 1, line, 'empty user name');
    const uid = parseId(uidText);
    if (uid === undefined) throw malformed('passwd', index + 1, line, `invalid uid ${JSON.stringify(uidText)}`);
    const gid = parseId(gidText);
    if (gid === undefined) throw malformed('passwd', index + 1, line, `invalid gid ${JSON.stringify(gidText)}`);
    entries.push({ name, password, uid, gid, gecos, home, shell });
  });
  return entries;
}

/** Parses /etc/group text. Skips blank and comment lines; a malformed line raises INVALID_FORMAT with its number. */
export function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (isSkippable(line)) return;
    const fields = line.split(':');
    if (fields.length !== 4) throw malformed('group', index + 1, line, `expected 4 fields, got ${fields.length}`);
    const [name, password, gidText, membersText] = fields as [string, string, string, string];
    if (name === '') throw malformed('group', index + 1, line, 'empty group name');
    const gid = parseId(gidText);
    if (gid === undefined) throw malformed('group', index + 1, line, `invalid gid ${JSON.stringify(gidText)}`);
    const members = membersText
      .split(',')
      .map((member) => member.trim())
      .filter((member) => member !== '');
    entries.push({ name, password, gid, members });
  });
  return entries;
}

/** Reads a text file; undefined when it does not exist. */
export async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw new NamespaceError('READ_FAILED', `cannot read ${path}`, { value: path, cause: error });
  }
}

/** Reads `<etcRoot>/passwd` (default /etc); a missing file gives []. No native calls (no NSS). */
export async function readPasswd(options: { etcRoot?: string } = {}): Promise<PasswdEntry[]> {
  const text = await readOptionalFile(join(options.etcRoot ?? '/etc', 'passwd'));
  return text === undefined ? [] : parsePasswd(text);
}

/** Reads `<etcRoot>/group` (default /etc); a missing file gives []. */
export async function readGroup(options: { etcRoot?: string } = {}): Promise<GroupEntry[]> {
  const text = await readOptionalFile(join(options.etcRoot ?? '/etc', 'group'));
  return text === undefined ? [] : parseGroup(text);
}

/** Finds a user by name, or by uid when `user` is a decimal number (as shadow-utils does). */
export function findUser(entries: readonly PasswdEntry[], user: string | number): PasswdEntry | undefined {
  if (typeof user === 'number') return entries.find((entry) => entry.uid === user);
  const byName = entries.find((entry) => entry.name === user);
  if (byName) return byName;
  const uid = parseId(user);
  return uid === undefined ? undefined : entries.find((entry) => entry.uid === uid);
}

/** Finds a group by name, or by gid when `group` is a decimal number. */
export function findGroup(entries: readonly GroupEntry[], group: string | number): GroupEntry | undefined {
  if (typeof group === 'number') return entries.find((entry) => entry.gid === group);
  const byName = entries.find((entry) => entry.name === group);
  if (byName) return byName;
  const gid = parseId(group);
  return gid === undefined ? undefined : entries.find((entry) => entry.gid === gid);
}
