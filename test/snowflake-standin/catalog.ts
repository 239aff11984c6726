/**
 * The stand-in's Snowflake-side catalog (test only): what DuckDB does not
 * know — transient/secure flags, comments, creation times, the spelling of
 * schemas DuckDB folds (its `main`), stages and external tables — persisted
 * as JSON next to the DuckDB files, plus a snapshot of DuckDB's own catalog
 * in Snowflake's terms for information_schema, SHOW and DESCRIBE.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { GrantRecord } from './access.js';

export type ObjectKind = 'TABLE' | 'VIEW' | 'EXTERNAL TABLE';

export interface ObjectMeta {
  db: string;
  schema: string;
  name: string;
  kind: ObjectKind;
  transient?: boolean;
  secure?: boolean;
  comment?: string;
  /** grants to roles (GRANT … ON TABLE|VIEW), see access.ts */
  grants?: GrantRecord[];
  /** COMMENT ON COLUMN / ALTER VIEW … ALTER COLUMN … COMMENT, by column name */
  columnComments?: Record<string, string>;
  created: string;
}

export interface FormatOptions {
  [key: string]: string | string[] | FormatOptions;
}

export interface StageMeta {
  db: string;
  schema: string;
  name: string;
  url?: string;
  directory: string;
  storageIntegration?: string;
  fileFormat?: FormatOptions;
  created: string;
}

export interface ExternalColumn {
  name: string;
  /** the declared Snowflake type, as written */
  type: string;
  /** the Snowflake expression over VALUE / METADATA$FILENAME */
  expr: string;
}

export interface ExternalTableMeta {
  db: string;
  schema: string;
  name: string;
  columns: ExternalColumn[];
  /** the stage reference as written, e.g. @LAKE_STAGE/lake/stage/user_purchase/ */
  location: string;
  /** the stage's local root and the location's path below it */
  root: string;
  path: string;
  format: FormatOptions;
  pattern?: string;
  partitionBy: string[];
  /** registered files, relative to the stage root */
  files: string[];
  created: string;
  lastRefreshed: string;
}

interface MetaFile {
  objects: Record<string, ObjectMeta>;
  /** per database (upper): DuckDB's folded schema name → the spelling it was created with */
  schemas: Record<string, Record<string, string>>;
  databases: Record<string, { name: string; created: string }>;
  stages: Record<string, StageMeta>;
  externals: Record<string, ExternalTableMeta>;
  /** per table key: files already loaded (path|size|mtime), as Snowflake's load metadata */
  loads: Record<string, string[]>;
  /** roles made with CREATE ROLE (folded names), which GRANT … TO ROLE may name */
  roles?: Record<string, string>;
}

export const key = (...parts: string[]) => parts.map((p) => p.toUpperCase()).join('\u0001');

export class Meta {
  data: MetaFile;
  private readonly file: string;
  constructor(directory: string) {
    this.file = join(directory, 'standin-catalog.json');
    this.data = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as MetaFile)
      : { objects: {}, schemas: {}, databases: {}, stages: {}, externals: {}, loads: {} };
  }
  save(): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 1));
    renameSync(tmp, this.file);
  }
  object(db: string, schema: string, name: string): ObjectMeta | undefined {
    return this.data.objects[key(db, schema, name)];
  }
  setObject(o: ObjectMeta): void {
    this.data.objects[key(o.db, o.schema, o.name)] = o;
    this.save();
  }
  dropObject(db: string, schema: string, name: string): void {
    delete this.data.objects[key(db, schema, name)];
    delete this.data.externals[key(db, schema, name)];
    delete this.data.loads[key(db, schema, name)];
    this.save();
  }
  dropSchema(db: string, schema: string): void {
    const prefix = key(db, schema) + '\u0001';
    for (const m of [this.data.objects, this.data.externals, this.data.loads, this.data.stages] as Array<Record<string, unknown>>) {
      for (const k of Object.keys(m)) if (k.startsWith(prefix)) delete m[k];
    }
    delete this.data.schemas[db.toUpperCase()]?.[schema.toLowerCase()];
    this.save();
  }
  dropDatabase(db: string): void {
    const prefix = key(db) + '\u0001';
    for (const m of [this.data.objects, this.data.externals, this.data.loads, this.data.stages] as Array<Record<string, unknown>>) {
      for (const k of Object.keys(m)) if (k.startsWith(prefix)) delete m[k];
    }
    delete this.data.schemas[db.toUpperCase()];
    delete this.data.databases[db.toUpperCase()];
    this.save();
  }
  /** Records a schema's spelling (DuckDB folds `MAIN` into its own `main`). */
  spellSchema(db: string, schema: string): void {
    (this.data.schemas[db.toUpperCase()] ??= {})[schema.toLowerCase()] = schema;
    this.save();
  }
  /** How a DuckDB schema name is reported; undefined: hidden (DuckDB's `main` the user never created). */
  schemaName(db: string, duckSchema: string): string | undefined {
    const spelled = this.data.schemas[db.toUpperCase()]?.[duckSchema.toLowerCase()];
    if (spelled) return spelled;
    return duckSchema === 'main' ? undefined : duckSchema;
  }
}

