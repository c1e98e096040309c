import { usageError } from './errors.js';
import { formatTable } from './table.js';

/**
 * The subset of Go templates that `docker ... --format` scripts use: `{{.Field.Sub}}`, `{{.}}`,
 * `{{json .Field}}`, `{{json .}}`, the trim markers `{{-` and `-}}`, the escapes `\t` and `\n`,
 * and (for lists) Docker's `table` prefix. Anything else (`{{range}}`, `{{index}}`, `{{if}}`,
 * an unclosed `{{`, a field the value does not have) is an error naming the template (125),
 * never text printed as is.
 */
type TemplateNode = { kind: 'text'; text: string } | { kind: 'field'; path: string[]; json: boolean };

export interface ParsedTemplate {
  /** As typed. */
  source: string;
  /** Docker's `table ...`: a header line, columns aligned at tabs. */
  table: boolean;
  nodes: TemplateNode[];
}

const supported = 'supported: {{.Field}}, {{json .Field}}, {{json .}}, a "table" prefix for lists';

function templateError(source: string, problem: string): Error {
  return usageError(`invalid template ${JSON.stringify(source)} for flag --format: ${problem} (${supported})`);
}

/** Parses a template; `allowTable` for lists (ps, images, stats), `fields` to check field names before any item is rendered. */
export function parseTemplate(source: string, options: { allowTable?: boolean; fields?: readonly string[] } = {}): ParsedTemplate {
  let text = source;
  const table = text.startsWith('table');
  if (table) {
    if (!options.allowTable) throw templateError(source, 'a "table" format is for lists only');
    text = text.slice('table'.length).trim();
  }
  text = text.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const nodes: TemplateNode[] = [];
  let position = 0;
  let trimNext = false;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    let literal = text.slice(position, open === -1 ? undefined : open);
    if (trimNext) literal = literal.replace(/^\s+/, '');
    if (open === -1) {
      if (literal.includes('}}')) throw templateError(source, 'unexpected "}}" without "{{"');
      if (literal !== '') nodes.push({ kind: 'text', text: literal });
      break;
    }
    const close = text.indexOf('}}', open + 2);
    if (close === -1) throw templateError(source, `unclosed action ${JSON.stringify(text.slice(open))}`);
    let inner = text.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      literal = literal.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    if (literal.includes('}}')) throw templateError(source, 'unexpected "}}" without "{{"');
    if (literal !== '') nodes.push({ kind: 'text', text: literal });
    nodes.push(parseAction(source, inner.trim(), options.fields));
    position = close + 2;
  }
  return { source, table, nodes };
}

function parseAction(source: string, action: string, fields: readonly string[] | undefined): TemplateNode {
  const match = /^(json\s+)?\.((?:[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?$/.exec(action);
  if (!match) {
    const word = /^[A-Za-z_]\w*/.exec(action)?.[0];
    if (action === '') throw templateError(source, 'empty action {{}}');
    throw templateError(source, word ? `{{${word}}} is not supported` : `unsupported action {{${action}}}`);
  }
  const path = match[2] === undefined ? [] : match[2].split('.');
  if (fields && path[0] !== undefined && !fields.includes(path[0])) {
    throw templateError(source, `no field ${JSON.stringify(path[0])} (fields: ${fields.join(', ')})`);
  }
  return { kind: 'field', path, json: match[1] !== undefined };
}

function lookup(template: ParsedTemplate, value: unknown, path: readonly string[]): unknown {
  let current: unknown = value;
  for (const [index, key] of path.entries()) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !(key in current)) {
      throw templateError(template.source, `no field ${JSON.stringify(key)} in .${path.slice(0, index + 1).join('.')}`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (typeof value === 'object') return Array.isArray(value) ? `[${value.join(' ')}]` : JSON.stringify(value);
  return String(value);
}

/** Renders one value (`execute`); `headers` renders the header line of a table instead. */
export function executeTemplate(template: ParsedTemplate, value: unknown, headers?: Readonly<Record<string, string>>): string {
  return template.nodes
    .map((node) => {
      if (node.kind === 'text') return node.text;
      if (headers) return node.path.length === 0 ? '' : (headers[node.path[0]!] ?? node.path.join('.').toUpperCase());
      const found = lookup(template, value, node.path);
      return node.json ? (JSON.stringify(found) ?? 'null') : show(found);
    })
    .join('');
}

/** Renders `template` with one value (inspect -f): no `table`. */
export function renderTemplate(template: string, value: unknown): string {
  return executeTemplate(parseTemplate(template), value);
}

/**
 * Applies `--format` to a list: `json` (one JSON document per item), a template (one line per
 * item), or `table TEMPLATE` (a header line from `headers`, columns aligned at tabs). The template
 * is checked before anything is printed, also when there are no items. With `headers`, its keys
 * are the fields an item has.
 */
export function formatEach(format: string, items: readonly unknown[], options: { headers?: Readonly<Record<string, string>> } = {}): string {
  if (format === 'json') return items.map((item) => `${JSON.stringify(item)}\n`).join('');
  const template = parseTemplate(format, { allowTable: options.headers !== undefined, ...(options.headers ? { fields: Object.keys(options.headers) } : {}) });
  if (!template.nodes.some((node) => node.kind === 'field')) {
    throw usageError(`invalid value ${JSON.stringify(format)} for flag --format: use json or a template like '{{.ID}}'`);
  }
  const lines = items.map((item) => executeTemplate(template, item));
  if (!template.table) return lines.map((line) => `${line}\n`).join('');
  const header = executeTemplate(template, undefined, options.headers).split('\t');
  const rows = lines.flatMap((line) => line.split('\n')).map((line) => line.split('\t'));
  return formatTable(header, rows);
}
