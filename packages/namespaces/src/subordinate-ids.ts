import { join } from 'node:path';
import { NamespaceError } from './errors.js';
import { findGroup, findUser, parseId, readGroup, readOptionalFile, readPasswd } from './passwd.js';

/** One line of /etc/subuid or /etc/subgid (subuid(5)): `owner:start:count`. */
export interface SubordinateRange {
  /** A user (group for subgid) name, or a numeric uid (gid) as text. */
  owner: string;
  start: number;
  count: number;
}

const maxId = 2 ** 32 - 1;

/**
 * Parses /etc/subuid or /etc/subgid text. Blank lines and `#` comments are skipped; spaces around
 * the line and around each field are ignored. A malformed line (not three fields, empty owner,
 * non-numeric start or count, count 0, a range past 2^32-1) raises INVALID_FORMAT with its number.
 */
export function parseSubordinateIds(text: string): SubordinateRange[] {
  const ranges: SubordinateRange[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (why: string) =>
      new NamespaceError('INVALID_FORMAT', `subordinate id line ${index + 1}: ${why}: ${JSON.stringify(raw)}`, {
        value: { line: index + 1, text: raw },
      });
    const fields = line.split(':').map((field) => field.trim());
    if (fields.length !== 3) throw fail(`expected owner:start:count, got ${fields.length} fields`);
    const [owner, startText, countText] = fields as [string, string, string];
    if (owner === '') throw fail('empty owner');
    const start = parseId(startText);
    if (start === undefined) throw fail(`invalid start ${JSON.stringify(startText)}`);
    const count = parseId(countText);
    if (count === undefined || count === 0) throw fail(`invalid count ${JSON.stringify(countText)}`);
    if (start + count - 1 > maxId) throw fail(`range ${start}+${count} goes past ${maxId}`);
    ranges.push({ owner, start, count });
  });
  return ranges;
}

export type SubordinateKind = 'uid' | 'gid';

/**
 * The subordinate ranges of a user (kind 'uid', from `<etcRoot>/subuid`) or a group (kind 'gid',
 * from `<etcRoot>/subgid`), in file order. As shadow-utils does, a line matches when its owner is
 * the name, or is the numeric uid of the user with that name (gid of the group, for subgid).
 * `owner` may also be a number (or numeric string) naming the uid/gid: then lines with that number
 * or with the name /etc/passwd (/etc/group) gives it match. A missing file gives [].
 */
export async function subordinateRanges(
  owner: string | number,
  options: { etcRoot?: string; kind?: SubordinateKind } = {},
): Promise<SubordinateRange[]> {
  const etcRoot = options.etcRoot ?? '/etc';
  const kind = options.kind ?? 'uid';
  const text = await readOptionalFile(join(etcRoot, kind === 'uid' ? 'subuid' : 'subgid'));
  if (text === undefined) return [];
  const names = new Set<string>();
  if (typeof owner === 'string') names.add(owner);
  if (kind === 'uid') {
    const user = findUser(await readPasswd({ etcRoot }), owner);
    if (user) names.add(user.name).add(String(user.uid));
  } else {
    const group = findGroup(await readGroup({ etcRoot }), owner);
    if (group) names.add(group.name).add(String(group.gid));
  }
  if (typeof owner === 'number') names.add(String(owner));
  else if (parseId(owner) !== undefined) names.add(String(parseId(owner)));
  return parseSubordinateIds(text).filter((range) => names.has(range.owner));
}