export interface ColumnInfo {
  name: string;
  ordinal: number;
  duckType: string;
  nullable: boolean;
  default: string | null;
}

export interface TableInfo {
  db: string;
  schema: string;
  name: string;
  kind: ObjectKind;
  temporary: boolean;
  transient: boolean;
  secure: boolean;
  rowCount: number | null;
  created: string;
  comment: string | null;
  columnComments?: Record<string, string>;
  viewSql: string | null;
  columns: ColumnInfo[];
}

export interface CatalogSnapshot {
  databases: Array<{ name: string; created: string }>;
  schemas: Array<{ db: string; name: string; created: string }>;
  tables: TableInfo[];
}

/** Snowflake's view of a DuckDB type: information_schema's data_type and DESCRIBE's type. */
export function sfTypeOf(duckType: string): { dataType: string; describe: string; precision: number | null; scale: number | null; length: number | null } {
  const t = duckType.toUpperCase();
  let m: RegExpExecArray | null;
  if ((m = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t))) {
    const p = Number(m[1]);
    const s = Number(m[2]);
    return { dataType: 'NUMBER', describe: `NUMBER(${p},${s})`, precision: p, scale: s, length: null };
  }
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) {
    return { dataType: 'NUMBER', describe: 'NUMBER(38,0)', precision: 38, scale: 0, length: null };
  }
  if (t === 'DOUBLE' || t === 'FLOAT') return { dataType: 'FLOAT', describe: 'FLOAT', precision: null, scale: null, length: null };
  if (t === 'BOOLEAN') return { dataType: 'BOOLEAN', describe: 'BOOLEAN', precision: null, scale: null, length: null };
  if (t === 'DATE') return { dataType: 'DATE', describe: 'DATE', precision: null, scale: null, length: null };
  if (t === 'TIME') return { dataType: 'TIME', describe: 'TIME(9)', precision: null, scale: null, length: null };
  if (t.startsWith('TIMESTAMP WITH TIME ZONE')) return { dataType: 'TIMESTAMP_LTZ', describe: 'TIMESTAMP_LTZ(9)', precision: null, scale: null, length: null };
  if (t.startsWith('TIMESTAMP')) return { dataType: 'TIMESTAMP_NTZ', describe: 'TIMESTAMP_NTZ(9)', precision: null, scale: null, length: null };
  if (t === 'JSON') return { dataType: 'VARIANT', describe: 'VARIANT', precision: null, scale: null, length: null };
  if (t.endsWith(']')) return { dataType: 'ARRAY', describe: 'ARRAY', precision: null, scale: null, length: null };
  if (t.startsWith('STRUCT') || t.startsWith('MAP')) return { dataType: 'OBJECT', describe: 'OBJECT', precision: null, scale: null, length: null };
  if (t === 'BLOB') return { dataType: 'BINARY', describe: 'BINARY(8388608)', precision: null, scale: null, length: 8388608 };
  return { dataType: 'TEXT', describe: 'VARCHAR(16777216)', precision: null, scale: null, length: 16777216 };
}

