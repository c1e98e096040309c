import { TerminalError } from './errors.js';

/** Docker's default detach sequence. */
export const defaultDetachKeys = 'ctrl-p,ctrl-q';

const controlSymbols: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/**
 * Parses a detach sequence in Docker's `--detach-keys` format: a comma-separated list of keys,
 * each either a single character or `ctrl-<value>` where `<value>` is a letter `a`-`z` or one of
 * `@ [ \ ] ^ _`. Returns the bytes the keyboard sends for that sequence.
 *
 * @example parseDetachKeys('ctrl-p,ctrl-q') // Uint8Array [0x10, 0x11]
 */
export function parseDetachKeys(spec: string): Uint8Array {
  if (spec === '') throw invalid(spec, 'it is empty');
  const bytes = spec.split(',').map((key) => {
    if (key.length === 1) {
      const code = key.charCodeAt(0);
      if (code > 0x7f) throw invalid(spec, `key ${JSON.stringify(key)} is not an ASCII character`);
      return code;
    }
    const match = /^ctrl-(.)$/i.exec(key);
    const value = match?.[1];
    if (value === undefined) throw invalid(spec, `key ${JSON.stringify(key)} is neither one character nor ctrl-<value>`);
    const lower = value.toLowerCase();
    if (lower >= 'a' && lower <= 'z') return lower.charCodeAt(0) - 0x60;
    const symbol = controlSymbols[value];
    if (symbol === undefined) throw invalid(spec, `ctrl-${value} is not a control key (use a-z, @, [, \\, ], ^ or _)`);
    return symbol;
  });
  return Uint8Array.from(bytes);
}

function invalid(spec: string, reason: string): TerminalError {
  return new TerminalError('INVALID_DETACH_KEYS', `invalid detach keys ${JSON.stringify(spec)}: ${reason}`);
}

export interface DetachScan {
  /** Bytes to pass on to the program. */
  forward: Buffer;
  /** True when the whole detach sequence was typed; bytes after it in the same chunk are dropped. */
  detached: boolean;
}

/**
 * Watches keyboard input for a detach sequence. Bytes that might start the sequence are held back
 * until the sequence either completes (detach: they are never sent) or breaks (they are sent,
 * in order, with the byte that broke it), as Docker does.
 */
export class DetachKeyScanner {
  readonly #sequence: Uint8Array;
  #matched = 0;

  constructor(sequence: Uint8Array) {
    this.#sequence = sequence;
  }

  scan(chunk: Uint8Array): DetachScan {
    const forward: number[] = [];
    for (const byte of chunk) {
      if (byte === this.#sequence[this.#matched]) {
        this.#matched += 1;
        if (this.#matched === this.#sequence.length) {
          this.#matched = 0;
          return { forward: Buffer.from(forward), detached: true };
        }
        continue;
      }
      // The sequence broke: keep the longest tail of (held bytes + this byte) that still starts
      // the sequence, and release everything before it.
      const candidate = [...this.#sequence.subarray(0, this.#matched), byte];
      let keep = candidate.length - 1;
      while (keep > 0 && !this.#startsSequence(candidate.slice(candidate.length - keep))) keep -= 1;
      forward.push(...candidate.slice(0, candidate.length - keep));
      this.#matched = keep;
    }
    return { forward: Buffer.from(forward), detached: false };
  }

  #startsSequence(bytes: number[]): boolean {
    return bytes.every((byte, index) => this.#sequence[index] === byte);
  }
}
