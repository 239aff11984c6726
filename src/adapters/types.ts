import type { SeedRows } from './row-batches.js';
import type { SnapshotQuery } from './snapshot-sql.js';

/**
 * The contract between materializations and engines. A Dialect only renders SQL
 * (pure, golden-testable); a Connection only sends statements and reads rows.
 */
import type { StatementPosition } from './error-position.js';
export interface Relation {
  database?: string;
  schema: string;
  identifier: string;
  /**
   * Parts quoted exactly as written (dbt's `quoting:`). Engines that fold
   * unquoted names (Snowflake) fold the other parts; the rest quote exactly always.
   */
  quoting?: { database?: boolean; schema?: boolean; identifier?: boolean };
}

export type RelationKind = 'table' | 'view' | 'external';

export interface CatalogEntry extends Relation {
  kind: RelationKind;
}

export interface Column {
  name: string;
  dataType: string;
  /** a column's `quote: true`: written exactly as named, never folded (Snowflake folds other simple names) */
  quoted?: boolean;
}

/** A relation as the warehouse's catalog describes it, for catalog.json and the docs site. */
export interface CatalogTable extends Relation {
  /** the engine's word for it: BASE TABLE, VIEW, EXTERNAL TABLE … */
  type: string;
  owner?: string;
  comment?: string;
  /** in order; `index` is 1-based */
  columns: Array<{ name: string; type: string; index: number; comment?: string }>;
  /** what the catalog knows without scanning the table */
  stats: { rowCount?: number; rowCountEstimated?: boolean; bytes?: number; lastModified?: string };
}

/** A file-backed table: where the files are, how to read them, and its columns. */
export interface ExternalTableSpec {
  /** absolute path or URL of the table's root */
  location: string;
  format: 'csv' | 'parquet';
  columns: Column[];
  /** partition columns, one directory level each, outermost first */
  partitions: Column[];
  /** `value_only`: <root>/2024-01-03/…; `key_value` (hive): <root>/insert_date=2024-01-03/… */
  partitionLayout: 'value_only' | 'key_value';
  /** reader options (e.g. delimiter, header) */
  options: Record<string, string | number | boolean>;
}

export interface DialectCapabilities {
  /** DDL (create/drop/rename) can run inside a transaction and roll back. */
  transactionalDdl: boolean;
  /** MERGE INTO … USING … is available. */
  merge: boolean;
  /** DELETE … USING other_table is available. */
  deleteUsing: boolean;
  maxIdentifierLength: number;
  /**
   * Fold the tests of one relation into one query by default. Worth it where
   * every query is a round trip; an in-process engine answers single-column
   * tests faster one by one (statistics prune most of them; bench/README.md).
   */
  foldTests: boolean;
  /**
   * How `unload` writes files: `server` — the engine writes them itself with the
   * statement from `copyTo` (DuckDB locally, Redshift UNLOAD to S3);
   * `client` — tsql streams the rows through `Connection.unloadToFile` (Postgres).
   */
  unload: 'server' | 'client';
  /**
   * CREATE OR REPLACE of a table or view is one atomic statement that leaves
   * the old relation in place when the query fails (Snowflake): tables and
   * views are replaced in place instead of built aside and swapped in.
   */
  replaceInPlace?: boolean;
  /** Tables take indexes (`indexes` config: created after the build, as dbt-postgres does). */
  indexes?: boolean;
  /** Tables can be unlogged (`unlogged` config: no write-ahead log, not crash-safe). */
  unlogged?: boolean;
  /**
   * What the engine does with each constraint type of a model contract:
   * `enforced`, `informational` (declared, not checked: a warning), or absent
   * (it cannot be declared: an error before the run).
   */
  constraints?: Partial<Record<ConstraintType, 'enforced' | 'informational'>>;
  /**
   * Several transactions may write one table at once without failing each
   * other (microbatch batches run in parallel); Redshift's serializable
   * isolation aborts one of two concurrent writers, DuckDB runs a statement on every core anyway.
   */
  concurrentWrites?: boolean;
}

