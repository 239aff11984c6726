/**
 * `tsql diff`'s results for people (a headline and a table per model), for
 * machines (one JSON object per model) and for the pull request (a markdown
 * section of the --summary-md report).
 */
import { hasDifferences, type ModelDiff } from './model-diff.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `orders: +3 rows −1 row, 2 changed (amount 2, status 1), column added: note` */
export function diffHeadline(d: ModelDiff): string {
  if (d.status === 'skipped') return `${d.name}: skipped, ${d.note ?? ''}`;
  if (d.status === 'error') return `${d.name}: error: ${d.note ?? ''}`;
  if (d.status === 'new') return `${d.name}: new (${d.note ?? 'not in production'}), ${plural(d.rows?.pr ?? 0, 'row')}`;
  const parts: string[] = [];
  if (d.rowsAdded !== undefined) {
    const rows: string[] = [];
    if (d.rowsAdded) rows.push(`+${plural(d.rowsAdded, 'row')}`);
    if (d.rowsRemoved) rows.push(`−${plural(d.rowsRemoved!, 'row')}`);
    if (rows.length) parts.push(rows.join(' '));
    if (d.rowsChanged) {
      const cols = Object.entries(d.changedByColumn ?? {}).filter(([, n]) => n).map(([c, n]) => `${c} ${n}`);
      parts.push(`${d.rowsChanged} changed (${cols.join(', ')})`);
    }
  } else if (d.rows && d.rows.prod !== d.rows.pr) {
    parts.push(`${plural(d.rows.prod ?? 0, 'row')} → ${d.rows.pr}`);
  }
  const c = d.columns;
  if (c.added.length) parts.push(`${c.added.length === 1 ? 'column' : 'columns'} added: ${c.added.map((x) => x.name).join(', ')}`);
  if (c.removed.length) parts.push(`${c.removed.length === 1 ? 'column' : 'columns'} removed: ${c.removed.map((x) => x.name).join(', ')}`);
  if (c.typeChanged.length) parts.push(`type changed: ${c.typeChanged.map((x) => `${x.name} (${x.prodType} → ${x.prType})`).join(', ')}`);
  const dup = d.duplicateKeys;
  if (dup && (dup.prod || dup.pr)) parts.push(`duplicate keys: ${dup.prod} in production, ${dup.pr} here`);
  const nulls = d.nullKeyRows;
  if (nulls && (nulls.prod || nulls.pr)) parts.push(`NULL keys: ${plural(nulls.prod, 'row')} in production, ${nulls.pr} here`);
  return `${d.name}: ${hasDifferences(d) ? parts.join(', ') || 'differs' : 'no differences'}`;
}

/** The headline, then one line per changed column and the row counts, indented. */
export function diffTextLines(d: ModelDiff): string[] {
  const lines = [diffHeadline(d)];
  if (d.status !== 'compared') return lines;
  const table: string[][] = [];
  for (const [col, n] of Object.entries(d.changedByColumn ?? {})) if (n) table.push([col, 'values differ', plural(n, 'row')]);
  for (const c of d.columns.added) table.push([c.name, 'added', c.dataType]);
  for (const c of d.columns.removed) table.push([c.name, 'removed', c.dataType]);
  for (const c of d.columns.typeChanged) table.push([c.name, 'type changed', `${c.prodType} → ${c.prType}`]);
  const widths = [0, 1].map((i) => Math.max(0, ...table.map((r) => r[i].length)));
  for (const r of table) lines.push(`    ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`);
  const rows = `rows: ${d.rows?.prod ?? 0} in production, ${d.rows?.pr ?? 0} here`;
  lines.push(`    ${rows}${d.key ? `; key ${d.key.join(', ')} (${d.keyFrom})` : ''}${d.note ? `; ${d.note}` : ''}`);
  return lines;
}

/** One JSON object per model, with every figure (snake_case, as the artifacts). */
export function diffJson(d: ModelDiff): Record<string, unknown> {
  return {
    unique_id: d.uniqueId,
    name: d.name,
    status: d.status,
    different: hasDifferences(d),
    note: d.note ?? null,
    prod_relation: d.prodRelation ?? null,
    pr_relation: d.prRelation ?? null,
    key: d.key ?? null,
    key_from: d.keyFrom ?? null,
    rows: d.rows ? { prod: d.rows.prod ?? null, pr: d.rows.pr } : null,
    columns: {
      added: d.columns.added.map((c) => ({ name: c.name, type: c.dataType })),
      removed: d.columns.removed.map((c) => ({ name: c.name, type: c.dataType })),
      type_changed: d.columns.typeChanged.map((c) => ({ name: c.name, prod_type: c.prodType, pr_type: c.prType })),
    },
    rows_added: d.rowsAdded ?? null,
    rows_removed: d.rowsRemoved ?? null,
    rows_changed: d.rowsChanged ?? null,
    changed_by_column: d.changedByColumn ?? null,
    duplicate_keys: d.duplicateKeys ?? null,
    duplicate_key_rows: d.duplicateKeyRows ?? null,
    null_key_rows: d.nullKeyRows ?? null,
  };
}

/**
 * The "Data diff" section of the markdown summary: one table row per model,
 * then the changed columns of each model that has some. `cell` escapes text
 * for a table cell (summary-md.ts).
 */
export function diffMarkdown(diffs: ModelDiff[], cell: (s: string) => string): string[] {
  const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const differing = diffs.filter(hasDifferences).length;
  const out = ['### Data diff', '', `${plural(diffs.length, 'model')} compared with production; ${differing} ${differing === 1 ? 'differs' : 'differ'}.`, ''];
  out.push('| model | rows (production → here) | added | removed | changed | columns | note |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const d of diffs) {
    const num = (n: number | undefined) => (n === undefined ? '' : String(n));
    const rows = d.rows ? `${d.rows.prod ?? '–'} → ${d.rows.pr}` : '';
    const cols = [
      ...d.columns.added.map((c) => `+${c.name}`),
      ...d.columns.removed.map((c) => `−${c.name}`),
      ...d.columns.typeChanged.map((c) => `${c.name}: ${c.prodType} → ${c.prType}`),
    ];
    const status = d.status === 'compared' ? (hasDifferences(d) ? '' : 'no differences') : d.status;
    const note = [status, d.note ?? '', d.duplicateKeys && (d.duplicateKeys.prod || d.duplicateKeys.pr) ? `duplicate keys: ${d.duplicateKeys.prod} in production, ${d.duplicateKeys.pr} here` : ''].filter(Boolean).join('; ');
    out.push(row([code(d.name), cell(rows), num(d.rowsAdded), num(d.rowsRemoved), num(d.rowsChanged), cell(d.status === 'new' ? '' : cols.join(', ')), cell(note)]));
  }
  const changed = diffs.filter((d) => Object.values(d.changedByColumn ?? {}).some((n) => n));
  if (changed.length) {
    out.push('', '| model | column | changed rows |', '| --- | --- | --- |');
    for (const d of changed) for (const [c, n] of Object.entries(d.changedByColumn!)) if (n) out.push(row([code(d.name), cell(c), String(n)]));
  }
  return out;
}
