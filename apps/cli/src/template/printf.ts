import { formatValue, typeName } from './values.js';

/** Go's strconv.Quote: a double-quoted string with Go's escapes. */
export function goQuote(text: string): string {
  let quoted = '"';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '"' || character === '\\') quoted += `\\${character}`;
    else if (character === '\x07') quoted += '\\a';
    else if (character === '\b') quoted += '\\b';
    else if (character === '\f') quoted += '\\f';
    else if (character === '\n') quoted += '\\n';
    else if (character === '\r') quoted += '\\r';
    else if (character === '\t') quoted += '\\t';
    else if (character === '\v') quoted += '\\v';
    else if (code < 0x20 || code === 0x7f) quoted += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (/^[\p{C}\p{Z}]$/u.test(character) && character !== ' ') quoted += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else quoted += character;
  }
  return `${quoted}"`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width: number | undefined;
  precision: number | undefined;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  if (spec.minus) return text.padEnd(spec.width);
  if (spec.zero && numeric) {
    const sign = /^[-+]/.test(text) ? text[0]! : '';
    return sign + text.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return text.padStart(spec.width);
}

function badVerb(verb: string, value: unknown): string {
  return value === undefined || value === null ? `%!${verb}(<nil>)` : `%!${verb}(${typeName(value)}=${formatValue(value)})`;
}

function signed(text: string, value: number, spec: Spec): string {
  if (value >= 0 && spec.plus) return `+${text}`;
  if (value >= 0 && spec.space) return ` ${text}`;
  return text;
}

function formatInteger(value: number, verb: string, spec: Spec): string {
  const negative = value < 0;
  const magnitude = Math.abs(value);
  let digits: string;
  switch (verb) {
    case 'd':
      digits = String(magnitude);
      break;
    case 'x':
      digits = magnitude.toString(16);
      if (spec.sharp) digits = `0x${digits}`;
      break;
    case 'X':
      digits = magnitude.toString(16).toUpperCase();
      if (spec.sharp) digits = `0X${digits}`;
      break;
    case 'o':
      digits = magnitude.toString(8);
      if (spec.sharp) digits = `0${digits}`;
      break;
    case 'b':
      digits = magnitude.toString(2);
      break;
    default:
      digits = String(magnitude);
  }
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  return signed(negative ? `-${digits}` : digits, value, spec);
}

