import { showControls } from './terminal';

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: 'left' | 'right';
}

/** A plain-text table for people: a header, then one line per row, columns padded to fit. */
export function table<Row>(columns: readonly Column<Row>[], rows: readonly Row[], empty = '(none)'): string {
  let text = '';
  writeTable(
    (chunk) => (text += chunk),
    columns,
    () => rows,
    empty,
  );
  return text;
}

const ROWS_PER_WRITE = 1_000;

/**
 * The same table written as it is rendered, for one too large to hold as text (a row per
 * customer): a first pass over `rows` finds the widths, a second writes the lines, a
 * thousand at a time, so only the widths and one chunk are ever held.
 */
export function writeTable<Row>(write: (chunk: string) => void, columns: readonly Column<Row>[], rows: () => Iterable<Row>, empty = '(none)'): void {
  const cellsOf = (row: Row) => columns.map((column) => showControls(oneLine(column.value(row))));
  const widths = columns.map((column) => column.header.length);
  let any = false;
  for (const row of rows()) {
    any = true;
    cellsOf(row).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  }
  if (!any) return write(`  ${empty}\n`);
  const render = (line: readonly string[]) =>
    `  ${line.map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  let chunk = `${render(columns.map((c) => c.header))}\n`;
  let lines = 0;
  for (const row of rows()) {
    chunk += `${render(cellsOf(row))}\n`;
    if (++lines % ROWS_PER_WRITE === 0) {
      write(chunk);
      chunk = '';
    }
  }
  write(chunk);
}

/** A titled block of output. */
export function section(title: string, body: string): string {
  return `\n${title}\n${body}`;
}

// A value with a line break would shift every column after it.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
