/** Columns separated by at least three spaces, as Docker's tabwriter prints them (rows may have more or fewer cells than the header). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const columns = Math.max(...all.map((cells) => cells.length));
  const widths = Array.from({ length: columns }, (_, column) => Math.max(...all.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]! + 3)))
      .join('')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}

/**
 * Go's tabwriter as the docker CLI sets it up for `--format 'table ...'` (minimum width 10,
 * padding 3, blanks): cells end at tabs, a column is as wide as its widest cell plus 3, at least 10;
 * the text after a line's last tab is not padded.
 */
export function alignTabs(text: string): string {
  const lines = text.split('\n');
  const cells = lines.map((line) => line.split('\t'));
  const widths: number[] = [];
  for (const row of cells) {
    for (let column = 0; column < row.length - 1; column += 1) widths[column] = Math.max(widths[column] ?? 0, [...row[column]!].length + 3, 10);
  }
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column]! - [...cell].length))).join('')).join('\n');
}
