import { PostgresDialect } from '../postgres/dialect.js';
import { DEST, SOURCE } from '../sql-dialect.js';
import type { Column, DialectCapabilities, ExternalTableSpec, Relation, RelationKind } from '../types.js';
import { physicalClauses, type PhysicalOptions } from './physical.js';
import { renderUnload } from './unload.js';

/** The run lock's tables in the target schema (they stay there). */
export const RUN_LOCK_TABLE = 'tsql_run_lock';
export const RUN_LOCK_HOLDER_TABLE = 'tsql_run_lock_holder';

export interface RedshiftDialectOptions {
  /** The connected database: relations in it are named schema.table, others database.schema.table. */
  database?: string;
  /** The output's `iam_role`, used by UNLOAD and COPY when the model or seed names none. */
  iamRole?: string;
}

/**
 * Redshift's SQL: PostgreSQL's with Redshift's table layout, late-binding
 * views, UNLOAD and Spectrum (spectrum.ts).
 *
 * Transactions: table and view DDL (create, rename, drop) and DML roll back,
 * so swaps and incremental strategies run inside BEGIN … COMMIT as on
 * Postgres. External-table DDL (CREATE EXTERNAL TABLE, ALTER TABLE … ADD
 * PARTITION, dropping one) cannot run in a transaction block: the adapter runs
 * it autocommitted (stageExternal).
 *
 * MERGE: Redshift's MERGE (GA 2023) names the target without an alias, needs
 * both WHEN MATCHED and WHEN NOT MATCHED, takes a table (not a view or
 * subquery) as source, and fails when a target row matches several source
 * rows: the unique_key must be unique in the target and in the new rows.
 * Where that does not hold, use incremental_strategy 'delete+insert'.
 */
export class RedshiftDialect extends PostgresDialect {
  override readonly type: string = 'redshift';
  override readonly parentType = 'postgres';
  override readonly capabilities: DialectCapabilities = {
    transactionalDdl: true,
    merge: true,
    deleteUsing: true,
    maxIdentifierLength: 127,
    foldTests: true,
    unload: 'server',
    // Redshift declares keys for the planner but does not check them, and has no CHECK
    constraints: { not_null: 'enforced', primary_key: 'informational', unique: 'informational', foreign_key: 'informational' },
  };

  constructor(readonly options: RedshiftDialectOptions = {}) {
    super();
  }

  /** Redshift string literals treat a backslash as an escape: double it, and the quotes. */
  override quoteString(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
  }

  /**
   * schema.table for the connected database (Redshift can create, alter and
   * drop objects only there), database.schema.table for another one (reads
   * across databases).
   */
  override renderRelation(rel: Relation): string {
    const own = !rel.database || !this.options.database || rel.database.toLowerCase() === this.options.database.toLowerCase();
    return own ? `${this.quoteIdentifier(rel.schema)}.${this.quoteIdentifier(rel.identifier)}` : super.renderRelation(rel);
  }

  /** `with no schema binding`: the view does not bind to what it reads (needed over external tables). */
  override createView(rel: Relation, sql: string, opts: { lateBinding?: boolean } = {}): string {
    return `create view ${this.renderRelation(rel)} as (\n${sql}\n)${opts.lateBinding ? ' with no schema binding' : ''}`;
  }

  /**
   * CTAS with the model's layout (backup, diststyle/distkey, sortkey). A
   * temporary table takes none of it, and no schema.
   */
  override createTableAs(rel: Relation, sql: string, opts: { temporary?: boolean; physical?: PhysicalOptions } = {}): string {
    if (opts.temporary) return `create temporary table ${this.quoteIdentifier(rel.identifier)} as (\n${sql}\n)`;
    const head = [`create table ${this.renderRelation(rel)}`, ...physicalClauses(opts.physical, (c) => this.quoteIdentifier(c))];
    return `${head.join('\n')}\nas (\n${sql}\n)`;
  }

  /**
   * Redshift tells users, groups and roles apart: a grantee written `group x`
   * or `role x` (as in dbt-redshift) is granted with that keyword; any other is a user.
   */
  protected override renderGrantee(grantee: string): string {
    const m = /^(group|role)\s+(.+)$/i.exec(grantee.trim());
    if (m) return `${m[1].toLowerCase()} ${this.quoteIdentifier(m[2].trim())}`;
    return super.renderGrantee(grantee);
  }

  override granteeName(grantee: string): string {
    const m = /^(group|role)\s+(.+)$/i.exec(grantee.trim());
    return m ? `${m[1].toLowerCase()} ${m[2].trim()}` : super.granteeName(grantee);
  }

