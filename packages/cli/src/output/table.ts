import { showControls } from './terminal';

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
  readonly align?: 'left' | 'right';
}

/** A plain-text table for people: a header, then one line per row, columns padded to fit. */
export function table<Row>(columns: readonly Column<Row>[], rows: readonly Row[], empty = '(none)'): string {
  if (rows.length === 0) return `  ${empty}\n`;
  const cells = rows.map((row) => columns.map((column) => showControls(oneLine(column.value(row)))));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: readonly string[]) =>
    `  ${line.map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i] ?? 0) : i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd();
  return `${[render(columns.map((c) => c.header)), ...cells.map(render)].join('\n')}\n`;
}

/** A titled block of output. */
export function section(title: string, body: string): string {
  return `\n${title}\n${body}`;
}

// A value with a line break would shift every column after it.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ');

export const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