export type ConstraintType = 'check' | 'not_null' | 'unique' | 'primary_key' | 'foreign_key' | 'custom';

/** A constraint of a contracted table, ready to render (foreign keys' targets resolved). */
export interface TableConstraint {
  type: ConstraintType;
  name?: string;
  expression?: string;
  /** the columns it is on (one for a column's constraint) */
  columns: string[];
  /** foreign_key: the rendered relation it references */
  references?: string;
  toColumns?: string[];
}

/** One entry of a model's `indexes` config. */
export interface TableIndex {
  columns: string[];
  unique?: boolean;
  /** the access method: btree, hash, gist, gin … */
  type?: string;
}

/**
 * How a table is laid out and kept, from the model's config. Each engine takes
 * the options it has and ignores the rest (and temporary tables take none):
 * Redshift dist/sort/sort_type/backup, Snowflake transient/cluster_by/copy_grants.
 */
export interface TableOptions {
  dist?: string;
  sort?: string[];
  sortType?: string;
  backup?: boolean;
  /** Snowflake: a transient table (no Fail-safe); true unless the model says `transient: false` */
  transient?: boolean;
  /** Snowflake: clustering key expressions */
  clusterBy?: string[];
  /** Snowflake: keep the replaced table's grants */
  copyGrants?: boolean;
  /** Snowflake: let the service keep the table clustered on cluster_by (RESUME RECLUSTER) */
  automaticClustering?: boolean;
  /** PostgreSQL: an unlogged table */
  unlogged?: boolean;
  /** PostgreSQL: indexes created once the table is in place */
  indexes?: TableIndex[];
}

/** Privilege → grantees: as a model's `grants:` config says, or as the catalog shows them. */
export type GrantMap = Record<string, string[]>;

