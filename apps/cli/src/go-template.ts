import { usageError } from './errors.js';
import { execute } from './template/execute.js';
import { builtinFunctions, dockerFunctions, dockerHeaderFunctions, type FunctionMap } from './template/functions.js';
import { parse, type Tree } from './template/parse.js';
import { TemplateError } from './template/template-error.js';
import { goMap } from './template/values.js';
import { alignTabs } from './table.js';

export { goMap, goType } from './template/values.js';

/**
 * `--format` templates as the docker CLI runs them: Go's text/template (actions, pipelines,
 * if/else/with/range, variables, Go's predefined functions) with the docker CLI's functions
 * (json, join, split, lower, upper, title, pad, truncate). A parse error or an execution error
 * (a struct field the value lacks, a wrong argument) is a usage error (125) naming the template,
 * in Go's words; output is written only once every item has rendered.
 */
export interface ParsedTemplate {
  /** As typed. */
  source: string;
  /** Docker's `table ...`: a header line, columns aligned at tabs. */
  table: boolean;
  tree: Tree;
}

const functions: FunctionMap = { ...builtinFunctions, ...dockerFunctions };
const functionNames: ReadonlySet<string> = new Set(Object.keys(functions));

function templateError(source: string, error: unknown): Error {
  if (!(error instanceof TemplateError)) return error as Error;
  return usageError(`invalid template ${JSON.stringify(source)} for flag --format: ${error.message}`);
}

/**
 * Parses a template. With `list` (ps, images, stats: the docker CLI's formatter), a `table`
 * prefix makes a table, and the two-character escapes `\t` and `\n` become a tab and a newline;
 * for one object (inspect, version, info) the text is Go's alone.
 */
export function parseTemplate(source: string, options: { list?: boolean } = {}): ParsedTemplate {
  let text = source;
  const table = options.list === true && text.startsWith('table');
  if (table) text = text.slice('table'.length);
  if (options.list) text = text.replace(/^ +| +$/g, '').replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  try {
    return { source, table, tree: parse(text, functionNames) };
  } catch (error) {
    throw templateError(source, error);
  }
}

/** Renders one value; an execution error names the template. */
export function executeTemplate(template: ParsedTemplate, value: unknown): string {
  try {
    return execute(template.tree, value, functions);
  } catch (error) {
    throw templateError(template.source, error);
  }
}

/** Renders `template` with one value (inspect -f, version -f). */
export function renderTemplate(template: string, value: unknown): string {
  return executeTemplate(parseTemplate(template), value);
}

/** `{{json .}}`: the docker CLI's `--format json`. */
const jsonTemplate = '{{json .}}';

/**
 * Applies `--format` to a list as the docker CLI's formatter does: `json` (`{{json .}}`, one
 * document per item), a template (one line per item), or `table TEMPLATE` (a header line rendered
 * from `headers` with the functions passing header text through, columns aligned at tabs).
 * The template is parsed before anything is printed, also when there are no items.
 */
export function formatEach(format: string, items: readonly unknown[], options: { headers?: Readonly<Record<string, string>> } = {}): string {
  const template = parseTemplate(format === 'json' ? jsonTemplate : format, { list: true });
  const lines = items.map((item) => `${executeTemplate(template, item)}\n`).join('');
  if (!template.table) return lines;
  const header: string[] = [];
  try {
    execute(template.tree, goMap({ ...options.headers }, ''), { ...functions, ...dockerHeaderFunctions }, header);
  } catch {
    // The docker CLI ignores an error in the header: what rendered before it is the header.
  }
  return alignTabs(`${header.join('')}\n${lines}`);
}
