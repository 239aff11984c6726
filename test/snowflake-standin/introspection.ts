/**
 * information_schema views, SHOW and DESCRIBE answered from a catalog
 * snapshot, as Snowflake answers them (test-only stand-in).
 */
import type { SfColumn, SfValue, StatementResult } from './engine-types.js';
import { CatalogSnapshot, ExternalTableMeta, StageMeta, TableInfo, likeMatcher, sfTypeOf } from './catalog.js';
import { quoteIdent, quoteString } from './sql-lexer.js';
import { col } from './duckdb-results.js';

type Cell = string | number | boolean | null;

function lit(v: Cell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return quoteString(v);
}

/** A relation of literal rows with typed, named columns. */
function relation(columns: Array<[string, string]>, rows: Cell[][]): string {
  const select = columns.map(([n, t], i) => `CAST(COL${i} AS ${t}) AS ${quoteIdent(n)}`).join(', ');
  if (rows.length === 0) {
    return `(SELECT ${columns.map(([n, t]) => `CAST(NULL AS ${t}) AS ${quoteIdent(n)}`).join(', ')} WHERE FALSE)`;
  }
  const values = rows.map((r) => `(${r.map(lit).join(', ')})`).join(', ');
  return `(SELECT ${select} FROM (VALUES ${values}) AS __I(${columns.map((_, i) => `COL${i}`).join(', ')}))`;
}

function tableType(t: TableInfo): string {
  if (t.kind === 'EXTERNAL TABLE') return 'EXTERNAL TABLE';
  if (t.kind === 'VIEW') return 'VIEW';
  return t.temporary ? 'TEMPORARY TABLE' : 'BASE TABLE';
}

/** `<db>.information_schema.<view>` as a DuckDB relation; undefined for views the stand-in lacks. */
export function informationSchema(view: string, db: string, snap: CatalogSnapshot): string | undefined {
  const inDb = (d: string) => d.toUpperCase() === db.toUpperCase();
  const tables = snap.tables.filter((t) => inDb(t.db));
  switch (view.toUpperCase()) {
    case 'TABLES':
      return relation(
        [
          ['TABLE_CATALOG', 'VARCHAR'], ['TABLE_SCHEMA', 'VARCHAR'], ['TABLE_NAME', 'VARCHAR'], ['TABLE_OWNER', 'VARCHAR'],
          ['TABLE_TYPE', 'VARCHAR'], ['IS_TRANSIENT', 'VARCHAR'], ['CLUSTERING_KEY', 'VARCHAR'], ['ROW_COUNT', 'BIGINT'],
          ['BYTES', 'BIGINT'], ['RETENTION_TIME', 'BIGINT'], ['CREATED', 'TIMESTAMPTZ'], ['LAST_ALTERED', 'TIMESTAMPTZ'],
          ['LAST_DDL', 'TIMESTAMPTZ'], ['AUTO_CLUSTERING_ON', 'VARCHAR'], ['COMMENT', 'VARCHAR'], ['IS_TEMPORARY', 'VARCHAR'],
        ],
        tables.map((t) => [
          t.db, t.schema, t.name, 'SYSADMIN', tableType(t), t.transient ? 'YES' : 'NO', null, t.rowCount,
          t.rowCount === null ? null : t.rowCount * 16, t.kind === 'TABLE' ? 1 : null, t.created, t.created, t.created,
          t.kind === 'TABLE' ? 'NO' : null, t.comment, t.temporary ? 'YES' : 'NO',
        ]),
      );
    case 'VIEWS':
      return relation(
        [['TABLE_CATALOG', 'VARCHAR'], ['TABLE_SCHEMA', 'VARCHAR'], ['TABLE_NAME', 'VARCHAR'], ['VIEW_DEFINITION', 'VARCHAR'], ['IS_SECURE', 'VARCHAR'], ['CREATED', 'TIMESTAMPTZ'], ['COMMENT', 'VARCHAR']],
        tables.filter((t) => t.kind === 'VIEW').map((t) => [t.db, t.schema, t.name, t.viewSql, t.secure ? 'YES' : 'NO', t.created, t.comment]),
      );
    case 'COLUMNS': {
      const rows: Cell[][] = [];
      for (const t of tables) {
        for (const c of t.columns) {
          const s = sfTypeOf(c.duckType);
          rows.push([
            t.db, t.schema, t.name, c.name, c.ordinal, c.default, c.nullable ? 'YES' : 'NO', s.dataType, s.length,
            s.length === null ? null : s.length * 4 > 16777216 ? 16777216 : s.length * 4, s.precision, s.precision === null ? null : 10, s.scale, null,
          ]);
        }
      }
      return relation(
        [
          ['TABLE_CATALOG', 'VARCHAR'], ['TABLE_SCHEMA', 'VARCHAR'], ['TABLE_NAME', 'VARCHAR'], ['COLUMN_NAME', 'VARCHAR'],
          ['ORDINAL_POSITION', 'BIGINT'], ['COLUMN_DEFAULT', 'VARCHAR'], ['IS_NULLABLE', 'VARCHAR'], ['DATA_TYPE', 'VARCHAR'],
          ['CHARACTER_MAXIMUM_LENGTH', 'BIGINT'], ['CHARACTER_OCTET_LENGTH', 'BIGINT'], ['NUMERIC_PRECISION', 'BIGINT'],
          ['NUMERIC_PRECISION_RADIX', 'BIGINT'], ['NUMERIC_SCALE', 'BIGINT'], ['COMMENT', 'VARCHAR'],
        ],
        rows,
      );
    }
    case 'SCHEMATA':
      return relation(
        [['CATALOG_NAME', 'VARCHAR'], ['SCHEMA_NAME', 'VARCHAR'], ['SCHEMA_OWNER', 'VARCHAR'], ['IS_TRANSIENT', 'VARCHAR'], ['IS_MANAGED_ACCESS', 'VARCHAR'], ['CREATED', 'TIMESTAMPTZ'], ['LAST_ALTERED', 'TIMESTAMPTZ'], ['COMMENT', 'VARCHAR']],
        [
          ...snap.schemas.filter((s) => inDb(s.db)).map((s): Cell[] => [s.db, s.name, 'SYSADMIN', 'NO', 'NO', s.created, s.created, null]),
          ...snap.databases.filter((d) => inDb(d.name)).map((d): Cell[] => [d.name, 'INFORMATION_SCHEMA', null, 'NO', 'NO', d.created, d.created, 'Views describing the contents of schemas in this database']),
        ],
      );
    case 'DATABASES':
      return relation(
        [['DATABASE_NAME', 'VARCHAR'], ['DATABASE_OWNER', 'VARCHAR'], ['IS_TRANSIENT', 'VARCHAR'], ['COMMENT', 'VARCHAR'], ['CREATED', 'TIMESTAMPTZ'], ['LAST_ALTERED', 'TIMESTAMPTZ']],
        snap.databases.map((d) => [d.name, 'SYSADMIN', 'NO', null, d.created, d.created]),
      );
    default:
      return undefined;
  }
}

