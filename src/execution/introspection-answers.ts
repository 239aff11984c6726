import type { Adapter, Connection } from '../adapters/types.js';
import type { Answerer } from '../compiler/run-time-render.js';

/**
 * Answers a template's questions (run_query, statement, get_columns_in_relation,
 * list_relations_without_caching) on `conn`, the connection the node runs on.
 * Statements are noted with `record` for target/run/.
 */
export function warehouseAnswerer(adapter: Adapter, conn: Connection, record: (sql: string) => void): Answerer {
  return async (request) => {
    if (request.kind === 'query') {
      record(request.sql);
      if (request.fetch) {
        // as dbt's agate table prints them: a date `2024-01-03`, a timestamp `2024-01-03 10:00:00`
        const rows = conn.preview ? await conn.preview(request.sql) : await conn.query(request.sql);
        return { kind: 'query', rows, rowsAffected: rows.length, message: `OK ${rows.length}` };
      }
      const r = await conn.execute(request.sql);
      return { kind: 'query', rows: [], rowsAffected: r.rowsAffected, message: `OK${r.rowsAffected === undefined ? '' : ` ${r.rowsAffected}`}` };
    }
    if (request.kind === 'columns') return { kind: 'columns', columns: await adapter.getColumns(conn, request.relation) };
    const all = await adapter.listRelations(conn);
    const same = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
    return { kind: 'relations', relations: all.filter((r) => same(r.schema, request.schema) && (!request.database || !r.database || same(r.database, request.database))) };
  };
}
