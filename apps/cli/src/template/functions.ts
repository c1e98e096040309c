import { sprint, sprintf, sprintln } from './printf.js';
import { isGoMap, isTrue, mapZero, toJson, typeName } from './values.js';

/** How Go converts an argument: `any` (interface{}), `string`, `int`, `strings` ([]string). */
export type ParameterKind = 'any' | 'string' | 'int' | 'strings';

export interface TemplateFunction {
  params: readonly ParameterKind[];
  /** The kind of the remaining arguments of a variadic function. */
  variadic?: ParameterKind;
  /** `and`/`or`: arguments evaluated one at a time, the first false (true) one returned. */
  lazy?: 'and' | 'or';
  call(...args: unknown[]): unknown;
}

export type FunctionMap = Readonly<Record<string, TemplateFunction>>;

/** Go's comparison of two basic values: `incompatible types` across kinds, `invalid type` for others. */
type BasicKind = 'bool' | 'number' | 'string';

function basicKind(value: unknown): BasicKind | undefined {
  return typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string' ? (typeof value as BasicKind) : undefined;
}

function equal(first: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new Error('missing argument for comparison');
  const kind = basicKind(first);
  for (const other of rest) {
    const otherKind = basicKind(other);
    if (kind !== otherKind) {
      if (first !== undefined && other !== undefined && first !== null && other !== null) throw new Error('incompatible types for comparison');
      if ((first === undefined || first === null) && (other === undefined || other === null)) return true;
      continue;
    }
    if (kind === undefined) {
      if (Array.isArray(first) || isGoMap(first)) throw new Error(`non-comparable type ${typeName(first)}`);
      if (first === other) return true;
      continue;
    }
    if (first === other) return true;
  }
  return false;
}

function less(first: unknown, second: unknown): boolean {
  const kind = basicKind(first);
  if (kind === undefined || kind === 'bool') throw new Error('invalid type for comparison');
  const otherKind = basicKind(second);
  if (otherKind === undefined || otherKind === 'bool') throw new Error('invalid type for comparison');
  if (kind !== otherKind) throw new Error('incompatible types for comparison');
  return (first as number | string) < (second as number | string);
}

function indexOf(item: unknown, ...indexes: unknown[]): unknown {
  let current = item;
  for (const index of indexes) {
    if (current === undefined || current === null) throw new Error('index of untyped nil');
    if (Array.isArray(current) || typeof current === 'string') {
      if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
      const length = typeof current === 'string' ? Buffer.byteLength(current) : current.length;
      if (index < 0 || index >= length) throw new Error(`index out of range: ${index}`);
      current = typeof current === 'string' ? Buffer.from(current)[index] : current[index];
    } else if (isGoMap(current)) {
      if (typeof index !== 'string') throw new Error(`value has type ${typeName(index)}; should be string`);
      current = Object.hasOwn(current, index) ? current[index] : mapZero(current);
    } else throw new Error(`can't index item of type ${typeName(current)}`);
  }
  return current;
}

function sliceOf(item: unknown, ...indexes: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${typeName(item)}`);
  if (indexes.length > 2) throw new Error(`too many slice indexes: ${indexes.length}`);
  const length = item.length;
  const [start = 0, end = length] = indexes.map((index) => {
    if (typeof index !== 'number' || !Number.isInteger(index)) throw new Error(`cannot index slice/array with type ${typeName(index)}`);
    if (index < 0 || index > length) throw new Error(`index out of range: ${index}`);
    return index;
  }) as [number?, number?];
  if (start > end) throw new Error(`invalid slice index: ${start} > ${end}`);
  return item.slice(start, end);
}

function lengthOf(item: unknown): number {
  if (typeof item === 'string') return Buffer.byteLength(item);
  if (Array.isArray(item)) return item.length;
  if (isGoMap(item)) return Object.keys(item).length;
  throw new Error(`len of ${item === undefined || item === null ? 'nil pointer' : `type ${typeName(item)}`}`);
}

function htmlEscape(text: string): string {
  return text.replace(/[<>&'"\0]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[character]!);
}

function jsEscape(text: string): string {
  return text.replace(/[\\'"<>&=\x00-\x1f]/g, (character) => {
    if (character === '\\' || character === "'" || character === '"') return `\\${character}`;
    return `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** Go's strings.Title: the first letter of each word in upper case. */
function title(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase());
}

