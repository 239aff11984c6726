import { snowflakeErrorPosition } from '../error-position.js';
import { ANSI_SEED_TYPES, AnsiDialect, type SeedTypeNames } from '../sql-dialect.js';
import type { Column, DialectCapabilities, ExternalTableSpec, Relation, RelationKind, TableOptions } from '../types.js';
import { canonicalTypeName } from '../type-names.js';
import { renderExternalTable, renderExternalRefresh } from './external-table.js';
import { renderCopyInto, renderRemoveFile, renderUnload } from './unload.js';
import { snapshotCloseMergeSql, type SnapshotQuery } from '../snapshot-sql.js';

export interface SnowflakeDialectOptions {
  /** the output's query_tag and warehouse, which a model's `query_tag` / `snowflake_warehouse` override while it runs */
  queryTag?: string;
  warehouse?: string;
}

/** A name Snowflake reads unquoted: it folds to upper case. */
const SIMPLE_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** A name as Snowflake folds an unquoted one (`ORDERS`): tsql reads such result columns in lower case. */
export function isFoldedName(name: string): boolean {
  return SIMPLE_NAME.test(name) && name === name.toUpperCase();
}

/**
 * Snowflake's SQL.
 *
 * Names: Snowflake folds unquoted identifiers to upper case. tsql quotes every
 * identifier it writes, so that reserved words and odd names work, and folds a
 * simple name (letters, digits, `_`, `$`) to upper case first: `orders` is
 * written `"ORDERS"`, the same object as an unquoted `orders` in a model's SQL.
 * Other names (`"Order Date"`) are quoted exactly as written.
 *
 * DDL is not transactional (a DDL statement commits the open transaction), but
 * CREATE OR REPLACE of a table or view is atomic: the old relation stays when
 * the query fails, so tables and views are replaced in place in one statement
 * (`replaceInPlace`), and seeds swap their freshly loaded table in with ALTER
 * TABLE … SWAP WITH. DML runs in BEGIN … COMMIT.
 */
export class SnowflakeDialect extends AnsiDialect {
  readonly type = 'snowflake';
  override readonly unquotedCase = 'upper';
  readonly capabilities: DialectCapabilities = {
    transactionalDdl: false,
    merge: true,
    deleteUsing: true,
    maxIdentifierLength: 255,
    // every query is a round trip to the service (bench/README.md)
    foldTests: true,
    unload: 'server',
    replaceInPlace: true,
    concurrentWrites: true,
    // Snowflake checks NOT NULL only; keys are metadata, and it has no CHECK
    constraints: { not_null: 'enforced', primary_key: 'informational', unique: 'informational', foreign_key: 'informational' },
  };

  readonly errorPosition = snowflakeErrorPosition;

  protected override createTableKeyword(): string {
    return 'create transient table';
  }

  /** Integer types are NUMBER(38,0) here, floats FLOAT, strings VARCHAR(n). */
  override canonicalType(type: string): string {
    const t = canonicalTypeName(type);
    if (['integer', 'bigint', 'smallint', 'tinyint', 'byteint'].includes(t)) return 'numeric(38,0)';
    if (['double', 'real', 'float8', 'float4'].includes(t)) return 'float';
    return t === 'numeric' ? 'numeric(38,0)' : t;
  }

  constructor(readonly options: SnowflakeDialectOptions = {}) {
    super();
  }

  /** The name as Snowflake stores it: simple names upper case, others as written. */
  foldName(name: string): string {
    return SIMPLE_NAME.test(name) ? name.toUpperCase() : name;
  }

  override quoteIdentifier(name: string): string {
    return this.quoteExactly(this.foldName(name));
  }

