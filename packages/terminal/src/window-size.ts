import { TerminalError } from './errors.js';

/** A terminal window size in character cells. */
export interface WindowSize {
  cols: number;
  rows: number;
}

/** The kernel's `struct winsize` holds unsigned shorts; zero means "unknown" and is refused here. */
export function assertWindowSize(cols: number, rows: number): void {
  const valid = (value: number) => Number.isInteger(value) && value >= 1 && value <= 0xffff;
  if (!valid(cols) || !valid(rows)) {
    throw new TerminalError('INVALID_SIZE', `invalid window size ${cols}x${rows}: columns and rows must be whole numbers from 1 to 65535`);
  }
}