export interface Dialect {
  /** Engine name used for dispatch: `<type>__macro`. */
  readonly type: string;
  /** Parent engine for dispatch (redshift → postgres); undefined for none. */
  readonly parentType?: string;
  readonly capabilities: DialectCapabilities;
  /** How the engine stores an unquoted name: folded to lower case (PostgreSQL, Redshift), upper case (Snowflake), or as written (DuckDB). */
  readonly unquotedCase: 'lower' | 'upper' | 'preserve';
  quoteIdentifier(name: string): string;
  /** A name quoted exactly as written, never folded (a column's `quote: true`). */
  quoteExactly(name: string): string;
  quoteString(value: string): string;
  renderRelation(rel: Relation): string;
  createSchema(database: string | undefined, schema: string): string;
  /**
   * `lateBinding`: the view does not bind to the objects it reads (Redshift `with no schema binding`).
   * `replace`: CREATE OR REPLACE (engines with `replaceInPlace`); `secure`, `copyGrants`: Snowflake's.
   */
  createView(rel: Relation, sql: string, opts?: { lateBinding?: boolean; replace?: boolean; secure?: boolean; copyGrants?: boolean }): string;
  /**
   * `physical`: table layout from the model config, for engines that have one;
   * ignored elsewhere and for temporary tables. `replace`: CREATE OR REPLACE
   * (engines with `replaceInPlace`).
   */
  createTableAs(rel: Relation, sql: string, opts?: { temporary?: boolean; replace?: boolean; physical?: TableOptions }): string;
  createTable(rel: Relation, columns: Column[]): string;
  dropRelation(rel: Relation, kind: RelationKind): string;
  /**
   * Session settings a node's config asks for while it runs (Snowflake
   * `query_tag`, `snowflake_warehouse`): statements to run before the node and
   * to restore the session's own settings after it. Undefined: none.
   */
  nodeSession?(config: Record<string, unknown>): { before: string[]; after: string[] } | undefined;
  /**
   * Where in `statement` the engine says it went wrong, read from the error it raised (see
   * error-position.ts), and its message without the engine's own rendering of the place.
   * Undefined when the error names no place.
   */
  errorPosition?(error: unknown, statement: string): StatementPosition | undefined;
  /** Statements that finish a table once it is in place (Snowflake: resume automatic clustering); none when undefined. */
  afterTableBuilt?(rel: Relation, physical: TableOptions | undefined): string[];
  /**
   * Statements that finish a table built aside (`staged`) before it takes `target`'s place
   * (PostgreSQL: the `indexes` config), so a failure among them leaves the old table as it
   * was. Whatever they name must not collide with what the old table still holds.
   */
  beforeSwap?(staged: Relation, target: Relation, physical: TableOptions | undefined): string[];
  /** Exchanges two tables in one atomic statement (Snowflake ALTER TABLE … SWAP WITH); engines without it leave it undefined. */
  swapTables?(a: Relation, b: Relation): string;
  /** Renames within the same schema. */
  renameRelation(rel: Relation, kind: RelationKind, newIdentifier: string): string;
  insertInto(target: Relation, columns: string[], source: Relation): string;
  /**
   * Deletes the target's rows whose key the source has. `predicates`
   * (incremental_predicates) narrow the target rows it considers: SQL that
   * names the target as DBT_INTERNAL_DEST (or leaves its columns unqualified).
   */
  deleteMatching(target: Relation, source: Relation, uniqueKey: string[], predicates?: string[]): string;
  deleteWhere(target: Relation, predicate: string): string;
  /** `column >= start and column < end`: the rows of one microbatch window (column as the config writes it). */
  eventTimeWindow(column: string, start: Date, end: Date): string;
  /** A query counting (as `n`) the rows of `rel` outside the window, a NULL event time included. */
  countOutsideEventTimeWindow(rel: Relation, column: string, start: Date, end: Date): string;
  /** MERGE with the target as DBT_INTERNAL_DEST and the source as DBT_INTERNAL_SOURCE; `predicates` join the ON clause. */
  merge(target: Relation, source: Relation, uniqueKey: string[], columns: string[], updateColumns: string[], predicates?: string[]): string;
  /**
   * A query counting (as `n`) the rows of `staged` that do not satisfy
   * `predicates` with both DBT_INTERNAL_DEST and DBT_INTERNAL_SOURCE naming
   * the row: once applied, such a row would not be matched by a rerun, but added again.
   */
  countOutsidePredicates(staged: Relation, predicates: string[]): string;
  addColumn(rel: Relation, column: Column): string;
  dropColumn(rel: Relation, column: string): string;
  begin(): string;
  commit(): string;
  rollback(): string;
  /** A query that returns the columns of `rel` as rows with `name` and `type`. */
  describeColumns(rel: Relation): string;
  /** Writes a query's result to a file (the `unload` materialization). */
  copyTo(sql: string, location: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>): string;
  /** (Re)creates a relation over an external table's files; without files yet, an empty relation with its columns. */
  createExternalView(rel: Relation, spec: ExternalTableSpec, hasFiles: boolean): string;
  /** An aggregate counting the rows where `cond` is true (null does not count). */
  countWhere(cond: string): string;
  /** A boolean expression: true when `a` and `b` differ, NULL-safe (two NULLs are equal, a NULL and a value differ). */
  distinctFrom(a: string, b: string): string;
  /** Newest `loaded_at` of a relation and its age in seconds, measured by the warehouse's clock. */
  freshnessQuery(rel: Relation, loadedAtField: string, filter?: string): string;
  /** The same columns (max_loaded_at, snapshotted_at, age_seconds) from a source's `loaded_at_query`. */
  freshnessOfQuery(query: string): string;
  /** A cheap query that fails when one file of an external table cannot be read. */
  probeFile(file: string, spec: ExternalTableSpec): string;
  /**
   * A table with declared column types and constraints (model contracts); empty. `target`: the relation
   * it becomes once swapped in (default `rel`), after which unnamed constraints are named.
   */
  createContractedTable(rel: Relation, columns: Column[], constraints: TableConstraint[], physical?: TableOptions, target?: Relation): string;
  /** insert into `target` (columns) select those columns from the query `sql`. */
  insertSelect(target: Relation, columns: Array<string | Column>, sql: string): string;
  /** A type name in one spelling per type (int, int4 → integer), for comparing a contract with the catalog. */
  canonicalType(type: string): string;
  /**
   * GRANT / REVOKE of one privilege on a relation to grantees as written in
   * config (one statement or several). Undefined on engines without privileges (DuckDB).
   */
  grant?(rel: Relation, kind: RelationKind, privilege: string, grantees: string[]): string[];
  revoke?(rel: Relation, kind: RelationKind, privilege: string, grantees: string[]): string[];
  /** A query listing who holds which privilege on `rel`, its owner left out (read by Adapter.readGrants). */
  showGrants?(rel: Relation, kind: RelationKind): string;
  /** A grantee as written in config, in the form the catalog shows it (Snowflake: simple names upper case). */
  granteeName?(grantee: string): string;
  /** A description on a relation (persist_docs). */
  commentOnRelation(rel: Relation, kind: RelationKind, text: string): string;
  /** A description on one of its columns (persist_docs). */
  /** `column` as a string, or a Column whose `quoted` (a column's `quote: true`) writes it exactly as named. */
  commentOnColumn(rel: Relation, kind: RelationKind, column: string | Column, text: string): string;
  /** SQL type names for seed columns. */
  seedColumnType(inferred: string, precision?: number, scale?: number): string;
  /** The time a snapshot run stamps on the versions it opens and closes: the warehouse's clock (dbt's snapshot_get_time). */
  snapshotTime(): string;
  /** dbt_scd_id: the md5 of the arguments as text joined by '|' (dbt's snapshot_hash_arguments). */
  snapshotHash(args: string[]): string;
  /** A snapshot's first run: its staged select with the meta columns (see snapshot-sql.ts). */
  snapshotBuild(q: SnapshotQuery): string;
  /** The changes a snapshot run applies, staged from its select and the table's current rows. */
  snapshotChanges(q: SnapshotQuery): string;
  /** Closes the current rows the staged changes replace or delete. */
  snapshotClose(target: Relation, changes: Relation, q: SnapshotQuery): string;
  /** Inserts the staged new versions. */
  snapshotInsert(target: Relation, changes: Relation, columns: string[]): string;
  /** A query returning `duplicated` (key values found more than once) and `null_keys` (rows with a NULL key) of the staged select. */
  snapshotKeyCheck(source: Relation, uniqueKey: string[]): string;
}

