import type { Adapter, CatalogTable, Column } from './types.js';

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

/**
 * Catalog rows as CatalogTables: `tables` has database, schema, identifier,
 * type, owner, comment, row_count, bytes, last_modified (absent or null when the
 * engine has none); `columns` has database, schema, identifier, name, type,
 * position, comment, in order.
 */
export function catalogTables(tables: Record<string, unknown>[], columns: Record<string, unknown>[], opts: { rowCountEstimated: boolean }): CatalogTable[] {
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : String(v));
  const count = (v: unknown) => (v === null || v === undefined || v === '' || !Number.isFinite(Number(v)) || Number(v) < 0 ? undefined : Number(v));
  const out = new Map<string, CatalogTable>();
  for (const r of tables) {
    out.set(columnMapKey(r.database, r.schema, r.identifier), {
      database: text(r.database),
      schema: String(r.schema),
      identifier: String(r.identifier),
      type: String(r.type),
      owner: text(r.owner),
      comment: text(r.comment),
      columns: [],
      stats: {
        rowCount: count(r.row_count),
        rowCountEstimated: count(r.row_count) === undefined ? undefined : opts.rowCountEstimated,
        bytes: count(r.bytes),
        lastModified: r.last_modified instanceof Date ? r.last_modified.toISOString() : text(r.last_modified),
      },
    });
  }
  for (const c of columns) {
    const t = out.get(columnMapKey(c.database, c.schema, c.identifier));
    if (t) t.columns.push({ name: String(c.name), type: String(c.type), index: t.columns.length + 1, comment: text(c.comment) });
  }
  return [...out.values()];
}

/**
 * Adapter.readCatalog for a dialect's two catalog queries (tables, then their
 * columns), on one connection. `perDatabase`: the engine reads several
 * databases (DuckDB's attached files, Snowflake), one pair of queries each;
 * otherwise the connected database's schemas in one pair (PostgreSQL, Redshift).
 */
export async function readCatalogWith(
  adapter: Pick<Adapter, 'withConnection'>,
  schemas: Array<{ database?: string; schema: string }>,
  queries: (database: string | undefined, schemas: string[]) => { tables: string; columns: string },
  opts: { rowCountEstimated: boolean; perDatabase: boolean; defaultDatabase: string | undefined },
): Promise<CatalogTable[]> {
  const groups = new Map<string, string[]>();
  for (const s of schemas) {
    const db = opts.perDatabase ? (s.database ?? '') : '';
    const list = groups.get(db) ?? [];
    if (!list.includes(s.schema.toLowerCase())) list.push(s.schema.toLowerCase());
    groups.set(db, list);
  }
  if (!groups.size) return [];
  return adapter.withConnection(async (c) => {
    const out: CatalogTable[] = [];
    for (const [db, list] of groups) {
      const q = queries(db || opts.defaultDatabase, list);
      out.push(...catalogTables(await c.query(q.tables), await c.query(q.columns), opts));
    }
    return out;
  });
}
