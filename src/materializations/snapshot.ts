import type { Column, Relation } from '../adapters/types.js';
import type { SnapshotMetaNames, SnapshotQuery } from '../adapters/snapshot-sql.js';
import type { SnapshotNode } from '../compiler/nodes.js';
import { afterBuildStatements } from './after-build.js';
import { buildAside, physicalOptions, runAtomically, runCleanup, sibling, withScratch, type MaterializeContext, type MaterializeResult } from './context.js';
import { swapInStagedTable } from './table.js';

/**
 * The snapshot materialization (type-2 history), against dialect primitives only.
 *
 * Every run first stages the select's rows in a table of their own, so the
 * select runs once and its key is checked (unique, never NULL) before the
 * snapshot table is touched. The first run then builds the table aside with
 * the meta columns and renames it into place. Later runs stage the changes
 * (new versions, rows to close, deletions) and apply them together: where DDL
 * is transactional, adding the columns the select gained, staging the changes,
 * closing and inserting are one transaction; elsewhere (Snowflake) the
 * changes table is created empty first and filled, and the table updated, in
 * one transaction of DML, and columns added before it are dropped again if it
 * fails. A failed or interrupted run leaves the table as it was; a run over
 * unchanged rows changes nothing. `--full-refresh` is ignored, as in dbt: the
 * history cannot be rebuilt.
 */
export async function materializeSnapshot(ctx: MaterializeContext, node: SnapshotNode): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const existing = ctx.existing(node.relation);
  if (existing && existing !== 'table') {
    throw new Error(`snapshot '${node.name}': ${d.renderRelation(node.relation)} is a ${existing}, not a snapshot table; tsql does not replace it (drop it, or give the snapshot another alias or schema)`);
  }
  const source = sibling(node.relation, '__tsql_snap_src', d);
  return withScratch(ctx, source, 'table', async () => {
    await ctx.run(d.createTableAs(source, node.compiledCode));
    const sourceColumns = await ctx.columns(source);
    checkSourceColumns(node, sourceColumns);
    await checkKey(ctx, node, source);
    if (!existing) return buildFirst(ctx, node, source, sourceColumns);
    return applyChanges(ctx, node, source, sourceColumns);
  });
}

/** The first run: the table built aside from the staged rows, with its grants and comments, then renamed into place. */
async function buildFirst(ctx: MaterializeContext, node: SnapshotNode, source: Relation, sourceColumns: Column[]): Promise<MaterializeResult> {
  const d = ctx.dialect;
  // history cannot be rebuilt: on Snowflake the table is permanent (with Fail-safe) unless the config says transient: true
  const physical = { ...physicalOptions(node.config), transient: node.config.transient === true };
  const staged = sibling(node.relation, '__tsql_tmp', d);
  const rows = await buildAside(ctx, staged, 'table', async () => {
    await ctx.run(d.createTableAs(staged, d.snapshotBuild(query(node, source, sourceColumns, [])), { physical }));
    return swapInStagedTable(ctx, node, staged, physical);
  });
  return { message: `SNAPSHOT CREATED (${rows ?? '?'} rows)`, rowsAffected: rows, kind: 'table' };
}

/** A later run: the changes staged and applied at once (see materializeSnapshot). */
async function applyChanges(ctx: MaterializeContext, node: SnapshotNode, source: Relation, sourceColumns: Column[]): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const spec = node.snapshot;
  const target = await ctx.columns(node.relation);
  checkSnapshotTable(node, target);
  const has = new Set(target.map((c) => c.name.toLowerCase()));
  // columns the select gained (and dbt_is_deleted, when new_record is new to the table): added, empty for the old rows
  const added = sourceColumns.filter((c) => !has.has(c.name.toLowerCase()));
  if (spec.hardDeletes === 'new_record' && !has.has(spec.metaColumns.dbt_is_deleted.toLowerCase())) added.push({ name: spec.metaColumns.dbt_is_deleted, dataType: d.seedColumnType('varchar') });
  const q = query(node, source, sourceColumns, target);
  if (ctx.empty) {
    // --empty never changes history (the select read nothing: every key would look deleted); the changes are only staged
    const probe = sibling(node.relation, '__tsql_snap_chg', d);
    await withScratch(ctx, probe, 'table', async () => {
      if (!added.length) await ctx.run(d.createTableAs(probe, d.snapshotChanges(q)));
    });
    return { message: 'SNAPSHOT unchanged under --empty', rowsAffected: 0, kind: 'table' };
  }
  const changes = sibling(node.relation, '__tsql_snap_chg', d);
  const insertColumns = [...sourceColumns.map((c) => c.name), ...metaColumnsInserted(node)];
  const close = d.snapshotClose(node.relation, changes, q);
  const insert = d.snapshotInsert(node.relation, changes, insertColumns);
  const addColumns = added.map((c) => d.addColumn(node.relation, c));
  const after = await afterBuildStatements(ctx, node, node.relation, 'table', { carriedOver: true });
  const results = await withScratch(ctx, changes, 'table', async () => {
    if (d.capabilities.transactionalDdl) {
      const all = await runAtomically(ctx, [...addColumns, d.createTableAs(changes, d.snapshotChanges(q)), close, insert, ...after], { ddl: true });
      return all.slice(addColumns.length + 1);
    }
    const applied = await applyWithoutTransactionalDdl(ctx, node, changes, q, addColumns, added, [close, insert]);
    for (const sql of after) await ctx.run(sql);
    return applied;
  });
  const closed = results[0]?.rowsAffected;
  const inserted = results[1]?.rowsAffected;
  const count = (n: number | undefined, one: string, many: string) => `${n ?? '?'} ${n === 1 ? one : many}`;
  return { message: `SNAPSHOT (${count(inserted, 'new row', 'new rows')}, ${count(closed, 'closed', 'closed')})`, rowsAffected: inserted, kind: 'table' };
}

