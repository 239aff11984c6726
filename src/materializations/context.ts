import type { NodeStatus } from '../execution/dag-runner.js';
import type { Adapter, Column, Connection, Dialect, ExecResult, Relation, RelationKind, TableIndex, TableOptions } from '../adapters/types.js';

/** What a materialization may use: engine primitives, never engine SQL of its own. */
export interface MaterializeContext {
  adapter: Adapter;
  dialect: Dialect;
  conn: Connection;
  /** Kind of an existing relation, from the catalog read before the run (kept up to date). */
  existing(rel: Relation): RelationKind | undefined;
  markExisting(rel: Relation, kind: RelationKind | undefined): void;
  fullRefresh: boolean;
  /** The data lake's root (absolute path or URL) for unloads and external tables. */
  lakeRoot: string;
  /** The run date (YYYY-MM-DD): the external-table partition this run registers. */
  runDate: string;
  /** Executes a statement and records it for target/run/. */
  run(sql: string): Promise<ExecResult>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Notes a query in target/run/ without executing it (for statements sent through query()). */
  record(sql: string): void;
  columns(rel: Relation): Promise<Column[]>;
  /** A warning about this node (a documented column the relation lacks), printed with the run's output. */
  warn?(message: string): void;
  /** Rows moved so far by this node (a seed's rows loaded, an unload's rows written): the live status line. */
  progress?(rows: number): void;
  /** --empty: models build with zero rows; a snapshot's table is left as it is */
  empty?: boolean;
}

export interface MaterializeResult {
  /** dbt-style status message, e.g. "CREATE TABLE (42 rows)" */
  message: string;
  rowsAffected?: number;
  kind: RelationKind;
  /** where the data went (unloads) */
  location?: string;
  /** tests: pass / fail / warn (models and seeds succeed or throw) */
  status?: NodeStatus;
  failures?: number;
}

/**
 * Drops a relation a node staged (a build table, a probe), after the node
 * failed or was stopped, or once it is done with it. Ctrl-C does not interrupt
 * it (Connection.cleanup), so nothing staged stays behind; its own failure is
 * not the error to report.
 */
async function dropStaged(ctx: MaterializeContext, rel: Relation, kind: RelationKind): Promise<void> {
  await runCleanup(ctx.conn, ctx.dialect.dropRelation(rel, kind)).catch(() => undefined);
}

/**
 * A relation a node stages beside its own, for as long as `use` needs it (a probe, the
 * new rows of an incremental run, a snapshot's changes): a leftover of an earlier,
 * stopped run is dropped first, and it is dropped again afterwards, whether `use`
 * succeeded, failed or was stopped by Ctrl-C (a create cancelled by Ctrl-C may fail after
 * the engine made the relation, so the drop covers the create too).
 */
export function withScratch<T>(ctx: MaterializeContext, rel: Relation, kind: RelationKind, use: () => Promise<T>): Promise<T> {
  return staging(ctx, rel, kind, use, 'always');
}

/**
 * A relation built aside to take the node's place (or kept for later, as a microbatch
 * model's full refresh): a leftover of an earlier, stopped run is dropped first; `build`
 * creates it and usually swaps it in. If `build` fails or is stopped by Ctrl-C, the staged
 * relation is dropped (a create cancelled by Ctrl-C may fail after the engine made it) and
 * what was there stays; if it succeeds, the relation is left to `build`'s result.
 */
export function buildAside<T>(ctx: MaterializeContext, rel: Relation, kind: RelationKind, build: () => Promise<T>): Promise<T> {
  return staging(ctx, rel, kind, build, 'on-failure');
}

async function staging<T>(ctx: MaterializeContext, rel: Relation, kind: RelationKind, work: () => Promise<T>, drop: 'always' | 'on-failure'): Promise<T> {
  await ctx.run(ctx.dialect.dropRelation(rel, kind));
  let failed = true;
  try {
    const out = await work();
    failed = false;
    return out;
  } finally {
    if (failed || drop === 'always') await dropStaged(ctx, rel, kind);
  }
}

/**
 * A clean-up statement (a drop, a rollback, the undo of a column just added) that Ctrl-C does
 * not interrupt where the connection has that (Connection.cleanup).
 */
export function runCleanup(conn: Connection, sql: string): Promise<unknown> {
  return conn.cleanup ? conn.cleanup(sql) : conn.execute(sql);
}

/** A sibling name for build/backup relations, kept within the engine's identifier limit. */
export function siblingIdentifier(identifier: string, suffix: string, maxLength: number): string {
  const name = `${identifier}${suffix}`;
  if (name.length <= maxLength) return name;
  let h = 0;
  for (let i = 0; i < identifier.length; i++) h = (Math.imul(h, 31) + identifier.charCodeAt(i)) | 0;
  const tag = (h >>> 0).toString(16).padStart(8, '0');
  return `${identifier.slice(0, maxLength - suffix.length - 9)}_${tag}${suffix}`;
}

