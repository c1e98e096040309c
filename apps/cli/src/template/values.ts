/**
 * How template data looks to Go: a plain object is a struct (a field it lacks is an error), an
 * object marked with `goMap` is a map (a missing key prints `<no value>`, `index` gives the zero
 * value, `range` walks its keys sorted), arrays are slices, a function-valued field is a method
 * (`{{.Label "k"}}`). `undefined` is Go's invalid value (`<no value>`), `null` a nil pointer.
 */
const mapMarker = Symbol('go map');
const typeMarker = Symbol('go type');

interface Marked {
  [mapMarker]?: { zero: unknown };
  [typeMarker]?: string;
}

/** Marks `value` as a Go map whose missing keys have the zero value `zero` (`''` for map[string]string). */
export function goMap<T extends object>(value: T, zero?: unknown): T {
  Object.defineProperty(value, mapMarker, { value: { zero }, enumerable: false });
  return value;
}

/** Names a struct's Go type, as Go's error messages spell it (`*formatter.ContainerContext`). */
export function goType<T extends object>(value: T, name: string): T {
  Object.defineProperty(value, typeMarker, { value: name, enumerable: false });
  return value;
}

export function isGoMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && (value as Marked)[mapMarker] !== undefined;
}

export function mapZero(value: Record<string, unknown>): unknown {
  return (value as Marked)[mapMarker]?.zero;
}

export function isStruct(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isGoMap(value);
}

/** The Go type name of a value, for error messages. */
export function typeName(value: unknown): string {
  if (value === undefined) return '<nil>';
  if (value === null) return '*interface {}';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'function') return 'func';
  if (Array.isArray(value)) return value.every((item) => typeof item === 'string') && value.length > 0 ? '[]string' : '[]interface {}';
  const named = (value as Marked)[typeMarker];
  if (named) return named;
  if (isGoMap(value)) return typeof mapZero(value) === 'string' ? 'map[string]string' : 'map[string]interface {}';
  return 'struct';
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false; a struct is true. */
export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (isGoMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e21. */
function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (Number.isInteger(value)) return String(value);
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 21) {
    const [mantissa, power] = value.toExponential().split('e') as [string, string];
    const sign = power.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(value);
}

/** Go's `fmt.Sprint` of one value (`%v`): what `{{.Field}}` prints. */
export function formatValue(value: unknown, nested = false): string {
  if (value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatFloat(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return nested ? '0x0' : '<func>';
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item, true)).join(' ')}]`;
  if (isGoMap(value)) {
    return `map[${Object.keys(value)
      .sort()
      .map((key) => `${key}:${formatValue(value[key], true)}`)
      .join(' ')}]`;
  }
  const fields = Object.values(value as Record<string, unknown>).filter((field) => typeof field !== 'function');
  return `{${fields.map((field) => formatValue(field, true)).join(' ')}}`;
}

/** Go's `json.Marshal` (no HTML escaping): map keys sorted, methods left out, the invalid value as null. */
export function toJson(value: unknown): string {
  return (
    JSON.stringify(value === undefined ? null : value, function (this: unknown, _key, field: unknown) {
      if (isGoMap(field)) return Object.fromEntries(Object.keys(field).sort().map((key) => [key, field[key]]));
      return field;
    }) ?? 'null'
  );
}