/**
 * Where DDL commits on its own (Snowflake): columns are added first, the
 * changes table is created empty, and filling it, closing and inserting run
 * as one transaction of DML. If that fails, the columns just added (empty,
 * since nothing else was written) are dropped again.
 */
async function applyWithoutTransactionalDdl(ctx: MaterializeContext, node: SnapshotNode, changes: Relation, q: SnapshotQuery, addColumns: string[], added: Column[], apply: string[]) {
  const d = ctx.dialect;
  const done: Column[] = [];
  try {
    for (let i = 0; i < addColumns.length; i++) {
      await ctx.run(addColumns[i]);
      done.push(added[i]);
    }
    const staging = d.snapshotChanges(q);
    await ctx.run(d.createTableAs(changes, `select * from (\n${staging}\n) as __tsql_changes where 1 = 0`));
    const results = await runAtomically(ctx, [d.insertSelect(changes, await columnNames(ctx, changes), staging), ...apply], { ddl: false });
    return results.slice(1);
  } catch (e) {
    // the undo is not interrupted by Ctrl-C: a stopped run leaves the table as it was
    for (const c of done.reverse()) await runCleanup(ctx.conn, d.dropColumn(node.relation, c.name)).catch(() => undefined);
    throw e;
  }
}

async function columnNames(ctx: MaterializeContext, rel: Relation): Promise<string[]> {
  return (await ctx.columns(rel)).map((c) => c.name);
}

/** The meta columns a run inserts (dbt_is_deleted with new_record only, as dbt). */
function metaColumnsInserted(node: SnapshotNode): string[] {
  const m = node.snapshot.metaColumns;
  return [m.dbt_scd_id, m.dbt_updated_at, m.dbt_valid_from, m.dbt_valid_to, ...(node.snapshot.hardDeletes === 'new_record' ? [m.dbt_is_deleted] : [])];
}

function query(node: SnapshotNode, source: Relation, sourceColumns: Column[], target: Column[]): SnapshotQuery {
  const spec = node.snapshot;
  const names = sourceColumns.map((c) => c.name);
  const inTable = new Set(target.map((c) => c.name.toLowerCase()));
  let checkColumns: string[] = [];
  if (spec.strategy === 'check') {
    const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
    checkColumns = spec.checkCols === 'all' ? names : (spec.checkCols ?? []).map((c) => byLower.get(c.toLowerCase()) ?? c);
  }
  return {
    target: node.relation,
    source,
    strategy: spec.strategy,
    uniqueKey: spec.uniqueKey,
    updatedAt: spec.updatedAt,
    checkColumns,
    everyRowChanged: target.length > 0 && checkColumns.some((c) => !inTable.has(c.toLowerCase())),
    hardDeletes: spec.hardDeletes,
    meta: spec.metaColumns as SnapshotMetaNames,
    validToCurrent: spec.validToCurrent,
    sourceColumns: names,
    targetColumns: target.map((c) => c.name),
  };
}

/** The select must not return a meta column, and must return each of check_cols. */
function checkSourceColumns(node: SnapshotNode, columns: Column[]): void {
  const spec = node.snapshot;
  const have = new Set(columns.map((c) => c.name.toLowerCase()));
  const meta = Object.values(spec.metaColumns).filter((m) => have.has(m.toLowerCase()));
  if (meta.length) throw new Error(`snapshot '${node.name}': the select returns ${meta.join(', ')}, which ${meta.length === 1 ? 'is a meta column' : 'are meta columns'} the snapshot adds; rename ${meta.length === 1 ? 'it' : 'them'} in the select, or set snapshot_meta_column_names`);
  if (spec.strategy === 'check' && spec.checkCols !== 'all') {
    const missing = (spec.checkCols ?? []).filter((c) => !have.has(c.toLowerCase()));
    if (missing.length) throw new Error(`snapshot '${node.name}': check_cols ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not returned by the select (it returns ${columns.map((c) => c.name).join(', ')})`);
  }
}

/** The table must be a snapshot: it has the meta columns a run reads and writes. */
function checkSnapshotTable(node: SnapshotNode, columns: Column[]): void {
  const m = node.snapshot.metaColumns;
  const have = new Set(columns.map((c) => c.name.toLowerCase()));
  const missing = [m.dbt_scd_id, m.dbt_valid_from, m.dbt_valid_to, m.dbt_updated_at].filter((c) => !have.has(c.toLowerCase()));
  if (missing.length) {
    throw new Error(`snapshot '${node.name}': the table ${node.relation.schema}.${node.relation.identifier} has no ${missing.join(', ')} column; it is not a snapshot table, or snapshot_meta_column_names changed since it was built (nothing was changed)`);
  }
}

/** A key that is not unique, or NULL, would add versions on every run: the run stops before the table is touched. */
async function checkKey(ctx: MaterializeContext, node: SnapshotNode, source: Relation): Promise<void> {
  const sql = ctx.dialect.snapshotKeyCheck(source, node.snapshot.uniqueKey);
  ctx.record(sql);
  const row = (await ctx.query(sql))[0] ?? {};
  const duplicated = Number(row.duplicated ?? 0);
  const nullKeys = Number(row.null_keys ?? 0);
  const key = node.snapshot.uniqueKey.join(', ');
  if (duplicated > 0) throw new Error(`snapshot '${node.name}': unique_key (${key}) is not unique in the select: ${duplicated} value${duplicated === 1 ? ' appears' : 's appear'} more than once; nothing was changed`);
  if (nullKeys > 0) throw new Error(`snapshot '${node.name}': ${nullKeys} row${nullKeys === 1 ? ' has' : 's have'} a NULL unique_key (${key}); nothing was changed`);
}