function formatFloatVerb(value: number, verb: string, spec: Spec): string {
  const precision = spec.precision;
  let text: string;
  switch (verb.toLowerCase()) {
    case 'f':
      text = value.toFixed(precision ?? 6);
      break;
    case 'e': {
      const [mantissa, power] = value.toExponential(precision ?? 6).split('e') as [string, string];
      text = `${mantissa}e${power.startsWith('-') ? '-' : '+'}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
      break;
    }
    default: {
      if (precision === undefined) text = formatValue(value);
      else {
        const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
        if (exponent < -4 || exponent >= precision) {
          const [mantissa, power] = value.toExponential(Math.max(precision - 1, 0)).split('e') as [string, string];
          text = `${mantissa.replace(/\.?0+$/, '')}e${power.startsWith('-') ? '-' : '+'}${power.replace(/^[-+]/, '').padStart(2, '0')}`;
        } else text = String(Number(value.toPrecision(Math.max(precision, 1))));
      }
    }
  }
  if (verb === 'E' || verb === 'G') text = text.toUpperCase();
  return signed(text, value, spec);
}

function hexOfString(text: string, upper: boolean, spec: Spec): string {
  let bytes = Buffer.from(text, 'utf8');
  if (spec.precision !== undefined) bytes = bytes.subarray(0, spec.precision);
  const hex = bytes.toString('hex');
  return upper ? hex.toUpperCase() : hex;
}

function formatOne(verb: string, value: unknown, spec: Spec): string {
  if (verb === 'v') {
    if (typeof value === 'number' && spec.plus) return pad(signed(formatValue(value), value, spec), spec, true);
    return pad(value === null ? '<nil>' : formatValue(value), spec, typeof value === 'number');
  }
  if (Array.isArray(value) && verb !== 'T') return pad(`[${value.map((item) => formatOne(verb, item, { ...spec, width: undefined })).join(' ')}]`, spec, false);
  switch (verb) {
    case 'T':
      return pad(typeName(value), spec, false);
    case 's':
      if (typeof value === 'string') return pad(spec.precision === undefined ? value : [...value].slice(0, spec.precision).join(''), spec, false);
      return badVerb(verb, value);
    case 'q':
      if (typeof value === 'string') return pad(spec.sharp && !/[`\x00-\x1f\x7f]/.test(value) ? `\`${value}\`` : goQuote(value), spec, false);
      if (typeof value === 'number' && Number.isInteger(value)) return pad(`'${goQuote(String.fromCodePoint(value)).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`, spec, false);
      return badVerb(verb, value);
    case 't':
      return typeof value === 'boolean' ? pad(String(value), spec, false) : badVerb(verb, value);
    case 'c':
      return typeof value === 'number' && Number.isInteger(value) ? pad(String.fromCodePoint(value), spec, false) : badVerb(verb, value);
    case 'U':
      return typeof value === 'number' && Number.isInteger(value) ? pad(`U+${value.toString(16).toUpperCase().padStart(4, '0')}`, spec, false) : badVerb(verb, value);
    case 'd':
    case 'o':
    case 'b':
      return typeof value === 'number' && Number.isInteger(value) ? pad(formatInteger(value, verb, spec), spec, true) : badVerb(verb, value);
    case 'x':
    case 'X':
      if (typeof value === 'string') return pad(hexOfString(value, verb === 'X', spec), spec, false);
      if (typeof value === 'number' && Number.isInteger(value)) return pad(formatInteger(value, verb, spec), spec, true);
      return badVerb(verb, value);
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      // JavaScript cannot tell 5 from 5.0: a number is a float64 here.
      return typeof value === 'number' ? pad(formatFloatVerb(value, verb, spec), spec, true) : badVerb(verb, value);
    default:
      return badVerb(verb, value);
  }
}

/** Go's fmt.Sprintf for the verbs templates use: %v %s %d %q %t %x %X %o %b %c %U %f %e %g %T %%, flags, width and precision. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argument = 0;
  let index = 0;
  while (index < format.length) {
    const percent = format.indexOf('%', index);
    if (percent === -1) {
      out += format.slice(index);
      break;
    }
    out += format.slice(index, percent);
    index = percent + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false, width: undefined, precision: undefined };
    for (;;) {
      const flag = format[index];
      if (flag === '-') spec.minus = true;
      else if (flag === '+') spec.plus = true;
      else if (flag === '#') spec.sharp = true;
      else if (flag === '0') spec.zero = true;
      else if (flag === ' ') spec.space = true;
      else break;
      index += 1;
    }
    const readNumber = (): number | undefined => {
      if (format[index] === '*') {
        index += 1;
        const value = args[argument++];
        return typeof value === 'number' ? value : undefined;
      }
      const match = /^\d+/.exec(format.slice(index));
      if (!match) return undefined;
      index += match[0].length;
      return Number(match[0]);
    };
    spec.width = readNumber();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[index] === '.') {
      index += 1;
      spec.precision = readNumber() ?? 0;
    }
    const verb = format[index];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    index += 1;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argument >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argument++], spec);
  }
  if (argument < args.length) {
    out += `%!(EXTRA ${args
      .slice(argument)
      .map((value) => (value === undefined || value === null ? '<nil>' : `${typeName(value)}=${formatValue(value)}`))
      .join(', ')})`;
  }
  return out;
}

/** Go's fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  for (const [index, value] of args.entries()) {
    if (index > 0 && typeof value !== 'string' && typeof args[index - 1] !== 'string') out += ' ';
    out += formatValue(value);
  }
  return out;
}

/** Go's fmt.Sprintln: spaces between all operands, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((value) => formatValue(value)).join(' ')}\n`;
}
