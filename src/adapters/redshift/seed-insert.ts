import { valueText as paramText } from '../../seeds/csv-write.js';
import type { Column, Relation } from '../types.js';

/**
 * Seeds without COPY FROM STDIN (Redshift has none): multi-row
 * INSERT … VALUES statements with bound values, never spliced into the text.
 *
 * - `named` (Data API): `:p1`, `:p2`, …, every value a non-empty string
 *   (the API refuses empty ones). NULL and '' are written as literals
 *   (NULL, '') instead; the API limits a statement to 100 kB, so text and
 *   values together stay under `maxBytes`.
 * - `positional` (pg protocol): `$1`, `$2`, …, nulls bound too, at most
 *   32767 parameters per statement.
 */
export interface InsertBatch {
  sql: string;
  /** named: { name, value } pairs; positional: values in order */
  params: Array<{ name: string; value: string }> | Array<string | null>;
  rows: number;
}

export interface InsertLimits {
  maxBytes: number;
  maxParams: number;
  maxRows: number;
}

/** The Data API refuses query strings over 100 kB; keep a margin. */
export const DATA_API_LIMITS: InsertLimits = { maxBytes: 90_000, maxParams: 10_000, maxRows: 1000 };
/** Redshift takes at most 32767 parameters per statement (and statements up to 16 MB). */
export const PG_LIMITS: InsertLimits = { maxBytes: 8_000_000, maxParams: 32_767, maxRows: 5000 };

interface Quoting {
  quoteIdentifier(name: string): string;
  renderRelation(rel: Relation): string;
}

export function insertBatches(d: Quoting, rel: Relation, columns: Column[], rows: unknown[][], style: 'named' | 'positional', limits: InsertLimits): InsertBatch[] {
  const head = `insert into ${d.renderRelation(rel)} (${columns.map((c) => d.quoteIdentifier(c.name)).join(', ')}) values\n`;
  const headBytes = Buffer.byteLength(head);
  const out: InsertBatch[] = [];
  let tuples: string[] = [];
  let named: Array<{ name: string; value: string }> = [];
  let positional: Array<string | null> = [];
  let bytes = headBytes;
  const flush = () => {
    if (!tuples.length) return;
    out.push({ sql: head + tuples.join(',\n'), params: style === 'named' ? named : positional, rows: tuples.length });
    tuples = [];
    named = [];
    positional = [];
    bytes = headBytes;
  };
  for (const row of rows) {
    // build the row as if it started a new statement, renumber when it does not
    const values = columns.map((_, i) => paramText(row[i]));
    const rowParams = style === 'named' ? values.filter((v) => v !== null && v !== '').length : values.length;
    const valueBytes = values.reduce((n, v) => n + (v === null ? 0 : Buffer.byteLength(v)), 0);
    const estimate = (start: number) => {
      const text = tupleText(values, style, start);
      return { text, bytes: Buffer.byteLength(text) + 2 + (style === 'named' ? valueBytes : 0) };
    };
    let next = estimate(paramCount(style, named, positional) + 1);
    const full =
      tuples.length >= limits.maxRows ||
      paramCount(style, named, positional) + rowParams > limits.maxParams ||
      bytes + next.bytes > limits.maxBytes;
    if (full && tuples.length) {
      flush();
      next = estimate(1);
    }
    if (headBytes + next.bytes > limits.maxBytes) throw new Error(`a row of seed ${rel.identifier} is too large for one statement (${next.bytes} bytes; at most ${limits.maxBytes - headBytes})`);
    tuples.push(next.text);
    bytes += next.bytes;
    let n = paramCount(style, named, positional);
    for (const v of values) {
      if (style === 'positional') positional.push(v);
      else if (v !== null && v !== '') named.push({ name: `p${++n}`, value: v });
    }
  }
  flush();
  return out;
}

function paramCount(style: 'named' | 'positional', named: unknown[], positional: unknown[]): number {
  return style === 'named' ? named.length : positional.length;
}

/** `(:p1, NULL, '', :p2)` or `($1, $2, $3, $4)`, numbering from `start`. */
function tupleText(values: Array<string | null>, style: 'named' | 'positional', start: number): string {
  let n = start;
  const parts = values.map((v) => {
    if (style === 'positional') return `$${n++}`;
    if (v === null) return 'NULL';
    if (v === '') return "''";
    return `:p${n++}`;
  });
  return `(${parts.join(', ')})`;
}
