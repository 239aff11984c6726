import type { CatalogTable } from '../adapters/types.js';
import { allNodes, type ManifestJson, type ManifestJsonNode } from './artifacts.js';

/** Nodes that are relations in a warehouse, and so in the catalog. */
export function isRelationNode(n: ManifestJsonNode): boolean {
  if (n.resource_type === 'seed' || n.resource_type === 'source' || n.resource_type === 'snapshot') return true;
  return n.resource_type === 'model' && n.materialized !== 'ephemeral' && n.materialized !== 'unload';
}

/** The name a node's relation has in the warehouse. */
function identifierOf(n: ManifestJsonNode): string {
  return n.resource_type === 'source' ? (n.identifier ?? n.name) : (n.alias ?? n.name);
}

const relationKey = (database: string | undefined | null, schema: string, identifier: string) => [database ?? '', schema, identifier].join('.').toLowerCase();

/** The schemas each warehouse holds relations of the project in (what the catalog reads). */
export function schemasToRead(manifest: ManifestJson, warehouseOf: (n: ManifestJsonNode) => string): Map<string, Array<{ database?: string; schema: string }>> {
  const out = new Map<string, Array<{ database?: string; schema: string }>>();
  for (const n of allNodes(manifest).values()) {
    if (!isRelationNode(n) || !n.schema) continue;
    const w = warehouseOf(n);
    const list = out.get(w) ?? [];
    if (!list.some((s) => s.schema.toLowerCase() === n.schema!.toLowerCase() && (s.database ?? '').toLowerCase() === (n.database ?? '').toLowerCase())) list.push({ database: n.database ?? undefined, schema: n.schema });
    out.set(w, list);
  }
  return out;
}

export interface CatalogStat {
  id: string;
  label: string;
  value: string | number | boolean | null;
  include: boolean;
  description: string;
}

export interface CatalogJsonEntry {
  metadata: { type: string; schema: string; name: string; database: string | null; comment: string | null; owner: string | null };
  columns: Record<string, { type: string; index: number; name: string; comment: string | null }>;
  stats: Record<string, CatalogStat>;
  unique_id: string;
}

export interface CatalogJson {
  metadata: Record<string, unknown>;
  nodes: Record<string, CatalogJsonEntry>;
  sources: Record<string, CatalogJsonEntry>;
  errors: string[] | null;
}

/**
 * catalog.json in dbt's shape: for each model, seed, snapshot and source whose
 * relation the warehouse has, its type, owner, comment, columns (name, type,
 * position, comment) and the statistics the catalog keeps.
 */
export function buildCatalog(
  manifest: ManifestJson,
  tables: Map<string, CatalogTable[]>,
  warehouseOf: (n: ManifestJsonNode) => string,
  metadata: Record<string, unknown>,
  errors: string[],
): CatalogJson {
  const index = new Map<string, Map<string, CatalogTable>>();
  for (const [w, list] of tables) index.set(w, new Map(list.map((t) => [relationKey(t.database, t.schema, t.identifier), t])));
  const out: CatalogJson = { metadata, nodes: {}, sources: {}, errors: errors.length ? errors : null };
  for (const n of allNodes(manifest).values()) {
    if (!isRelationNode(n) || !n.schema) continue;
    const inWarehouse = index.get(warehouseOf(n));
    if (!inWarehouse) continue;
    const t = inWarehouse.get(relationKey(n.database, n.schema, identifierOf(n))) ?? (n.database ? undefined : findBySchemaAndName(inWarehouse, n.schema, identifierOf(n)));
    if (!t) continue;
    const entry: CatalogJsonEntry = {
      metadata: { type: t.type, schema: t.schema, name: t.identifier, database: t.database ?? null, comment: t.comment ?? null, owner: t.owner ?? null },
      columns: Object.fromEntries(t.columns.map((c) => [c.name, { type: c.type, index: c.index, name: c.name, comment: c.comment ?? null }])),
      stats: stats(t),
      unique_id: n.unique_id,
    };
    if (n.resource_type === 'source') out.sources[n.unique_id] = entry;
    else out.nodes[n.unique_id] = entry;
  }
  return out;
}

function findBySchemaAndName(tables: Map<string, CatalogTable>, schema: string, identifier: string): CatalogTable | undefined {
  for (const t of tables.values()) if (t.schema.toLowerCase() === schema.toLowerCase() && t.identifier.toLowerCase() === identifier.toLowerCase()) return t;
  return undefined;
}

function stats(t: CatalogTable): Record<string, CatalogStat> {
  const out: Record<string, CatalogStat> = {};
  const s = t.stats;
  if (s.rowCount !== undefined) {
    out.row_count = {
      id: 'row_count',
      label: s.rowCountEstimated ? 'Approximate Row Count' : 'Row Count',
      value: s.rowCount,
      include: true,
      description: s.rowCountEstimated ? "The number of rows as the engine's statistics give it (no scan)" : 'The number of rows, from the catalog',
    };
  }
  if (s.bytes !== undefined) out.bytes = { id: 'bytes', label: 'Approximate Size', value: s.bytes, include: true, description: 'Size on disk as the catalog reports it' };
  if (s.lastModified !== undefined) out.last_modified = { id: 'last_modified', label: 'Last Modified', value: s.lastModified, include: true, description: 'When the table last changed, as the catalog reports it' };
  out.has_stats = { id: 'has_stats', label: 'Has Stats?', value: Object.keys(out).length > 0, include: false, description: 'Indicates whether there are statistics for this table' };
  return out;
}

/** Each node's column names in the warehouse, in order (for lineage). */
export function catalogColumns(catalog: CatalogJson): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of [...Object.values(catalog.nodes), ...Object.values(catalog.sources)]) {
    out.set(e.unique_id, Object.values(e.columns).sort((a, b) => a.index - b.index).map((c) => c.name));
  }
  return out;
}
