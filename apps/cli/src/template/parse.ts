import { lex, lineOf, type Token } from './lex.js';
import { TemplateError } from './template-error.js';

/** The parse tree of Go's text/template (text/template/parse/node.go), the nodes docker scripts use. */
export type Argument =
  | { kind: 'field'; pos: number; idents: string[] }
  | { kind: 'variable'; pos: number; name: string; idents: string[] }
  | { kind: 'dot'; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'bool'; pos: number; value: boolean }
  | { kind: 'number'; pos: number; value: number; text: string }
  | { kind: 'string'; pos: number; value: string; text: string }
  | { kind: 'identifier'; pos: number; name: string }
  | { kind: 'pipe'; pos: number; pipe: Pipeline }
  | { kind: 'chain'; pos: number; node: Argument; idents: string[] };

export interface Command {
  pos: number;
  args: Argument[];
}

export interface Pipeline {
  pos: number;
  /** `$x :=` / `$k, $v :=` (or `=` with `assign`). */
  decl: string[];
  assign: boolean;
  commands: Command[];
}

export type Node =
  | { kind: 'text'; pos: number; text: string }
  | { kind: 'action'; pos: number; pipe: Pipeline }
  | { kind: 'if' | 'with' | 'range'; pos: number; pipe: Pipeline; list: Node[]; elseList: Node[] | undefined }
  | { kind: 'break' | 'continue'; pos: number };

export interface Tree {
  name: string;
  source: string;
  root: Node[];
}

/** Go's `String()` of a node: the context of an execution error (`at <.Nope>`). */
export function describeArgument(argument: Argument): string {
  switch (argument.kind) {
    case 'field':
      return argument.idents.map((ident) => `.${ident}`).join('');
    case 'variable':
      return [argument.name, ...argument.idents].join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(argument.value);
    case 'number':
    case 'string':
      return argument.text;
    case 'identifier':
      return argument.name;
    case 'pipe':
      return `(${describePipeline(argument.pipe)})`;
    case 'chain':
      return `${describeArgument(argument.node)}${argument.idents.map((ident) => `.${ident}`).join('')}`;
  }
}

export function describeCommand(command: Command): string {
  return command.args.map(describeArgument).join(' ');
}

export function describePipeline(pipe: Pipeline): string {
  const decl = pipe.decl.length > 0 ? `${pipe.decl.join(', ')} ${pipe.assign ? '=' : ':='} ` : '';
  return decl + pipe.commands.map(describeCommand).join(' | ');
}

export function describeNode(node: Node): string {
  switch (node.kind) {
    case 'text':
      return node.text;
    case 'action':
      return `{{${describePipeline(node.pipe)}}}`;
    case 'break':
    case 'continue':
      return `{{${node.kind}}}`;
    default:
      return `{{${node.kind} ${describePipeline(node.pipe)}}}${node.list.map(describeNode).join('')}${node.elseList ? `{{else}}${node.elseList.map(describeNode).join('')}` : ''}{{end}}`;
  }
}

/** Go's string literal: `"a\tb"` with Go's escapes, `` `raw` `` as is. */
export function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  const body = text.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_match, escape: string) => {
    switch (escape[0]) {
      case 'x':
      case 'u':
      case 'U':
        return String.fromCodePoint(Number.parseInt(escape.slice(1), 16));
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return '\v';
      default:
        return /^[0-7]{3}$/.test(escape) ? String.fromCharCode(Number.parseInt(escape, 8)) : escape;
    }
  });
}

function parseNumber(text: string): number {
  const clean = text.replace(/_/g, '');
  const sign = clean.startsWith('-') ? -1 : 1;
  const digits = clean.replace(/^[-+]/, '');
  if (/^0[xX]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 16);
  if (/^0[bB]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 2);
  if (/^0[oO]/.test(digits)) return sign * Number.parseInt(digits.slice(2), 8);
  if (/^0[0-7]+$/.test(digits)) return sign * Number.parseInt(digits, 8);
  return sign * Number(digits);
}

