/**
 * `tsql diff` for one model: its relation here (the pull request's schema)
 * against production's (the state manifest's, as --defer resolves it).
 * Columns come from the adapter's listing; rows are compared by one query in
 * the warehouse (diff-query.ts), never pulled to the client.
 */
import type { Adapter, Column, Relation } from '../adapters/types.js';
import type { ModelNode } from '../compiler/nodes.js';
import { uniqueKeyOf } from '../materializations/incremental.js';
import { diffQuery, readFigures, type PairedColumn } from './diff-query.js';

export interface RetypedColumn {
  name: string;
  prodType: string;
  prType: string;
}

export interface ModelDiff {
  uniqueId: string;
  name: string;
  /** compared; new (not in production); skipped (nothing to compare, see note); error (a query failed) */
  status: 'compared' | 'new' | 'skipped' | 'error';
  note?: string;
  prodRelation?: string;
  prRelation?: string;
  /** the key rows are matched on, as the model declares it; undefined: none */
  key?: string[];
  keyFrom?: 'unique_key' | 'primary_key';
  rows?: { prod?: number; pr: number };
  columns: { added: Column[]; removed: Column[]; typeChanged: RetypedColumn[] };
  /** with a key: rows only in the PR, only in production, and in both with some compared column different */
  rowsAdded?: number;
  rowsRemoved?: number;
  rowsChanged?: number;
  /** compared column (PR's name) → rows where it differs, for every compared column */
  changedByColumn?: Record<string, number>;
  /** keys seen more than once on a side, and their rows (left out of added/removed/changed) */
  duplicateKeys?: { prod: number; pr: number };
  duplicateKeyRows?: { prod: number; pr: number };
  /** rows whose key is NULL (left out too) */
  nullKeyRows?: { prod: number; pr: number };
  /** the SQL sent, for target/run/ and debugging */
  sql?: string;
}

/** The model's key: `unique_key` config, else the `primary_key` constraint from YAML. */
export function diffKeyOf(node: ModelNode): { key: string[]; from: 'unique_key' | 'primary_key' } | undefined {
  const unique = uniqueKeyOf(node);
  if (unique.length) return { key: unique, from: 'unique_key' };
  if (node.primaryKey?.length) return { key: node.primaryKey, from: 'primary_key' };
  return undefined;
}

/** Whether the diff found anything that differs (a new model does; a skipped one does not). */
export function hasDifferences(d: ModelDiff): boolean {
  if (d.status === 'new') return true;
  if (d.status !== 'compared') return false;
  const c = d.columns;
  if (c.added.length || c.removed.length || c.typeChanged.length) return true;
  if (d.rows && d.rows.prod !== d.rows.pr) return true;
  return !!(d.rowsAdded || d.rowsRemoved || d.rowsChanged);
}

export interface DiffTarget {
  node: ModelNode;
  /** production's relation; undefined: the state manifest does not have it */
  prod?: Relation;
}

/** Compares one model. A failed query is an `error` result, not an exception. */
export async function diffModel(adapter: Adapter, t: DiffTarget): Promise<ModelDiff> {
  const { node } = t;
  const d = adapter.dialect;
  const out: ModelDiff = { uniqueId: node.uniqueId, name: node.name, status: 'compared', prRelation: d.renderRelation(node.relation), columns: { added: [], removed: [], typeChanged: [] } };
  const keyDecl = diffKeyOf(node);
  if (keyDecl) {
    out.key = keyDecl.key;
    out.keyFrom = keyDecl.from;
  }
  try {
    return await adapter.withConnection(async (conn) => {
      const prCols = await adapter.getColumns(conn, node.relation);
      if (!prCols.length) return { ...out, status: 'skipped', note: `not built in this environment (${out.prRelation} does not exist)` };
      const prodCols = t.prod ? await adapter.getColumns(conn, t.prod) : [];
      if (t.prod) out.prodRelation = d.renderRelation(t.prod);
      if (!prodCols.length) {
        const [row] = await conn.query(`select count(*) as pr_rows from ${out.prRelation}`);
        return { ...out, status: 'new', note: t.prod ? `${out.prodRelation} does not exist in production` : 'not in the state manifest', rows: { pr: Number(Object.values(row ?? {})[0] ?? 0) }, columns: { added: prCols, removed: [], typeChanged: [] } };
      }
      const prodBy = new Map(prodCols.map((c) => [c.name.toLowerCase(), c]));
      const prBy = new Map(prCols.map((c) => [c.name.toLowerCase(), c]));
      out.columns.added = prCols.filter((c) => !prodBy.has(c.name.toLowerCase()));
      out.columns.removed = prodCols.filter((c) => !prBy.has(c.name.toLowerCase()));
      const common: Array<PairedColumn & { same: boolean }> = [];
      for (const c of prCols) {
        const p = prodBy.get(c.name.toLowerCase());
        if (!p) continue;
        const same = p.dataType.toLowerCase() === c.dataType.toLowerCase();
        if (!same) out.columns.typeChanged.push({ name: c.name, prodType: p.dataType, prType: c.dataType });
        common.push({ prod: p.name, pr: c.name, same });
      }

      let key: PairedColumn[] = [];
      const notes: string[] = [];
      if (keyDecl) {
        const pairs = keyDecl.key.map((k) => common.find((c) => c.pr.toLowerCase() === k.toLowerCase()));
        const missing = keyDecl.key.filter((_, i) => !pairs[i]);
        const retyped = keyDecl.key.filter((_, i) => pairs[i] && !pairs[i]!.same);
        if (missing.length) notes.push(`rows not matched: key column ${missing.join(', ')} is not in both relations`);
        else if (retyped.length) notes.push(`rows not matched: key column ${retyped.join(', ')} changed type`);
        else key = pairs.map((p) => ({ prod: p!.prod, pr: p!.pr }));
      } else {
        notes.push('no unique_key or primary_key: rows not matched, counts only');
      }
      const inKey = new Set(key.map((k) => k.pr.toLowerCase()));
      const compare = common.filter((c) => c.same && !inKey.has(c.pr.toLowerCase())).map(({ prod, pr }) => ({ prod, pr }));
      const retypedValues = common.filter((c) => !c.same && !inKey.has(c.pr.toLowerCase()));
      if (key.length && retypedValues.length) notes.push(`values not compared for ${retypedValues.map((c) => c.pr).join(', ')} (type changed)`);

      const input = { prod: t.prod!, pr: node.relation, key, compare };
      out.sql = diffQuery(d, input);
      const [row] = await conn.query(out.sql);
      const f = readFigures(row ?? {}, input);
      out.rows = { prod: f.prodRows, pr: f.prRows };
      if (f.keyed) {
        out.rowsAdded = f.keyed.added;
        out.rowsRemoved = f.keyed.removed;
        out.rowsChanged = f.keyed.changed;
        out.changedByColumn = Object.fromEntries(compare.map((c, i) => [c.pr, f.keyed!.changedByColumn[i]]));
        out.duplicateKeys = f.keyed.duplicateKeys;
        out.duplicateKeyRows = f.keyed.duplicateKeyRows;
        out.nullKeyRows = f.keyed.nullKeyRows;
        const left = f.keyed.duplicateKeyRows.prod + f.keyed.duplicateKeyRows.pr + f.keyed.nullKeyRows.prod + f.keyed.nullKeyRows.pr;
        if (left) notes.push('rows with a duplicate or NULL key are not matched');
      }
      if (notes.length) out.note = notes.join('; ');
      return out;
    });
  } catch (e) {
    return { ...out, status: 'error', note: String((e as Error)?.message ?? e).split('\n')[0] };
  }
}
