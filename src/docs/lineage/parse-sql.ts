import type { DuckDBConnection } from '@duckdb/node-api';

/** One node of DuckDB's parse tree, as `json_serialize_sql` writes it. */
export type AstNode = Record<string, unknown>;

export type ParseOutcome = { ok: true; tree: AstNode } | { ok: false; reason: string };

/**
 * Parses SQL with DuckDB's own parser (`json_serialize_sql`, an in-memory
 * database: no file, no catalog, nothing is executed). The parser is
 * PostgreSQL's grammar as DuckDB extends it, so PostgreSQL and Redshift SQL and
 * most Snowflake SQL parse too; what does not is reported with DuckDB's message.
 */
export class SqlParser {
  private conn: Promise<DuckDBConnection> | undefined;
  private closeInstance: (() => void) | undefined;

  private connection(): Promise<DuckDBConnection> {
    this.conn ??= import('@duckdb/node-api').then(async (m) => {
      const instance = await m.DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      this.closeInstance = () => {
        conn.closeSync();
        instance.closeSync();
      };
      return conn;
    });
    return this.conn;
  }

  /** The parse tree of a single select statement, or why there is none. */
  async parseSelect(sql: string): Promise<ParseOutcome> {
    return (await this.parseSelects([sql]))[0];
  }

  /** The parse trees of many statements in one call (a round trip per statement costs more than the parsing). */
  async parseSelects(sqls: string[]): Promise<ParseOutcome[]> {
    if (!sqls.length) return [];
    const [conn, m] = await Promise.all([this.connection(), import('@duckdb/node-api')]);
    const reader = await conn.runAndReadAll('select json_serialize_sql(s) as tree from unnest($1) with ordinality as t(s, i) order by i', [m.listValue(sqls)], [m.LIST(m.VARCHAR)]);
    return reader.getRows().map((row) => outcomeOf(String(row[0])));
  }

  close(): void {
    this.closeInstance?.();
    this.closeInstance = undefined;
    this.conn = undefined;
  }
}

/** `json_serialize_sql`'s answer as a tree, or why there is none. */
function outcomeOf(text: string): ParseOutcome {
  const out = JSON.parse(text) as { error?: boolean; error_message?: string; error_type?: string; statements?: Array<{ node: AstNode }> };
  if (out.error) {
    const message = firstLine(out.error_message ?? out.error_type ?? 'unknown error');
    // DuckDB parses PIVOT, SUMMARIZE … statements but serializes selects only
    if (/only select statements can be serialized/i.test(message)) return { ok: false, reason: 'it is not a plain select (a PIVOT or another statement whose parse tree DuckDB does not give)' };
    return { ok: false, reason: `the SQL does not parse: ${message}` };
  }
  const statements = out.statements ?? [];
  if (statements.length !== 1) return { ok: false, reason: `the compiled SQL holds ${statements.length} statements, not one select` };
  return { ok: true, tree: statements[0].node };
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