export interface ShowScope {
  like?: string;
  /** IN DATABASE x / IN SCHEMA x.y (resolved); undefined parts: the account */
  db?: string;
  schema?: string;
  currentDb?: string;
  currentSchema?: string;
}

function result(names: Array<[string, SfColumn['type']]>, rows: SfValue[][]): StatementResult {
  return { columns: names.map(([n, t]) => col(n, t)), rows, kind: 'show' };
}

const inScope = (scope: ShowScope, db: string, schema?: string) =>
  (scope.db === undefined || scope.db.toUpperCase() === db.toUpperCase()) &&
  (scope.schema === undefined || schema === undefined || scope.schema.toUpperCase() === schema.toUpperCase());

export function showTables(snap: CatalogSnapshot, scope: ShowScope, kind: 'tables' | 'views' | 'objects'): StatementResult {
  const like = likeMatcher(scope.like);
  const list = snap.tables.filter(
    (t) => like(t.name) && inScope(scope, t.db, t.schema) && (kind === 'objects' || (kind === 'views' ? t.kind === 'VIEW' : t.kind === 'TABLE')),
  );
  list.sort((a, b) => a.name.localeCompare(b.name));
  if (kind === 'views') {
    return result(
      [['created_on', 'timestamp_ltz'], ['name', 'text'], ['reserved', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['owner', 'text'], ['comment', 'text'], ['text', 'text'], ['is_secure', 'boolean'], ['is_materialized', 'boolean'], ['owner_role_type', 'text'], ['change_tracking', 'text']],
      list.map((t) => [t.created, t.name, '', t.db, t.schema, 'SYSADMIN', t.comment ?? '', t.viewSql, t.secure, false, 'ROLE', 'OFF']),
    );
  }
  return result(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['kind', 'text'], ['comment', 'text'], ['cluster_by', 'text'], ['rows', 'fixed'], ['bytes', 'fixed'], ['owner', 'text'], ['retention_time', 'text'], ['automatic_clustering', 'text'], ['change_tracking', 'text'], ['is_external', 'text']],
    list.map((t) => [
      t.created, t.name, t.db, t.schema,
      t.kind === 'VIEW' ? 'VIEW' : t.temporary ? 'TEMPORARY' : t.transient ? 'TRANSIENT' : 'TABLE',
      t.comment ?? '', '', t.rowCount ?? 0, (t.rowCount ?? 0) * 16, 'SYSADMIN', '1', 'OFF', 'OFF', t.kind === 'EXTERNAL TABLE' ? 'Y' : 'N',
    ]),
  );
}