  override quoteExactly(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  /** A part of a relation's name as Snowflake stores it: exact where dbt's `quoting:` says so, else folded. */
  storedName(rel: Relation, part: 'database' | 'schema' | 'identifier'): string {
    const name = rel[part] ?? '';
    return rel.quoting?.[part] ? name : this.foldName(name);
  }

  override renderRelation(rel: Relation): string {
    const parts = (['database', 'schema', 'identifier'] as const).filter((p) => !!rel[p]);
    return parts.map((p) => this.quoteExactly(this.storedName(rel, p))).join('.');
  }

  /** Snowflake string literals read backslash escapes: double backslashes, and quotes. */
  override quoteString(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  }

  /** One statement per role (Snowflake's GRANT takes one grantee): `grant select on table … to role "BI"`. */
  grant(rel: Relation, kind: RelationKind, privilege: string, grantees: string[]): string[] {
    return grantees.map((g) => `grant ${privilege} on ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)} to role ${this.quoteIdentifier(g)}`);
  }

  revoke(rel: Relation, kind: RelationKind, privilege: string, grantees: string[]): string[] {
    return grantees.map((g) => `revoke ${privilege} on ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)} from role ${this.quoteIdentifier(g)}`);
  }

  granteeName(grantee: string): string {
    return this.foldName(grantee);
  }

  /** SHOW GRANTS ON TABLE|VIEW: rows with privilege, granted_to and grantee_name (Adapter.readGrants drops OWNERSHIP and shares). */
  showGrants(rel: Relation, kind: RelationKind): string {
    return `show grants on ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)}`;
  }

  /** A view's columns take their comment through ALTER VIEW (COMMENT ON COLUMN is for tables). */
  override commentOnColumn(rel: Relation, kind: RelationKind, column: string | Column, text: string): string {
    if (kind === 'view') return `alter view ${this.renderRelation(rel)} alter column ${this.columnName(column)} comment ${this.quoteString(text)}`;
    return super.commentOnColumn(rel, kind, column, text);
  }

  /** Views replace in place (CREATE OR REPLACE is atomic); `secure` and `copyGrants` from the model's config. */
  override createView(rel: Relation, sql: string, opts: { replace?: boolean; secure?: boolean; copyGrants?: boolean } = {}): string {
    const head = ['create', opts.replace ? 'or replace' : '', opts.secure ? 'secure' : '', 'view', this.renderRelation(rel), opts.copyGrants ? 'copy grants' : ''];
    return `${head.filter(Boolean).join(' ')} as (\n${sql}\n)`;
  }

  /**
   * CTAS. Tables are transient unless the model says `transient: false` (as in
   * dbt-snowflake: no Fail-safe storage cost for rebuildable data);
   * `cluster_by` and `copy_grants` from the model's config.
   */
  override createTableAs(rel: Relation, sql: string, opts: { temporary?: boolean; replace?: boolean; physical?: TableOptions } = {}): string {
    const t = opts.physical ?? {};
    const kind = opts.temporary ? 'temporary' : t.transient === false ? '' : 'transient';
    const head = ['create', opts.replace ? 'or replace' : '', kind, 'table', this.renderRelation(rel)];
    if (t.clusterBy?.length && !opts.temporary) head.push(`cluster by (${t.clusterBy.join(', ')})`);
    if (t.copyGrants && opts.replace) head.push('copy grants');
    return `${head.filter(Boolean).join(' ')} as (\n${sql}\n)`;
  }

  /** `automatic_clustering` (with `cluster_by`): the service keeps the table clustered; false suspends it. */
  afterTableBuilt(rel: Relation, physical: TableOptions | undefined): string[] {
    if (physical?.automaticClustering === undefined || !physical.clusterBy?.length) return [];
    return [`alter table ${this.renderRelation(rel)} ${physical.automaticClustering ? 'resume' : 'suspend'} recluster`];
  }

  /** Seed tables: transient, like every table tsql builds here. */
  override createTable(rel: Relation, columns: Column[]): string {
    return `create transient table ${this.renderRelation(rel)} (\n${this.columnDefinitions(columns)}\n)`;
  }

  override dropRelation(rel: Relation, kind: RelationKind): string {
    const what = kind === 'view' ? 'view' : kind === 'external' ? 'external table' : 'table';
    return `drop ${what} if exists ${this.renderRelation(rel)}`;
  }

  /** RENAME TO takes a qualified name (an unqualified one would move the relation to the session's current schema). */
  override renameRelation(rel: Relation, kind: RelationKind, newIdentifier: string): string {
    const to = this.renderRelation({ ...rel, identifier: newIdentifier });
    return `alter ${kind === 'view' ? 'view' : 'table'} ${this.renderRelation(rel)} rename to ${to}`;
  }

  /**
   * A model's `query_tag` and `snowflake_warehouse`: set for the node, then
   * back to the output's (as dbt-snowflake does).
   */
  nodeSession(config: Record<string, unknown>): { before: string[]; after: string[] } | undefined {
    const before: string[] = [];
    const after: string[] = [];
    if (typeof config.query_tag === 'string' && config.query_tag !== this.options.queryTag) {
      before.push(`alter session set query_tag = ${this.quoteString(config.query_tag)}`);
      after.push(this.options.queryTag ? `alter session set query_tag = ${this.quoteString(this.options.queryTag)}` : 'alter session unset query_tag');
    }
    const wh = config.snowflake_warehouse;
    if (typeof wh === 'string' && wh && wh.toLowerCase() !== this.options.warehouse?.toLowerCase()) {
      if (!this.options.warehouse) throw new Error(`snowflake_warehouse '${wh}' needs the output's warehouse, to return to after the model`);
      before.push(`use warehouse ${this.quoteIdentifier(wh)}`);
      after.push(`use warehouse ${this.quoteIdentifier(this.options.warehouse)}`);
    }
    return before.length ? { before, after } : undefined;
  }

  /** Exchanges two tables' contents in one atomic statement. */
  swapTables(a: Relation, b: Relation): string {
    return `alter table ${this.renderRelation(a)} swap with ${this.renderRelation(b)}`;
  }

  /** As dbt-snowflake: now in UTC, without a zone (TIMESTAMP_NTZ). */
  override snapshotTime(): string {
    return "to_timestamp_ntz(convert_timezone('UTC', current_timestamp()))";
  }

  /** Closing a snapshot's replaced rows: a MERGE with only a matched clause (its UPDATE takes no alias for the target). */
  override snapshotClose(target: Relation, changes: Relation, q: SnapshotQuery): string {
    return snapshotCloseMergeSql(this, target, changes, q);
  }

  /** COUNT_IF is Snowflake's own, and never null. */
  override countWhere(cond: string): string {
    return `count_if(${cond})`;
  }

  /** Age by the warehouse's clock; a timestamp without zone is taken as UTC. */
  protected override freshnessSelect(from: string, loadedAtField: string, filter?: string): string {
    return [
      'select',
      `  max(${loadedAtField}) as max_loaded_at,`,
      '  current_timestamp() as snapshotted_at,',
      `  timestampdiff(second, cast(max(${loadedAtField}) as timestamp_ntz), cast(convert_timezone('UTC', current_timestamp()) as timestamp_ntz)) as age_seconds`,
      `from ${from}`,
      ...(filter ? [`where ${filter}`] : []),
    ].join('\n');
  }

  /** A column's full type from information_schema (NUMBER(10,2), VARCHAR(20)), which casts and added columns can use. */
  private columnType(): string {
    return [
      'case',
      "    when data_type = 'NUMBER' then 'NUMBER(' || numeric_precision || ',' || numeric_scale || ')'",
      "    when data_type = 'TEXT' then 'VARCHAR(' || character_maximum_length || ')'",
      '    else data_type',
      '  end',
    ].join('\n');
  }

  private informationSchema(database: string | undefined, view: 'tables' | 'columns', rel?: Relation): string {
    const db = rel?.database ? this.quoteExactly(this.storedName(rel, 'database')) : database ? this.quoteIdentifier(database) : undefined;
    return `${db ? `${db}.` : ''}information_schema.${view}`;
  }

  describeColumns(rel: Relation): string {
    return [
      `select column_name as "name", ${this.columnType()} as "type"`,
      `from ${this.informationSchema(rel.database, 'columns', rel)}`,
      `where table_schema = ${this.quoteString(this.storedName(rel, 'schema'))} and table_name = ${this.quoteString(this.storedName(rel, 'identifier'))}`,
      'order by ordinal_position',
    ].join('\n');
  }

  /** Tables, views and external tables of a database (kind: BASE TABLE, VIEW, EXTERNAL TABLE …). */
  catalogQuery(database: string | undefined): string {
    return [
      'select table_catalog as "database", table_schema as "schema", table_name as "identifier", table_type as "kind"',
      `from ${this.informationSchema(database, 'tables')}`,
      "where table_schema <> 'INFORMATION_SCHEMA'",
    ].join('\n');
  }

  /** Every column of a database's relations, in order, with full types. */
  columnsQuery(database: string | undefined): string {
    return [
      `select table_catalog as "database", table_schema as "schema", table_name as "identifier", column_name as "name", ${this.columnType()} as "type"`,
      `from ${this.informationSchema(database, 'columns')}`,
      "where table_schema <> 'INFORMATION_SCHEMA'",
      'order by table_schema, table_name, ordinal_position',
    ].join('\n');
  }

  /**
   * Tables, views and external tables of these schemas (lower-case names) in a
   * database, with owner, comment and the row count, size and last change
   * Snowflake keeps in its metadata (no warehouse scan).
   */
  catalogTablesQuery(database: string | undefined, schemas: string[]): string {
    return [
      'select table_catalog as "database", table_schema as "schema", table_name as "identifier", table_type as "type", table_owner as "owner",',
      '  comment as "comment", row_count as "row_count", bytes as "bytes", last_altered as "last_modified"',
      `from ${this.informationSchema(database, 'tables')}`,
      `where lower(table_schema) in (${schemas.map((s) => this.quoteString(s)).join(', ')})`,
    ].join('\n');
  }

  /** The columns of those relations, in order, with full types and comments. */
  catalogColumnsQuery(database: string | undefined, schemas: string[]): string {
    return [
      `select table_catalog as "database", table_schema as "schema", table_name as "identifier", column_name as "name", ${this.columnType()} as "type",`,
      '  ordinal_position as "position", comment as "comment"',
      `from ${this.informationSchema(database, 'columns')}`,
      `where lower(table_schema) in (${schemas.map((s) => this.quoteString(s)).join(', ')})`,
      'order by table_schema, table_name, ordinal_position',
    ].join('\n');
  }

  /** COPY INTO a stage location: see unload.ts. */
  override copyTo(sql: string, location: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>): string {
    return renderUnload(this, sql, location, format, options);
  }

  /** Removes the one file at a stage location (an unload whose query had no rows). */
  removeStageFile(location: string): string {
    return renderRemoveFile(this, location);
  }

  /** Seeds through the table stage: COPY INTO the table from the files PUT there. */
  copyIntoFromStage(rel: Relation, columns: Column[], stage: string, delimiter?: string): string {
    return renderCopyInto(this, rel, columns, stage, delimiter);
  }

  /** The table stage of a relation: `@"DB"."S".%"T"`. */
  tableStage(rel: Relation): string {
    const prefix = [rel.database, rel.schema].filter((p): p is string => !!p).map((p) => this.quoteIdentifier(p));
    return `@${[...prefix, `%${this.quoteIdentifier(rel.identifier)}`].join('.')}`;
  }

  /** Snowflake external tables (see external-table.ts). */
  createExternalTable(rel: Relation, spec: ExternalTableSpec, stageLocation: string, opts: { replace: boolean }): string {
    return renderExternalTable(this, rel, spec, stageLocation, opts);
  }

  /** Registers the files below `subPath` (every file when undefined). */
  refreshExternalTable(rel: Relation, subPath?: string): string {
    return renderExternalRefresh(this, rel, subPath);
  }

  /** Snowflake reads lake files through its own external tables (Adapter.stageExternal), not views over them. */
  createExternalView(_rel: Relation, _spec: ExternalTableSpec): string {
    throw new Error('snowflake reads external sources through external tables over a stage (stageExternal), not views over files');
  }

  probeFile(): string {
    throw new Error('snowflake cannot read single lake files; external sources are external tables over a stage');
  }

  // ---- the run lock: a lease row (run-lock.ts), taken and renewed with single DML statements, which lock the table

  /** The lease table in the target schema, created when missing (it stays there). */
  runLockTable(database: string, schema: string): string[] {
    return [
      `create schema if not exists ${this.quoteIdentifier(database)}.${this.quoteIdentifier(schema)}`,
      `create transient table if not exists ${this.runLockRelation(database, schema)} (holder varchar, run_id varchar, expires_at timestamp_ltz)`,
    ];
  }

  /**
   * Takes the lease when it is free, expired, already ours, or held by
   * `steal` (a run known to be dead): one MERGE, which Snowflake runs holding
   * the table's lock, so two runs cannot both take it; the table's one row is
   * created by the first run.
   */
  takeRunLock(database: string, schema: string, holder: string, runId: string, leaseSeconds: number, steal?: string): string {
    const rel = this.runLockRelation(database, schema);
    const values = { holder: this.quoteString(holder), run: this.quoteString(runId), expires: `dateadd(second, ${Math.round(leaseSeconds)}, current_timestamp())` };
    const free = [`t.run_id is null`, `t.expires_at <= current_timestamp()`, `t.run_id = ${values.run}`, ...(steal ? [`t.run_id = ${this.quoteString(steal)}`] : [])].join(' or ');
    return [
      `merge into ${rel} t using (select 1 as one) s on 1 = 1`,
      `when matched and (${free}) then update set holder = ${values.holder}, run_id = ${values.run}, expires_at = ${values.expires}`,
      `when not matched then insert (holder, run_id, expires_at) values (${values.holder}, ${values.run}, ${values.expires})`,
    ].join('\n');
  }

  /** The lease's holder and the seconds it has left (by Snowflake's clock). */
  readRunLock(database: string, schema: string): string {
    return `select holder, run_id, datediff(second, current_timestamp(), expires_at) as expires_in from ${this.runLockRelation(database, schema)}`;
  }

  /** The heartbeat: moves the lease's end on, if it is still this run's (one row updated; none: lost). */
  renewRunLock(database: string, schema: string, runId: string, leaseSeconds: number): string {
    return `update ${this.runLockRelation(database, schema)} set expires_at = dateadd(second, ${Math.round(leaseSeconds)}, current_timestamp()) where run_id = ${this.quoteString(runId)}`;
  }

  /** Frees the lease at the end of the run (if it is still this run's). */
  releaseRunLock(database: string, schema: string, runId: string): string {
    return `update ${this.runLockRelation(database, schema)} set holder = null, run_id = null, expires_at = null where run_id = ${this.quoteString(runId)}`;
  }

  private runLockRelation(database: string, schema: string): string {
    return this.renderRelation({ database, schema, identifier: 'tsql_run_lock' });
  }

  protected override readonly seedTypeNames: SeedTypeNames = { ...ANSI_SEED_TYPES, integer: 'integer', double: 'float', decimal: 'number', timestamp: 'timestamp_ntz', text: 'varchar' };
}
