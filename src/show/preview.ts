/**
 * `tsql show`: the preview query (the node's select with the limit pushed into
 * the SQL, so the warehouse stops early) and the printed result. Pure: no
 * connection here.
 */
import { dateTimeText } from '../util/date-text.js';

/** The node's select, wrapped so that every engine (DuckDB, PostgreSQL, Redshift, Snowflake) returns at most `limit` rows. */
export function previewSql(select: string, limit: number): string {
  const body = select.trim().replace(/;+\s*$/, '');
  return `select * from (\n${body}\n) as tsql_show_preview\nlimit ${limit}`;
}

/** One cell as JSON can carry it (big integers as numbers when exact, else strings; dates as ISO text). */
export function jsonCell(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v !== null && typeof v === 'object') return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
  return v;
}

/** One cell as the table prints it: a Date (an engine that gives no text for it) as `2024-01-03 10:00:00`, not ISO's `…T…Z`. */
function cellText(v: unknown): string {
  if (v instanceof Date) return dateTimeText(v) ?? 'null';
  const j = jsonCell(v);
  if (j === null || j === undefined) return 'null';
  return typeof j === 'object' ? JSON.stringify(j) : String(j);
}

/** The rows as a text table, dbt show's shape: a header, a rule, one line per row; numbers right-aligned. */
export function formatTable(rows: Record<string, unknown>[], columns: string[]): string {
  if (!columns.length) return '(no columns)\n';
  const cells = rows.map((r) => columns.map((c) => cellText(r[c])));
  // a column of numbers (and nulls) is right-aligned; one of nulls only is not
  const isNumber = (v: unknown) => typeof v === 'number' || typeof v === 'bigint';
  const numeric = columns.map((c) => rows.some((r) => isNumber(r[c])) && rows.every((r) => r[c] === null || r[c] === undefined || isNumber(r[c])));
  // a right-aligned column's rule is at least `-:` (a lone `:` is no markdown rule)
  const widths = columns.map((c, i) => Math.max(numeric[i] ? 2 : 1, c.length, ...cells.map((row) => row[i].length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(columns), rule, ...cells.map(line)].join('\n') + '\n';
}
