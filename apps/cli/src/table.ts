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