export function showSchemas(snap: CatalogSnapshot, scope: ShowScope): StatementResult {
  const like = likeMatcher(scope.like);
  const list = snap.schemas.filter((s) => like(s.name) && inScope(scope, s.db));
  const withInfo = [...list, ...snap.databases.filter((d) => inScope(scope, d.name) && like('INFORMATION_SCHEMA')).map((d) => ({ db: d.name, name: 'INFORMATION_SCHEMA', created: d.created }))];
  withInfo.sort((a, b) => a.db.localeCompare(b.db) || a.name.localeCompare(b.name));
  return result(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['is_default', 'text'], ['is_current', 'text'], ['database_name', 'text'], ['owner', 'text'], ['comment', 'text'], ['options', 'text'], ['retention_time', 'text'], ['owner_role_type', 'text']],
    withInfo.map((s) => [
      s.created, s.name, 'N',
      s.db.toUpperCase() === scope.currentDb?.toUpperCase() && s.name.toUpperCase() === scope.currentSchema?.toUpperCase() ? 'Y' : 'N',
      s.db, s.name === 'INFORMATION_SCHEMA' ? '' : 'SYSADMIN', '', '', '1', s.name === 'INFORMATION_SCHEMA' ? '' : 'ROLE',
    ]),
  );
}

export function showDatabases(snap: CatalogSnapshot, scope: ShowScope): StatementResult {
  const like = likeMatcher(scope.like);
  const list = snap.databases.filter((d) => like(d.name)).sort((a, b) => a.name.localeCompare(b.name));
  return result(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['is_default', 'text'], ['is_current', 'text'], ['origin', 'text'], ['owner', 'text'], ['comment', 'text'], ['options', 'text'], ['retention_time', 'text'], ['kind', 'text']],
    list.map((d) => [d.created, d.name, 'N', d.name.toUpperCase() === scope.currentDb?.toUpperCase() ? 'Y' : 'N', '', 'SYSADMIN', '', '', '1', 'STANDARD']),
  );
}

export function showStages(stages: StageMeta[], scope: ShowScope): StatementResult {
  const like = likeMatcher(scope.like);
  const list = stages.filter((s) => like(s.name) && inScope(scope, s.db, s.schema)).sort((a, b) => a.name.localeCompare(b.name));
  return result(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['url', 'text'], ['has_credentials', 'text'], ['has_encryption_key', 'text'], ['owner', 'text'], ['comment', 'text'], ['region', 'text'], ['type', 'text'], ['cloud', 'text'], ['notification_channel', 'text'], ['storage_integration', 'text'], ['endpoint', 'text'], ['owner_role_type', 'text'], ['directory_enabled', 'text']],
    list.map((s) => [s.created, s.name, s.db, s.schema, s.url ?? '', 'N', 'N', 'SYSADMIN', '', s.url ? 'us-east-1' : null, s.url ? 'EXTERNAL' : 'INTERNAL', s.url ? 'AWS' : null, null, s.storageIntegration ?? null, null, 'ROLE', 'N']),
  );
}

export function showExternalTables(externals: ExternalTableMeta[], scope: ShowScope): StatementResult {
  const like = likeMatcher(scope.like);
  const list = externals.filter((e) => like(e.name) && inScope(scope, e.db, e.schema)).sort((a, b) => a.name.localeCompare(b.name));
  return result(
    [['created_on', 'timestamp_ltz'], ['name', 'text'], ['database_name', 'text'], ['schema_name', 'text'], ['invalid', 'boolean'], ['invalid_reason', 'text'], ['owner', 'text'], ['comment', 'text'], ['stage', 'text'], ['location', 'text'], ['file_format_name', 'text'], ['file_format_type', 'text'], ['cloud_provider', 'text'], ['region', 'text'], ['notification_channel', 'text'], ['last_refreshed_on', 'timestamp_ltz'], ['table_format', 'text'], ['last_refresh_details', 'text'], ['owner_role_type', 'text']],
    list.map((e) => {
      const stage = /^@([^/]*)/.exec(e.location)?.[1] ?? '';
      const type = typeof e.format.TYPE === 'string' ? e.format.TYPE.toUpperCase() : 'CSV';
      return [e.created, e.name, e.db, e.schema, false, null, 'SYSADMIN', '', stage.replace(/"/g, ''), e.location, '', type, 'AWS', 'us-east-1', null, e.lastRefreshed, 'NATIVE', null, 'ROLE'];
    }),
  );
}

export function describeTable(t: TableInfo, external?: ExternalTableMeta): StatementResult {
  const names: Array<[string, SfColumn['type']]> = [['name', 'text'], ['type', 'text'], ['kind', 'text'], ['null?', 'text'], ['default', 'text'], ['primary key', 'text'], ['unique key', 'text'], ['check', 'text'], ['expression', 'text'], ['comment', 'text'], ['policy name', 'text'], ['privacy domain', 'text']];
  const rows: SfValue[][] = t.columns.map((c) => {
    const ext = external?.columns.find((e) => e.name.toUpperCase() === c.name.toUpperCase());
    return [c.name, sfTypeOf(c.duckType).describe, ext || (external && c.name === 'VALUE') ? 'VIRTUAL' : 'COLUMN', c.nullable ? 'Y' : 'N', c.default, 'N', 'N', null, ext?.expr ?? null, t.columnComments?.[c.name] ?? null, null, null];
  });
  return result(names, rows);
}
