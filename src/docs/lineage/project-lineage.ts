import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../seeds/csv.js';
import { allNodes, type ManifestJson, type ManifestJsonNode } from '../artifacts.js';
import { analyzeSelect, LineageUnsupported, type ColumnRef, type LineageContext, type Via } from './column-lineage.js';
import type { SqlParser } from './parse-sql.js';

/** One column of a node in the lineage, with the columns one step upstream that it is computed from. */
export interface ColumnLineage {
  name: string;
  upstream: ColumnRef[];
  via: Via;
  /** how the value crosses between nodes when it is not a query: the lake's files, a seed's load, a partition folder */
  through?: string;
}

export interface NodeLineage {
  resource_type: string;
  name: string;
  /** `column`: every column's upstream columns are known; `table`: only the parent nodes (see `reason`) */
  level: 'column' | 'table';
  reason?: string;
  parents: string[];
  columns: ColumnLineage[];
  /** what the analysis could not place (a column of a relation outside the project …) */
  notes: string[];
}

export interface ProjectLineage {
  nodes: Record<string, NodeLineage>;
}

/** The columns the warehouse reports for a node (catalog.json), in order. */
export type CatalogColumns = Map<string, string[]>;

const GRAPH_TYPES = new Set(['model', 'seed', 'source', 'snapshot', 'exposure', 'analysis']);
const QUERY_TYPES = new Set(['model', 'snapshot', 'analysis']);

/**
 * Column-level lineage of the whole project: each model's compiled SQL is parsed
 * (DuckDB's parser) and its output columns traced to the columns of the nodes it
 * reads; a source fed by the lake takes its columns from the unload models that
 * write its files (same names), a source a seed loads from that seed; exposures
 * are leaves with their parents. A model whose SQL cannot be followed keeps its
 * parents (table-level lineage) and says why.
 */
export async function projectLineage(manifest: ManifestJson, catalog: CatalogColumns, parser: SqlParser, projectDir: string): Promise<ProjectLineage> {
  const nodes = allNodes(manifest);
  const byRelation = relationIndex(nodes);
  const ephemeralByCte = new Map<string, string>();
  for (const n of nodes.values()) if (n.resource_type === 'model' && n.materialized === 'ephemeral') ephemeralByCte.set(`__tsql__cte__${n.name}`.toLowerCase(), n.unique_id);

  const out: Record<string, NodeLineage> = {};
  const parsed = new Map<string, Awaited<ReturnType<SqlParser['parseSelect']>>>();
  // parse first (async), then trace synchronously in dependency order
  const queries = [...nodes.values()].filter((n) => QUERY_TYPES.has(n.resource_type) && n.compiled_code != null);
  const outcomes = await parser.parseSelects(queries.map((n) => n.compiled_code!));
  queries.forEach((n, i) => parsed.set(n.unique_id, outcomes[i]));
  const busy = new Set<string>();

  const columnsOf = (id: string): string[] | undefined => {
    const n = nodes.get(id);
    if (!n) return undefined;
    if (GRAPH_TYPES.has(n.resource_type)) {
      const l = visit(id);
      if (l.columns.length) return l.columns.map((c) => c.name);
    }
    return undefined;
  };

  /** What a node's SQL resolves against; a relation two nodes share (a seed loading a source's table) is the one the node reads. */
  const contextOf = (n: ManifestJsonNode): LineageContext => ({
    nodeOfTable: ({ catalog: db, schema, table }) => {
      // as written; then without the database (a manifest may not name it), then the bare name
      const keys = [[db, schema, table], [schema, table], [table]].map((k) => k.filter((p) => p !== undefined).join('.').toLowerCase());
      for (const key of new Set(keys)) {
        const ids = byRelation.get(key) ?? [];
        const read = ids.filter((id) => n.depends_on?.nodes?.includes(id));
        if (read.length === 1) return read[0];
        if (ids.length === 1) return ids[0];
        if (ids.length > 1) return undefined;
      }
      return undefined;
    },
    columnsOf,
    ephemeralOfCte: (cte) => ephemeralByCte.get(cte.toLowerCase()),
  });

  const visit = (id: string): NodeLineage => {
    const done = out[id];
    if (done) return done;
    const n = nodes.get(id)!;
    const parents = (manifest.parent_map[id] ?? []).filter((p) => GRAPH_TYPES.has(nodes.get(p)?.resource_type ?? ''));
    const base: NodeLineage = { resource_type: n.resource_type, name: n.name, level: 'column', parents, columns: [], notes: [] };
    if (busy.has(id)) return { ...base, level: 'table', reason: 'it is part of a cycle' };
    busy.add(id);
    let result: NodeLineage;
    if (QUERY_TYPES.has(n.resource_type)) result = queryLineage(n, base);
    else if (n.resource_type === 'source') result = sourceLineage(n, base);
    else if (n.resource_type === 'seed') result = { ...base, columns: knownColumns(n, catalog, projectDir).map((name) => ({ name, upstream: [], via: 'direct' as Via })) };
    else result = { ...base, level: 'table', reason: n.resource_type === 'exposure' ? 'an exposure reads whole nodes' : `a ${n.resource_type} has no columns` };
    busy.delete(id);
    out[id] = result;
    return result;
  };

  const queryLineage = (n: ManifestJsonNode, base: NodeLineage): NodeLineage => {
    const p = parsed.get(n.unique_id);
    if (!p) return { ...base, level: 'table', reason: 'it has no compiled SQL' };
    if (!p.ok) return { ...base, level: 'table', reason: p.reason };
    const notes: string[] = [];
    try {
      const cols = analyzeSelect(p.tree, contextOf(n), notes);
      const fromCatalog = catalog.get(n.unique_id);
      let names = cols.map((c) => c.name);
      if (fromCatalog && fromCatalog.length === cols.length) names = fromCatalog;
      else if (fromCatalog && fromCatalog.length) notes.push(`the warehouse's relation has ${fromCatalog.length} columns and the SQL ${cols.length}: it may not be built from this SQL yet`);
      return { ...base, notes, columns: cols.map((c, i) => ({ name: names[i], upstream: c.refs, via: c.via })) };
    } catch (e) {
      if (e instanceof LineageUnsupported) return { ...base, level: 'table', reason: e.message, notes };
      throw e;
    }
  };

  const sourceLineage = (n: ManifestJsonNode, base: NodeLineage): NodeLineage => {
    const names = knownColumns(n, catalog, projectDir);
    if (!base.parents.length) return { ...base, columns: names.map((name) => ({ name, upstream: [], via: 'direct' as Via })) };
    const partitions = new Set(((n.external?.partitions as Array<{ name?: unknown }>) ?? []).map((p) => String(p.name).toLowerCase()));
    const location = n.external?.location === undefined ? undefined : String(n.external.location);
    const notes: string[] = [];
    const columns = names.map((name): ColumnLineage => {
      if (partitions.has(name.toLowerCase())) return { name, upstream: [], via: 'direct', through: `the partition folders below ${location ?? 'its location'}` };
      const upstream: ColumnRef[] = [];
      let through: string | undefined;
      for (const parent of base.parents) {
        const p = nodes.get(parent)!;
        const match = columnsOf(parent)?.find((c) => c.toLowerCase() === name.toLowerCase());
        if (!match) continue;
        upstream.push({ node: parent, column: match });
        through = p.resource_type === 'seed' ? `seed ${p.name} loads this table` : p.config?.materialized === 'unload' ? `the files ${p.name} unloads to ${String(p.config.location ?? location ?? 'the lake')}` : undefined;
      }
      if (!upstream.length) notes.push(`column ${name} is in none of ${base.parents.map((x) => nodes.get(x)?.name ?? x).join(', ')}`);
      return { name, upstream, via: 'direct', through };
    });
    return { ...base, columns, notes };
  };

  for (const id of nodes.keys()) if (GRAPH_TYPES.has(nodes.get(id)!.resource_type)) visit(id);
  return { nodes: out };
}

