import { usageError } from './errors.js';

/**
 * A small subset of Go templates as `docker ... --format` takes them: `{{.Field.Sub}}`,
 * `{{json .Field}}` and `{{json .}}`; other text is kept. Enough for scripts such as
 * `--format '{{.State.ExitCode}}'`.
 */
export function renderTemplate(template: string, value: unknown): string {
  return template.replace(/\{\{\s*(json\s+)?\.([A-Za-z0-9_.]*)\s*\}\}/g, (_match, json: string | undefined, path: string) => {
    let current: unknown = value;
    for (const key of path.split('.').filter((part) => part !== '')) {
      if (current === null || typeof current !== 'object' || !(key in current)) {
        throw usageError(`template ${JSON.stringify(template)}: no field ${JSON.stringify(key)} in .${path}`);
      }
      current = (current as Record<string, unknown>)[key];
    }
    if (json) return JSON.stringify(current);
    if (current === null || current === undefined) return '<no value>';
    if (typeof current === 'object') return Array.isArray(current) ? `[${current.join(' ')}]` : JSON.stringify(current);
    return String(current);
  }).replace(/\\n/g, '\n');
}

/** Applies `--format`: `json` (one JSON document per item), a template, or the caller's table. */
export function formatEach(format: string, items: readonly unknown[]): string {
  if (format === 'json') return items.map((item) => `${JSON.stringify(item)}\n`).join('');
  if (!format.includes('{{')) throw usageError(`invalid value ${JSON.stringify(format)} for flag --format: use json or a template like '{{.ID}}'`);
  return items.map((item) => `${renderTemplate(format, item)}\n`).join('');
}
