import type { Table } from './tables.ts';

/** Renders a table as aligned plain text for the terminal. */
export function renderText(table: Table): string {
  const widths = table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [
    table.title,
    line(table.headers),
    line(widths.map((width) => '-'.repeat(width))),
    ...table.rows.map(line),
    ...table.notes,
  ].join('\n');
}

/** Renders a table as GitHub-flavoured Markdown, with its notes as a paragraph below. */
export function renderMarkdown(table: Table): string {
  const escape = (cell: string): string => cell.replaceAll('|', '\\|');
  const row = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  const lines = [`### ${table.title}`, '', row(table.headers), row(table.headers.map(() => '---')), ...table.rows.map(row)];
  if (table.notes.length > 0) lines.push('', table.notes.join(' '));
  return lines.join('\n');
}