  /** Privileges from SVV_RELATION_PRIVILEGES, groups and roles named `group x` / `role x`, PUBLIC as PostgreSQL names it; the connected user (the owner) left out. */
  override showGrants(rel: Relation): string {
    return [
      "select case identity_type when 'group' then 'group ' || identity_name when 'role' then 'role ' || identity_name when 'public' then 'PUBLIC' else identity_name end as grantee,",
      '  lower(privilege_type) as privilege',
      'from svv_relation_privileges',
      `where namespace_name = ${this.quoteString(rel.schema)} and relation_name = ${this.quoteString(rel.identifier)}`,
      "  and not (identity_type = 'user' and identity_name = current_user)",
    ].join('\n');
  }

  /** Redshift's ALTER TABLE has no IF EXISTS; it renames views too. */
  override renameRelation(rel: Relation, _kind: RelationKind, newIdentifier: string): string {
    return `alter table ${this.renderRelation(rel)} rename to ${this.quoteIdentifier(newIdentifier)}`;
  }

  /** External tables are dropped with DROP TABLE, outside a transaction, schema-qualified only. */
  override dropRelation(rel: Relation, kind: RelationKind): string {
    if (kind === 'external') return `drop table if exists ${this.quoteIdentifier(rel.schema)}.${this.quoteIdentifier(rel.identifier)}`;
    return super.dropRelation(rel, kind);
  }

  /** MERGE as Redshift takes it (see the class comment): no target alias, both clauses always. */
  override merge(target: Relation, source: Relation, uniqueKey: string[], columns: string[], updateColumns: string[], predicates: string[] = []): string {
    const q = (c: string) => this.quoteIdentifier(c);
    const t = this.renderRelation(target);
    // WHEN MATCHED is required: with nothing to update, a no-op update of the key.
    const update = updateColumns.length ? updateColumns : uniqueKey;
    const on = uniqueKey.map((k) => `${t}.${q(k)} = ${SOURCE}.${q(k)}`).join(' and ');
    return [
      `merge into ${t}`,
      `using ${this.renderRelation(source)} as ${SOURCE}`,
      `on ${predicates.length ? `${this.predicateList(predicates, target)} and ` : ''}${on}`,
      `when matched then update set ${update.map((c) => `${q(c)} = ${SOURCE}.${q(c)}`).join(', ')}`,
      `when not matched then insert (${this.columnList(columns)}) values (${this.columnList(columns, `${SOURCE}.`)})`,
    ].join('\n');
  }

  /** Redshift's DELETE takes no alias: the target is named in full. */
  protected override deleteTarget(target: Relation): string {
    return this.renderRelation(target);
  }

  /** Redshift's MERGE and DELETE cannot alias their target: DBT_INTERNAL_DEST becomes its name (as dbt-redshift does). */
  protected override predicateList(predicates: string[], target?: Relation): string {
    const dest = target ? `${this.renderRelation(target)}.` : `${DEST}.`;
    return super.predicateList(predicates.map((p) => p.replace(/\bDBT_INTERNAL_DEST\./gi, () => dest)));
  }

  /**
   * Redshift has no IS DISTINCT FROM: compare the values when both are there,
   * else whether exactly one is NULL (never NULL itself).
   */
  override distinctFrom(a: string, b: string): string {
    return `coalesce(${a} <> ${b}, (${a} is null) <> (${b} is null))`;
  }

  /** As dbt-redshift: GETDATE() (UTC), as a timestamp. */
  override snapshotTime(): string {
    return 'getdate()::timestamp';
  }

  /** Faster than sum(case …) and never null. */
  override countWhere(cond: string): string {
    return `count(case when ${cond} then 1 end)`;
  }

  /**
   * Age by the warehouse's clock with DATEDIFF (EXTRACT(EPOCH …) does not take
   * every timestamp type on Redshift); the cast accepts date, timestamp and
   * timestamptz (as UTC, the session's default zone). GETDATE() is UTC.
   */
  protected override freshnessSelect(from: string, loadedAtField: string, filter?: string): string {
    return [
      'select',
      `  max(${loadedAtField}) as max_loaded_at,`,
      '  getdate() as snapshotted_at,',
      `  datediff(second, cast(max(${loadedAtField}) as timestamp), getdate()) as age_seconds`,
      `from ${from}`,
      ...(filter ? [`where ${filter}`] : []),
    ].join('\n');
  }

