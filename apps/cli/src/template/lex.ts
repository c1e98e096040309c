import { TemplateError } from './template-error.js';

/** The tokens of Go's text/template lexer (text/template/parse/lex.go). */
export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'field'
  | 'dot'
  | 'variable'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'identifier'
  | 'keyword'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** As typed (a field without its dot: `.Foo` is `Foo`). */
  value: string;
  /** Offset in the template. */
  pos: number;
}

export const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'break', 'continue', 'define', 'template', 'block']);

const isSpace = (character: string | undefined) => character === ' ' || character === '\t' || character === '\r' || character === '\n';
const isAlphanumeric = (character: string | undefined) => character !== undefined && /^[\p{L}\p{N}_]$/u.test(character);

/** The line (1-based) of an offset. */
export function lineOf(source: string, pos: number): number {
  let line = 1;
  for (let index = 0; index < pos && index < source.length; index += 1) if (source[index] === '\n') line += 1;
  return line;
}

/** Splits a template into tokens; `{{- ` and ` -}}` trim the text beside them, comments vanish. */
export function lex(input: string, name = ''): Token[] {
  const tokens: Token[] = [];
  const fail = (pos: number, message: string): never => {
    throw new TemplateError(`template: ${name}:${lineOf(input, pos)}: ${message}`);
  };
  let pos = 0;
  let trimNext = false;
  const pushText = (text: string, at: number) => {
    if (text !== '') tokens.push({ kind: 'text', value: text, pos: at });
  };
  /** ` -}}` or `}}` at `at`: its length and whether it trims. */
  const rightDelimAt = (at: number): { length: number; trim: boolean } | undefined => {
    if (isSpace(input[at]) && input[at + 1] === '-' && input.startsWith('}}', at + 2)) return { length: 4, trim: true };
    if (input.startsWith('}}', at)) return { length: 2, trim: false };
    return undefined;
  };
  const skipSpaces = (at: number) => {
    while (isSpace(input[at])) at += 1;
    return at;
  };
  for (;;) {
    const start = trimNext ? skipSpaces(pos) : pos;
    trimNext = false;
    const open = input.indexOf('{{', start);
    if (open === -1) {
      pushText(input.slice(start), start);
      tokens.push({ kind: 'eof', value: '', pos: input.length });
      return tokens;
    }
    let after = open + 2;
    const trimLeft = input[after] === '-' && isSpace(input[after + 1]);
    let text = input.slice(start, open);
    if (trimLeft) {
      text = text.replace(/[ \t\r\n]+$/, '');
      after += 2;
    }
    pushText(text, start);
    if (input.startsWith('/*', after)) {
      const end = input.indexOf('*/', after + 2);
      if (end === -1) fail(open, 'unclosed comment');
      const delimiter = rightDelimAt(end + 2);
      if (!delimiter) fail(open, 'comment ends before closing delimiter');
      pos = end + 2 + delimiter!.length;
      trimNext = delimiter!.trim;
      continue;
    }
    tokens.push({ kind: 'leftDelim', value: '{{', pos: open });
    let at = after;
    let parens = 0;
    for (;;) {
      const delimiter = rightDelimAt(at);
      if (delimiter && parens > 0) fail(at, 'unclosed left paren');
      if (delimiter) {
        tokens.push({ kind: 'rightDelim', value: '}}', pos: at });
        pos = at + delimiter.length;
        trimNext = delimiter.trim;
        break;
      }
      const character = input[at];
      if (character === undefined) fail(open, 'unclosed action');
      const begin = at;
      const push = (kind: TokenKind, value: string, end: number) => {
        tokens.push({ kind, value, pos: begin });
        at = end;
      };
      if (isSpace(character)) {
        let end = skipSpaces(at);
        if (input[end] === '-' && input.startsWith('}}', end + 1)) end -= 1;
        if (end > at) push('space', input.slice(at, end), end);
        else {
          push('space', character!, at + 1);
        }
        continue;
      }
      if (character === '=') push('assign', '=', at + 1);
      else if (character === ':') {
        if (input[at + 1] !== '=') fail(at, 'expected :=');
        push('declare', ':=', at + 2);
      } else if (character === '|') push('pipe', '|', at + 1);
      else if (character === ',') push('comma', ',', at + 1);
      else if (character === '(') {
        parens += 1;
        push('leftParen', '(', at + 1);
      } else if (character === ')') {
        parens -= 1;
        if (parens < 0) fail(at, `unexpected right paren`);
        push('rightParen', ')', at + 1);
      } else if (character === '"') {
        let end = at + 1;
        while (input[end] !== '"') {
          if (input[end] === undefined || input[end] === '\n') fail(at, 'unterminated quoted string');
          end += input[end] === '\\' ? 2 : 1;
        }
        push('string', input.slice(at, end + 1), end + 1);
      } else if (character === '`') {
        const end = input.indexOf('`', at + 1);
        if (end === -1) fail(at, 'unterminated raw quoted string');
        push('rawString', input.slice(at, end + 1), end + 1);
      } else if (character === "'") {
        let end = at + 1;
        while (input[end] !== "'") {
          if (input[end] === undefined || input[end] === '\n') fail(at, 'unterminated character constant');
          end += input[end] === '\\' ? 2 : 1;
        }
        push('char', input.slice(at, end + 1), end + 1);
      } else if (character === '$') {
        let end = at + 1;
        while (isAlphanumeric(input[end])) end += 1;
        push('variable', input.slice(at, end), end);
      } else if (character === '.' && !/[0-9]/.test(input[at + 1] ?? '')) {
        let end = at + 1;
        while (isAlphanumeric(input[end])) end += 1;
        if (end === at + 1) push('dot', '.', end);
        else push('field', input.slice(at + 1, end), end);
      } else if (/[-+0-9.]/.test(character!)) {
        const match = /^[-+]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9_]+)?)i?/.exec(input.slice(at));
        const end = at + (match?.[0].length ?? 0);
        if (!match || isAlphanumeric(input[end]) || input[end] === '.') {
          let bad = end;
          while (isAlphanumeric(input[bad]) || input[bad] === '.') bad += 1;
          fail(at, `bad number syntax: "${input.slice(at, Math.max(bad, at + 1))}"`);
        }
        push('number', match![0], end);
      } else if (isAlphanumeric(character)) {
        let end = at;
        while (isAlphanumeric(input[end])) end += 1;
        const word = input.slice(at, end);
        push(word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : keywords.has(word) ? 'keyword' : 'identifier', word, end);
      } else {
        const code = character!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        fail(at, `unrecognized character in action: U+${code} '${character}'`);
      }
    }
  }
}