/** Parses a template as Go does; `functions` are the names it may call (others are a parse error). */
export function parse(source: string, functions: ReadonlySet<string>, name = ''): Tree {
  const tokens = lex(source, name);
  let index = 0;
  const variables: string[] = ['$'];
  let rangeDepth = 0;
  const fail = (token: Token, message: string): never => {
    throw new TemplateError(`template: ${name}:${lineOf(source, token.pos)}: ${message}`);
  };
  const peek = () => tokens[index]!;
  const next = () => tokens[index++]!;
  const peekNonSpace = () => {
    while (peek().kind === 'space') index += 1;
    return peek();
  };
  const nextNonSpace = () => {
    peekNonSpace();
    return next();
  };
  const describeToken = (token: Token) => (token.kind === 'eof' ? 'EOF' : token.kind === 'keyword' ? `<${token.value}>` : JSON.stringify(token.value));
  const unexpected = (token: Token, context: string): never => fail(token, `unexpected ${describeToken(token)} in ${context}`);
  const expectRightDelim = (context: string) => {
    const token = nextNonSpace();
    if (token.kind !== 'rightDelim') unexpected(token, context);
  };

  function term(): Argument | undefined {
    const token = nextNonSpace();
    switch (token.kind) {
      case 'identifier':
        if (!functions.has(token.value)) fail(token, `function ${JSON.stringify(token.value)} not defined`);
        return { kind: 'identifier', pos: token.pos, name: token.value };
      case 'dot':
        return { kind: 'dot', pos: token.pos };
      case 'nil':
        return { kind: 'nil', pos: token.pos };
      case 'variable':
        if (!variables.includes(token.value)) fail(token, `undefined variable ${JSON.stringify(token.value)}`);
        return { kind: 'variable', pos: token.pos, name: token.value, idents: [] };
      case 'field':
        return { kind: 'field', pos: token.pos, idents: [token.value] };
      case 'bool':
        return { kind: 'bool', pos: token.pos, value: token.value === 'true' };
      case 'char': {
        const value = unquote(`"${token.value.slice(1, -1)}"`).codePointAt(0) ?? 0;
        return { kind: 'number', pos: token.pos, value, text: token.value };
      }
      case 'number':
        return { kind: 'number', pos: token.pos, value: parseNumber(token.value), text: token.value };
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: token.pos, value: unquote(token.value), text: token.value };
      case 'leftParen': {
        const pipe = pipeline('parenthesized pipeline', 'rightParen');
        return { kind: 'pipe', pos: token.pos, pipe };
      }
      default:
        index -= 1;
        return undefined;
    }
  }

  function operand(): Argument | undefined {
    const node = term();
    if (!node) return undefined;
    if (peek().kind !== 'field') return node;
    const idents: string[] = [];
    while (peek().kind === 'field') idents.push(next().value);
    if (node.kind === 'field') return { ...node, idents: [...node.idents, ...idents] };
    if (node.kind === 'variable') return { ...node, idents: [...node.idents, ...idents] };
    if (node.kind === 'bool' || node.kind === 'string' || node.kind === 'number' || node.kind === 'nil' || node.kind === 'dot') {
      fail(tokens[index - 1]!, `unexpected . after term ${JSON.stringify(describeArgument(node))}`);
    }
    return { kind: 'chain', pos: node.pos, node, idents };
  }

  function command(): Command {
    const args: Argument[] = [];
    const pos = peekNonSpace().pos;
    for (;;) {
      peekNonSpace();
      const argument = operand();
      if (argument) args.push(argument);
      const token = peek();
      if (token.kind === 'space') continue;
      if (token.kind === 'rightDelim' || token.kind === 'rightParen') break;
      if (token.kind === 'pipe') break;
      if (!argument) unexpected(token, 'operand');
      fail(token, `unexpected ${describeToken(token)} in operand`);
    }
    if (args.length === 0) fail(peek(), 'empty command');
    return { pos, args };
  }

  function pipeline(context: string, end: 'rightDelim' | 'rightParen'): Pipeline {
    const pos = peekNonSpace().pos;
    const decl: string[] = [];
    let assign = false;
    // `$x :=`, `$x =`, `$k, $v :=` (the last only in range).
    const save = index;
    if (peek().kind === 'variable') {
      const variable = next();
      const after = peekNonSpace();
      if (after.kind === 'declare' || after.kind === 'assign') {
        next();
        assign = after.kind === 'assign';
        decl.push(variable.value);
      } else if (after.kind === 'comma' && context === 'range') {
        next();
        const second = nextNonSpace();
        if (second.kind !== 'variable') fail(second, `range can only initialize variables`);
        const operator = nextNonSpace();
        if (operator.kind !== 'declare' && operator.kind !== 'assign') fail(operator, 'expected := or = after range variables');
        assign = operator.kind === 'assign';
        decl.push(variable.value, second.value);
      } else index = save;
    }
    for (const variable of decl) {
      if (assign) {
        if (!variables.includes(variable)) fail(tokens[save]!, `undefined variable ${JSON.stringify(variable)}`);
      } else variables.push(variable);
    }
    const commands: Command[] = [];
    for (;;) {
      const token = peekNonSpace();
      if (token.kind === end) {
        next();
        break;
      }
      if (token.kind === 'rightDelim' || token.kind === 'rightParen' || token.kind === 'eof') {
        if (token.kind === 'eof' || end === 'rightParen') fail(token, end === 'rightParen' ? 'unclosed left paren' : 'unclosed action');
        unexpected(token, context);
      }
      commands.push(command());
      if (peekNonSpace().kind === 'pipe') {
        next();
        const after = peekNonSpace();
        if (after.kind === end || after.kind === 'rightDelim') fail(after, 'missing command');
      }
    }
    if (commands.length === 0) fail(tokens[index - 1]!, `missing value for ${context}`);
    for (const [stage, { args }] of commands.entries()) {
      const first = args[0]!;
      if (stage > 0 && (first.kind === 'bool' || first.kind === 'dot' || first.kind === 'nil' || first.kind === 'number' || first.kind === 'string')) {
        fail(tokens[index - 1]!, `non executable command in pipeline stage ${stage + 1}`);
      }
    }
    return { pos, decl, assign, commands };
  }

  /** Nodes up to `{{end}}` or `{{else}}` (returned, the delimiter consumed up to the keyword). */
  function list(): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; token: Token } {
    const nodes: Node[] = [];
    for (;;) {
      const token = next();
      if (token.kind === 'eof') return { nodes, stop: 'eof', token };
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', pos: token.pos, text: token.value });
        continue;
      }
      // A left delimiter.
      const keyword = peekNonSpace();
      if (keyword.kind === 'keyword') {
        next();
        switch (keyword.value) {
          case 'end':
            expectRightDelim('end');
            return { nodes, stop: 'end', token: keyword };
          case 'else':
            return { nodes, stop: 'else', token: keyword };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(control(keyword.value, token));
            continue;
          case 'break':
          case 'continue':
            if (rangeDepth === 0) fail(keyword, `{{${keyword.value}}} outside {{range}}`);
            expectRightDelim(keyword.value);
            nodes.push({ kind: keyword.value, pos: token.pos });
            continue;
          default:
            fail(keyword, `{{${keyword.value}}} is not supported`);
        }
      }
      nodes.push({ kind: 'action', pos: token.pos, pipe: pipeline('command', 'rightDelim') });
    }
  }

  function control(kind: 'if' | 'with' | 'range', delimiter: Token): Node {
    const depth = variables.length;
    const pipe = pipeline(kind, 'rightDelim');
    if (kind === 'range') rangeDepth += 1;
    const body = list();
    if (kind === 'range') rangeDepth -= 1;
    let elseList: Node[] | undefined;
    if (body.stop === 'eof') fail(body.token, 'unexpected EOF');
    if (body.stop === 'else') {
      const chained = peekNonSpace();
      if ((kind === 'if' || kind === 'with') && chained.kind === 'keyword' && chained.value === kind) {
        // `{{else if ...}}`: an if in the else branch, ended by the same {{end}}.
        next();
        variables.length = depth;
        elseList = [control(kind, chained)];
      } else {
        expectRightDelim('else');
        variables.length = depth;
        const rest = list();
        if (rest.stop === 'eof') fail(rest.token, 'unexpected EOF');
        if (rest.stop === 'else') fail(rest.token, `expected end; found {{else}}`);
        elseList = rest.nodes;
      }
    }
    variables.length = depth;
    return { kind, pos: delimiter.pos, pipe, list: body.nodes, elseList };
  }

  const top = list();
  if (top.stop !== 'eof') fail(top.token, `unexpected {{${top.stop}}}`);
  return { name, source, root: top.nodes };
}
