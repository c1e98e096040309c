/**
 * Code-point order, as Go compares strings (what dockerd and the docker CLI sort by).
 * `localeCompare` goes through ICU's collator: ~15 ms to start, ~0.3 ms a call.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
