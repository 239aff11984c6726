import type { Column } from './types.js';

/** Key of a relation in the column maps: lower-case `database.schema.identifier`. */
export function columnMapKey(database: unknown, schema: unknown, identifier: unknown): string {
  return [database, schema, identifier].map(String).join('.').toLowerCase();
}

/**
 * Groups catalog rows (one per column, in column order) by relation. `fields`
 * names the row keys that hold the database, schema, relation, column and type.
 */
export function columnsByRelation(
  rows: Record<string, unknown>[],
  fields: { database: string; schema: string; identifier: string; name: string; type: string },
): Map<string, Column[]> {
  const out = new Map<string, Column[]>();
  for (const r of rows) {
    const key = columnMapKey(r[fields.database], r[fields.schema], r[fields.identifier]);
    let cols = out.get(key);
    if (!cols) out.set(key, (cols = []));
    cols.push({ name: String(r[fields.name]), dataType: String(r[fields.type]) });
  }
  return out;
}

/** Rows with `name` and `type` (a dialect's describeColumns) as columns. */
export function toColumns(rows: Record<string, unknown>[]): Column[] {
  return rows.map((r) => ({ name: String(r.name), dataType: String(r.type) }));
}