  /**
   * Columns of late-binding views and external tables, which the catalog
   * (describeColumns) does not list: one query over both, in column order.
   */
  describeUnboundColumns(rel: Relation): string {
    const s = this.quoteString(rel.schema);
    const t = this.quoteString(rel.identifier);
    return [
      'select name, type from (',
      '  select col_name as name, col_type as type, col_num as position',
      '  from pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)',
      `  where view_schema = ${s} and view_name = ${t}`,
      '  union all',
      '  select columnname as name, external_type as type, columnnum as position',
      '  from svv_external_columns',
      `  where schemaname = ${s} and tablename = ${t}`,
      ') as c',
      'order by position',
    ].join('\n');
  }

  /** UNLOAD to S3 (see unload.ts for the options and how the location maps to a prefix). */
  override copyTo(sql: string, location: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>): string {
    return renderUnload(this, sql, location, format, options, { iamRole: this.options.iamRole });
  }

  /** Seeds from S3: COPY from a CSV file (or every file under a prefix) with a header line. */
  copyFromS3(rel: Relation, columns: Column[], location: string, o: { iamRole?: string; region?: string; delimiter?: string } = {}): string {
    if (!/^s3:\/\//i.test(location)) throw new Error(`COPY reads from S3: the location must be s3://bucket/…, not ${location}`);
    const iamRole = o.iamRole ?? this.options.iamRole;
    return [
      `copy ${this.renderRelation(rel)} (${this.columnList(columns.map((c) => c.name))})`,
      `from ${this.quoteString(location)}`,
      !iamRole || iamRole.toLowerCase() === 'default' ? 'iam_role default' : `iam_role ${this.quoteString(iamRole)}`,
      ...(o.region ? [`region ${this.quoteString(o.region)}`] : []),
      `format as csv${o.delimiter && o.delimiter !== ',' ? ` delimiter ${this.quoteString(o.delimiter)}` : ''} ignoreheader 1`,
    ].join('\n');
  }

  /** Redshift reads lake files through Spectrum external tables (Adapter.stageExternal), not views over them. */
  override createExternalView(_rel: Relation, _spec: ExternalTableSpec): string {
    throw new Error('redshift reads external sources through Spectrum external tables (stageExternal), not views over files');
  }

  override probeFile(): string {
    throw new Error('redshift cannot read single lake files; external sources are Spectrum external tables');
  }

  /**
   * Seed types. Text: Redshift's `text` is varchar(256) and longer values fail,
   * so varchar(65535), the longest there is (storage is by actual length).
   */
  override seedColumnType(inferred: string, precision?: number, scale?: number): string {
    if (inferred === 'varchar') return 'varchar(65535)';
    return super.seedColumnType(inferred, precision, scale);
  }

  /** Tables and views of the connected database, and every external table (kind 'external'). */
  catalogQuery(): string {
    return [
      "select current_database() as database, n.nspname as schema, c.relname as identifier, case when c.relkind = 'v' then 'view' else 'table' end as kind",
      'from pg_catalog.pg_class c',
      'join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      "where c.relkind in ('r', 'v') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv') and n.nspname not like 'pg_temp%'",
      'union all',
      "select current_database() as database, schemaname as schema, tablename as identifier, 'external' as kind",
      'from svv_external_tables',
    ].join('\n');
  }

  /** Every column of the connected database's tables and schema-bound views, in order, with full types. */
  columnsQuery(): string {
    return [
      'select current_database() as database, n.nspname as schema, c.relname as identifier, a.attname as name, format_type(a.atttypid, a.atttypmod) as type',
      'from pg_catalog.pg_attribute a',
      'join pg_catalog.pg_class c on c.oid = a.attrelid',
      'join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      "where c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped",
      "  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv') and n.nspname not like 'pg_temp%'",
      'order by n.nspname, c.relname, a.attnum',
    ].join('\n');
  }

  /**
   * Tables and views of these schemas (lower-case names) with owner, comment and
   * the statistics Redshift keeps in svv_table_info (rows, size in 1 MB blocks;
   * no scan), and the Spectrum external tables.
   */
  override catalogTablesQuery(schemas: string[]): string {
    const list = this.schemaList(schemas);
    return [
      'select current_database() as database, n.nspname as schema, c.relname as identifier,',
      "  case c.relkind when 'v' then 'VIEW' else 'BASE TABLE' end as type,",
      '  pg_catalog.pg_get_userbyid(c.relowner) as owner, d.description as comment,',
      '  i.tbl_rows as row_count, i.size * 1048576 as bytes',
      'from pg_catalog.pg_class c',
      'join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      'left join pg_catalog.pg_description d on d.objoid = c.oid and d.objsubid = 0',
      'left join svv_table_info i on i.table_id = c.oid',
      `where c.relkind in ('r', 'v') and lower(n.nspname) in (${list})`,
      'union all',
      "select current_database(), schemaname, tablename, 'EXTERNAL TABLE', null, null, null, null",
      `from svv_external_tables where lower(schemaname) in (${list})`,
    ].join('\n');
  }

