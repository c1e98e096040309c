import { DaemonError } from './errors.js';

/** A JSON object field of a request (absent or null: undefined). @throws DaemonError BAD_PARAMETER naming the field */
export function objectField(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new DaemonError('BAD_PARAMETER', `invalid ${field}: expected a JSON object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

/** A `{string: string}` field (Labels, DriverOpts, Options). @throws DaemonError BAD_PARAMETER naming the field and value */
export function stringMap(value: unknown, field: string): Record<string, string> {
  const object = objectField(value, field) ?? {};
  for (const [key, item] of Object.entries(object)) if (typeof item !== 'string') throw new DaemonError('BAD_PARAMETER', `invalid ${field}.${key} ${JSON.stringify(item)}: expected a string`);
  return object as Record<string, string>;
}

/** Docker's `label` filter values (`key` or `key=value`, every one must hold) as a test of a label map. */
export function labelFilter(values: readonly string[]): (labels: Readonly<Record<string, string>>) => boolean {
  return (labels) =>
    values.every((value) => {
      const equals = value.indexOf('=');
      const key = equals === -1 ? value : value.slice(0, equals);
      return key in labels && (equals === -1 || labels[key] === value.slice(equals + 1));
    });
}