export function sibling(rel: Relation, suffix: string, dialect: Dialect): Relation {
  return { ...rel, identifier: siblingIdentifier(rel.identifier, suffix, dialect.capabilities.maxIdentifierLength) };
}

/**
 * Runs `fn` inside one transaction, so a failure anywhere leaves what was
 * there; rolls back and rethrows on error. Statements that include DDL (`ddl`)
 * run in a transaction only where the engine's DDL is transactional.
 */
export async function inTransaction<T>(ctx: MaterializeContext, fn: () => Promise<T>, opts: { ddl: boolean } = { ddl: true }): Promise<T> {
  if (opts.ddl && !ctx.dialect.capabilities.transactionalDdl) return fn();
  await ctx.run(ctx.dialect.begin());
  try {
    const out = await fn();
    await ctx.run(ctx.dialect.commit());
    return out;
  } catch (e) {
    try {
      // not interrupted by Ctrl-C: a transaction left open would refuse the clean-up after it
      await runCleanup(ctx.conn, ctx.dialect.rollback());
    } catch {
      // the engine may already have aborted the transaction
    }
    throw e;
  }
}

/**
 * Runs statements as one transaction: in one round trip where the connection
 * offers that (Redshift Data API batches), else between begin and commit
 * (for DDL, `ddl: true`, only where the engine's DDL is transactional).
 * Returns each statement's result.
 */
export async function runAtomically(ctx: MaterializeContext, sqls: string[], opts: { ddl: boolean }): Promise<ExecResult[]> {
  if (ctx.conn.executeBatch && sqls.length > 1) {
    for (const sql of sqls) ctx.record(sql);
    return ctx.conn.executeBatch(sqls);
  }
  return inTransaction(
    ctx,
    async () => {
      const out: ExecResult[] = [];
      for (const sql of sqls) out.push(await ctx.run(sql));
      return out;
    },
    opts,
  );
}

function stringList(v: unknown): string[] | undefined {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : undefined;
}

/** Table layout options from a model's config (Redshift dist/sort/backup, Snowflake transient/cluster_by/copy_grants); each engine takes its own. */
export function physicalOptions(config: Record<string, unknown>): TableOptions | undefined {
  const out: TableOptions = {
    dist: typeof config.dist === 'string' ? config.dist : undefined,
    sort: stringList(config.sort),
    sortType: typeof config.sort_type === 'string' ? config.sort_type : undefined,
    backup: typeof config.backup === 'boolean' ? config.backup : undefined,
    transient: typeof config.transient === 'boolean' ? config.transient : undefined,
    clusterBy: stringList(config.cluster_by),
    copyGrants: typeof config.copy_grants === 'boolean' ? config.copy_grants : undefined,
    automaticClustering: typeof config.automatic_clustering === 'boolean' ? config.automatic_clustering : undefined,
    unlogged: config.unlogged === true ? true : undefined,
    indexes: Array.isArray(config.indexes) && config.indexes.length ? (config.indexes as TableIndex[]) : undefined,
  };
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

/**
 * Swaps a fully built relation `staged` in place of `target` in one transaction:
 * an old table is renamed aside and dropped only after the new one holds its
 * name, an old view dropped. Readers see the old or the new, never neither.
 */
export async function swapIntoPlace(ctx: MaterializeContext, staged: Relation, stagedKind: RelationKind, target: Relation): Promise<void> {
  const d = ctx.dialect;
  const existing = ctx.existing(target);
  if (existing === 'table' && stagedKind === 'table' && d.swapTables) {
    // one atomic exchange; the old rows, now under the staged name, go afterwards
    await ctx.run(d.swapTables(target, staged));
    await ctx.run(d.dropRelation(staged, 'table'));
    ctx.markExisting(staged, undefined);
    return;
  }
  const backup = sibling(target, '__tsql_backup', d);
  const sqls: string[] = [];
  // A view the catalog listed may be gone already: dropping the table it read (a swap's
  // backup) drops it too. It is dropped with `if exists` in the transaction instead of
  // renamed aside (Redshift cannot rename `if exists`); readers still see old or new.
  if (existing === 'view') sqls.push(d.dropRelation(target, existing));
  else if (existing) sqls.push(d.dropRelation(backup, existing), d.renameRelation(target, existing, backup.identifier));
  sqls.push(d.renameRelation(staged, stagedKind, target.identifier));
  if (existing && existing !== 'view') sqls.push(d.dropRelation(backup, existing));
  await runAtomically(ctx, sqls, { ddl: true });
  ctx.markExisting(staged, undefined);
  ctx.markExisting(target, stagedKind);
}

export async function countRows(ctx: MaterializeContext, rel: Relation): Promise<number | undefined> {
  const rows = await ctx.query(`select count(*) as n from ${ctx.dialect.renderRelation(rel)}`);
  const n = rows[0]?.n;
  return n === undefined || n === null ? undefined : Number(n);
}