  /** Their columns, in order: schema-bound relations, late-binding views and external tables. */
  override catalogColumnsQuery(schemas: string[]): string {
    const list = this.schemaList(schemas);
    return [
      'select database, schema, identifier, name, type, position, comment from (',
      '  select current_database() as database, n.nspname as schema, c.relname as identifier, a.attname as name,',
      '    format_type(a.atttypid, a.atttypmod) as type, a.attnum as position, d.description as comment',
      '  from pg_catalog.pg_attribute a',
      '  join pg_catalog.pg_class c on c.oid = a.attrelid',
      '  join pg_catalog.pg_namespace n on n.oid = c.relnamespace',
      '  left join pg_catalog.pg_description d on d.objoid = c.oid and d.objsubid = a.attnum',
      `  where c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped and lower(n.nspname) in (${list})`,
      '  union all',
      '  select current_database(), view_schema, view_name, col_name, col_type, col_num, null',
      '  from pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)',
      `  where lower(view_schema) in (${list})`,
      '  union all',
      '  select current_database(), schemaname, tablename, columnname, external_type, columnnum, null',
      `  from svv_external_columns where lower(schemaname) in (${list})`,
      ') as cols',
      'order by schema, identifier, position',
    ].join('\n');
  }

  // ---- the run lock (run-lock.ts): a table locked in a transaction held open for the run, and a row naming its holder

  /** Creates the lock table and the holder table when missing. */
  runLockTables(schema: string): string[] {
    const rel = (identifier: string) => this.renderRelation({ schema, identifier });
    return [
      `create schema if not exists ${this.quoteIdentifier(schema)}`,
      `create table if not exists ${rel(RUN_LOCK_TABLE)} (run varchar(256))`,
      `create table if not exists ${rel(RUN_LOCK_HOLDER_TABLE)} (run varchar(256), expires_at timestamp)`,
    ];
  }

  /** Takes the lock (inside BEGIN; Redshift's LOCK waits, it has no NOWAIT: a statement_timeout makes it a try). */
  lockRunLock(schema: string): string {
    return `lock ${this.renderRelation({ schema, identifier: RUN_LOCK_TABLE })}`;
  }

  /** Who holds the lock, and in how many seconds its lease ends (NULL: held by a connection, no lease). */
  readRunLockHolder(schema: string): string {
    return `select run, datediff(second, getdate(), expires_at) as expires_in from ${this.renderRelation({ schema, identifier: RUN_LOCK_HOLDER_TABLE })} limit 1`;
  }

  /** Names the new holder (committed at once, for a waiting run to read); `leaseSeconds`: its lease from now. */
  writeRunLockHolder(schema: string, who: string, leaseSeconds?: number): string[] {
    const rel = this.renderRelation({ schema, identifier: RUN_LOCK_HOLDER_TABLE });
    return [`delete from ${rel}`, `insert into ${rel} (run, expires_at) values (${this.quoteString(who)}, ${this.leaseEnd(leaseSeconds)})`];
  }

  /** Moves the holder's lease end on (the heartbeat). */
  renewRunLockHolder(schema: string, who: string, leaseSeconds: number): string {
    return `update ${this.renderRelation({ schema, identifier: RUN_LOCK_HOLDER_TABLE })} set expires_at = ${this.leaseEnd(leaseSeconds)} where run = ${this.quoteString(who)}`;
  }

  private leaseEnd(seconds: number | undefined): string {
    return seconds === undefined ? 'null' : `dateadd(second, ${Math.round(seconds)}, getdate())`;
  }

  /**
   * The backends running statements of other runs on the same schema (their
   * `query_group` names the run): what a run killed with SIGKILL left
   * executing. The caller holds the run lock, so those runs are gone.
   * `runPrefix` (`tsql <key> `) has no LIKE wildcards.
   */
  leftoverRunBackends(runPrefix: string, ownName: string): string {
    return [
      'select distinct pid from stv_inflight',
      `where trim(label) like ${this.quoteString(`${runPrefix}%`)} and trim(label) <> ${this.quoteString(ownName)} and pid <> pg_backend_pid()`,
    ].join('\n');
  }

  /** Labels the session's statements with the run's name (stv_inflight.label), so that a later run can find them. */
  setQueryGroup(label: string): string {
    return `set query_group to ${this.quoteString(label)}`;
  }
}