export interface ExecResult {
  rowsAffected?: number;
}

export interface Connection {
  execute(sql: string): Promise<ExecResult>;
  /**
   * Runs the statements as one transaction in one round trip where the engine
   * has that (Redshift Data API BatchExecuteStatement): all succeed or none.
   */
  executeBatch?(sqls: string[]): Promise<ExecResult[]>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * The rows of a query as the engine's own client prints them (`tsql show`, and
   * what run_query and statement give templates, as dbt's agate cells print):
   * dates, times, timestamps and intervals as the engine's text (`2024-01-03`,
   * `2024-01-03 10:00:00`), not as a JavaScript Date. Engines without it: query().
   */
  preview?(sql: string): Promise<Record<string, unknown>[]>;
  /**
   * Bulk-loads rows with bound values (never spliced into SQL text); returns the
   * rows loaded. Batches that come from a file are taken one at a time, so a seed
   * of any size loads in bounded memory.
   */
  loadRows(rel: Relation, columns: Column[], rows: SeedRows): Promise<number>;
  /**
   * Runs a clean-up statement (dropping what a failed or stopped node staged)
   * that Ctrl-C must not interrupt, so nothing staged stays behind; engines
   * whose cancel stops only the statement running at that moment need none
   * (execute is used).
   */
  cleanup?(sql: string): Promise<void>;
  /**
   * Client-side unload (engines whose `capabilities.unload` is 'client'): streams
   * the query's result into the local file `file` (CSV with a header). Returns rows
   * written; `onRows` hears how many so far, as they stream.
   */
  unloadToFile?(sql: string, file: string, format: 'csv' | 'parquet', options: Record<string, string | number | boolean>, onRows?: (rows: number) => void): Promise<number>;
}