/** A session's temporary tables: DuckDB's temp.main name (upper) → the Snowflake name. */
export type TempTables = Map<string, { db: string; schema: string; name: string; created: string }>;

type Row = Record<string, unknown>;

async function rows(conn: DuckDBConnection, sql: string): Promise<Row[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJson() as Row[];
}

export async function snapshot(conn: DuckDBConnection, meta: Meta, temps: TempTables, started: string): Promise<CatalogSnapshot> {
  const dbs = await rows(conn, `SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name NOT IN ('memory', 'temp', 'system', '__sf')`);
  const databases = dbs.map((d) => {
    const name = String(d.database_name);
    return { name, created: meta.data.databases[name.toUpperCase()]?.created ?? started };
  });
  const schemaRows = await rows(conn, `SELECT database_name, schema_name FROM duckdb_schemas() WHERE database_name NOT IN ('memory', 'temp', 'system') AND schema_name NOT IN ('information_schema', 'pg_catalog')`);
  const schemas: CatalogSnapshot['schemas'] = [];
  for (const s of schemaRows) {
    const name = meta.schemaName(String(s.database_name), String(s.schema_name));
    if (name !== undefined) schemas.push({ db: String(s.database_name), name, created: started });
  }
  const objs = await rows(
    conn,
    `SELECT database_name, schema_name, table_name AS name, temporary, estimated_size AS row_count, NULL AS sql, 'TABLE' AS kind FROM duckdb_tables()
     UNION ALL SELECT database_name, schema_name, view_name, temporary, NULL, sql, 'VIEW' FROM duckdb_views() WHERE NOT internal`,
  );
  const cols = await rows(
    conn,
    `SELECT database_name, schema_name, table_name, column_name, column_index, data_type, is_nullable, column_default FROM duckdb_columns() ORDER BY column_index`,
  );
  const colsBy = new Map<string, ColumnInfo[]>();
  for (const c of cols) {
    const k = key(String(c.database_name), String(c.schema_name), String(c.table_name));
    const list = colsBy.get(k) ?? [];
    list.push({
      name: String(c.column_name),
      ordinal: Number(c.column_index),
      duckType: String(c.data_type),
      nullable: Boolean(c.is_nullable),
      default: c.column_default === null ? null : String(c.column_default),
    });
    colsBy.set(k, list);
  }
  const tables: TableInfo[] = [];
  for (const o of objs) {
    const duckDb = String(o.database_name);
    const duckSchema = String(o.schema_name);
    const duckName = String(o.name);
    const columns = colsBy.get(key(duckDb, duckSchema, duckName)) ?? [];
    const temporary = Boolean(o.temporary);
    let db = duckDb;
    let schema: string | undefined = duckSchema;
    let name = duckName;
    let created = started;
    if (temporary) {
      const t = temps.get(duckName.toUpperCase());
      if (!t) continue;
      ({ db, schema, name, created } = t);
    } else {
      if (schema.startsWith('__sf')) continue;
      schema = meta.schemaName(db, duckSchema);
      if (schema === undefined) continue;
    }
    const m = meta.object(db, schema, name);
    let kind: ObjectKind = o.kind === 'VIEW' ? 'VIEW' : 'TABLE';
    if (m?.kind === 'EXTERNAL TABLE') kind = 'EXTERNAL TABLE';
    tables.push({
      db,
      schema,
      name,
      kind,
      temporary,
      transient: Boolean(m?.transient),
      secure: Boolean(m?.secure),
      rowCount: kind === 'TABLE' ? Number(o.row_count ?? 0) : null,
      created: m?.created ?? created,
      comment: m?.comment ?? null,
      columnComments: m?.columnComments,
      viewSql: o.sql === null ? null : String(o.sql),
      columns,
    });
  }
  return { databases, schemas, tables };
}

/** A SQL LIKE pattern (Snowflake's SHOW … LIKE is case-insensitive) as a predicate. */
export function likeMatcher(pattern: string | undefined): (s: string) => boolean {
  if (pattern === undefined) return () => true;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const r = new RegExp(`^${re}$`, 'is');
  return (s) => r.test(s);
}
