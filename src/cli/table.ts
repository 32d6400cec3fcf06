// Plain-text tables for terminal output.

/** Formats rows under a header with aligned columns (numbers right-aligned). */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCell(c) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function formatCell(v: number): string {
  return Number.isNaN(v) ? 'n/a' : v.toFixed(2);
}

/** A fraction in [0, 1] as a percentage number with two decimals (for tables). */
export function pct(v: number): number {
  return 100 * v;
}