/** What an engine with its own external tables (Redshift Spectrum) is asked to stage. */
export interface ExternalStageRequest {
  relation: Relation;
  spec: ExternalTableSpec;
  /** partition values to register, one array per partition (values outermost first) */
  partitionValues: string[][];
  /** the source's `external:` block as written (schema/database/iam_role options) */
  external: Record<string, unknown>;
  /** --full-refresh: recreate the table even when it exists */
  fullRefresh?: boolean;
}

/** An unload model's query and where its result goes (Adapter.unload). */
export interface UnloadRequest {
  sql: string;
  /** absolute path or URL (the model's location under the lake root) */
  location: string;
  format: 'csv' | 'parquet';
  options: Record<string, string | number | boolean>;
}

export interface Adapter {
  readonly dialect: Dialect;
  /** Default database (catalog) of the target. */
  readonly database: string | undefined;
  /** Runs fn on a connection from the pool, returning it afterwards. */
  withConnection<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** Every relation in the target's database (one round trip), on `conn` when given. */
  listRelations(conn?: Connection): Promise<CatalogEntry[]>;
  getColumns(conn: Connection, rel: Relation): Promise<Column[]>;
  /** Columns of every relation in the target's database, keyed by lower-case `database.schema.identifier` (one round trip). */
  listColumns(): Promise<Map<string, Column[]>>;
  /**
   * The relations of these schemas (case-insensitive) with their columns, types,
   * owner, comments and the statistics the catalog keeps (row counts, size): for
   * `tsql docs generate`. Never scans a table.
   */
  readCatalog(schemas: Array<{ database?: string; schema: string }>): Promise<CatalogTable[]>;
  /**
   * Native external tables: engines that have them (Redshift Spectrum) create the
   * external schema/table and register partitions here; others leave it undefined
   * and tsql creates a view over the files (`Dialect.createExternalView`).
   * Returns the statements it ran (for target/run/).
   */
  stageExternal?(conn: Connection, request: ExternalStageRequest): Promise<{ message: string; statements: string[] }>;
  /**
   * Loads a seed's rows from a file the warehouse reads itself (Redshift: COPY
   * from S3), for seeds whose config names `s3_location`; engines without it leave it undefined.
   */
  loadSeedFromLocation?(conn: Connection, rel: Relation, columns: Column[], location: string, options: { iamRole?: string; region?: string; delimiter?: string }): Promise<{ rows: number | undefined; statements: string[] }>;
  /**
   * Unloads through the engine's own steps (Snowflake: tsql's stage over the
   * lake, COPY INTO, removing a stale file after an empty result); engines
   * without it get the dialect's copyTo (or a client-side unload).
   */
  unload?(conn: Connection, request: UnloadRequest): Promise<{ rows: number | undefined; statements: string[] }>;
  /**
   * One run at a time per target schema: takes the engine's run lock (held
   * until close) before anything reads or writes the target. Throws a
   * WarehouseError naming the other run when the lock is held and `waitSeconds`
   * is undefined or runs out; `Infinity` waits as long as it takes.
   */
  acquireRunLock?(opts: RunLockOptions): Promise<void>;
  /** The privileges granted on a relation to others than its owner (engines with `Dialect.showGrants`). */
  readGrants?(conn: Connection, rel: Relation, kind: RelationKind): Promise<GrantMap>;
  /** Cancels every statement still running on the server (Ctrl-C), then returns. */
  cancelAll(): Promise<void>;
  /** A short human description for `tsql debug` (no credentials). */
  describe(): string;
  close(): Promise<void>;
}

export interface RunLockOptions {
  /** undefined: fail at once when another run holds the lock; else seconds to wait (Infinity: no limit) */
  waitSeconds?: number;
  /** told once when the lock is busy and tsql waits */
  onWait?: (message: string) => void;
}