/** Lower-case `db.schema.name`, `schema.name` and `name` → the nodes with that relation. */
function relationIndex(nodes: Map<string, ManifestJsonNode>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const k = key.toLowerCase();
    const list = index.get(k) ?? [];
    if (!list.includes(id)) list.push(id);
    index.set(k, list);
  };
  for (const n of nodes.values()) {
    const readable = n.resource_type === 'seed' || n.resource_type === 'source' || n.resource_type === 'snapshot' || (n.resource_type === 'model' && n.materialized !== 'ephemeral' && n.materialized !== 'unload');
    if (!readable || !n.schema) continue;
    const name = n.resource_type === 'source' ? (n.identifier ?? n.name) : (n.alias ?? n.name);
    if (n.database) add(`${n.database}.${n.schema}.${name}`, n.unique_id);
    add(`${n.schema}.${name}`, n.unique_id);
    add(name, n.unique_id);
  }
  return index;
}

/** A seed's or source's columns: the warehouse's, else a seed's CSV header, else those its YAML declares. */
function knownColumns(n: ManifestJsonNode, catalog: CatalogColumns, projectDir: string): string[] {
  const fromCatalog = catalog.get(n.unique_id);
  if (fromCatalog?.length) return fromCatalog;
  if (n.resource_type === 'seed') {
    const header = csvHeader(join(projectDir, n.original_file_path), n.config?.delimiter);
    if (header.length) return header;
  }
  return Object.values(n.columns ?? {}).map((c) => c.name);
}

/** The header of a seed's CSV file (its first line); none when it cannot be read. */
export function csvHeader(file: string, delimiter: unknown): string[] {
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(65536);
      const n = readSync(fd, buf);
      const text = buf.subarray(0, n).toString('utf8');
      const line = text.split(/\r?\n/)[0];
      return parseCsv(`${line}\n`, { file, delimiter: typeof delimiter === 'string' ? delimiter : undefined }).header;
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}