/** Go's strings.Split: an empty separator splits after each character. */
function split(text: string, separator: string): string[] {
  return separator === '' ? [...text] : text.split(separator);
}

const f = (params: readonly ParameterKind[], call: (...args: never[]) => unknown, variadic?: ParameterKind): TemplateFunction => ({
  params,
  call: call as (...args: unknown[]) => unknown,
  ...(variadic ? { variadic } : {}),
});

/** text/template's predefined functions. */
export const builtinFunctions: FunctionMap = {
  and: { params: ['any'], variadic: 'any', lazy: 'and', call: () => undefined },
  or: { params: ['any'], variadic: 'any', lazy: 'or', call: () => undefined },
  not: f(['any'], (value: unknown) => !isTrue(value)),
  len: f(['any'], lengthOf),
  index: f(['any'], indexOf, 'any'),
  slice: f(['any'], sliceOf, 'any'),
  print: f([], (...args: unknown[]) => sprint(args), 'any'),
  printf: f(['string'], (format: string, ...args: unknown[]) => sprintf(format, args), 'any'),
  println: f([], (...args: unknown[]) => sprintln(args), 'any'),
  eq: f(['any'], equal, 'any'),
  ne: f(['any', 'any'], (first: unknown, second: unknown) => !equal(first, second)),
  lt: f(['any', 'any'], less),
  le: f(['any', 'any'], (first: unknown, second: unknown) => less(first, second) || equal(first, second)),
  gt: f(['any', 'any'], (first: unknown, second: unknown) => !less(first, second) && !equal(first, second)),
  ge: f(['any', 'any'], (first: unknown, second: unknown) => !less(first, second)),
  html: f([], (...args: unknown[]) => htmlEscape(sprint(args)), 'any'),
  js: f([], (...args: unknown[]) => jsEscape(sprint(args)), 'any'),
  urlquery: f([], (...args: unknown[]) => encodeURIComponent(sprint(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`), 'any'),
  call: f(['any'], (fn: unknown, ...args: unknown[]) => {
    if (typeof fn !== 'function') throw new Error(`non-function of type ${typeName(fn)}`);
    return (fn as (...values: unknown[]) => unknown)(...args);
  }, 'any'),
};

/** The docker CLI's functions (cli/templates/templates.go). */
export const dockerFunctions: FunctionMap = {
  json: f(['any'], (value: unknown) => toJson(value)),
  split: f(['string', 'string'], split),
  join: f(['strings', 'string'], (elements: string[], separator: string) => elements.join(separator)),
  title: f(['string'], title),
  lower: f(['string'], (text: string) => text.toLowerCase()),
  upper: f(['string'], (text: string) => text.toUpperCase()),
  pad: f(['string', 'int', 'int'], (text: string, prefix: number, suffix: number) => (text === '' ? text : ' '.repeat(Math.max(prefix, 0)) + text + ' '.repeat(Math.max(suffix, 0)))),
  truncate: f(['string', 'int'], (text: string, length: number) => ([...text].length < length ? text : [...text].slice(0, Math.max(length, 0)).join(''))),
};

/** What the docker CLI puts in place of its functions when it renders a table's header: the header text, unchanged. */
export const dockerHeaderFunctions: FunctionMap = {
  json: f(['any'], (value: unknown) => value),
  split: f(['any', 'any'], (value: unknown) => value),
  join: f(['any', 'any'], (value: unknown) => value),
  title: f(['any'], (value: unknown) => value),
  lower: f(['any'], (value: unknown) => value),
  upper: f(['any'], (value: unknown) => value),
  pad: f(['any', 'any', 'any'], (value: unknown) => value),
  truncate: f(['any', 'any'], (value: unknown) => value),
};
