import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Column, ExternalTableSpec } from '../adapters/types.js';
import type { SourceNode } from '../compiler/nodes.js';
import { isPlainObject } from '../project/config-merge.js';
import { isRemote, lakeLocation } from '../project/lake.js';
import type { MaterializeContext, MaterializeResult } from './context.js';

/** The keys of a source's `external:` block (dbt-external-tables' names, plus `format`). */
export const EXTERNAL_KEYS = ['location', 'file_format', 'format', 'row_format', 'table_properties', 'partitions', 'options', 'database', 'glue_database', 'iam_role', 'region'];

/** Builds the engine-neutral spec of an external table from its source definition. */
export function externalSpec(node: SourceNode, lakeRoot: string): ExternalTableSpec {
  const ext = node.external ?? {};
  const rawFormat = String(ext.format ?? ext.file_format ?? 'csv').toLowerCase();
  const format = rawFormat === 'textfile' ? 'csv' : (rawFormat as 'csv' | 'parquet');
  const partitions = Array.isArray(ext.partitions) ? (ext.partitions as Array<Record<string, unknown>>) : [];
  const partitionNames = new Set(partitions.map((p) => String(p.name).toLowerCase()));
  const columns: Column[] = Object.values(node.columns)
    .filter((c) => !partitionNames.has(c.name.toLowerCase()))
    .map((c) => ({ name: c.name, dataType: c.dataType ?? 'varchar' }));
  const layout = partitions.some((p) => String(p.path_macro ?? '').includes('key_value')) ? 'key_value' : 'value_only';
  return {
    location: lakeLocation(lakeRoot, String(ext.location)),
    format,
    columns,
    partitions: partitions.map((p) => ({ name: String(p.name), dataType: String(p.data_type ?? 'varchar') })),
    partitionLayout: layout,
    options: isPlainObject(ext.options) ? (ext.options as Record<string, string | number | boolean>) : {},
  };
}

/** Data files below `dir` (any depth), sorted. */
function dataFilesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    if (e.startsWith('.')) continue;
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...dataFilesUnder(p, ext));
    else if (e.endsWith(ext)) out.push(p);
  }
  return out;
}

/**
 * Registering the run date's partition: every file in it must be readable,
 * so a broken delivery fails here, naming the file, instead of surfacing
 * later (or never, where queries prune that day away).
 */
async function checkRunDatePartition(ctx: MaterializeContext, node: SourceNode, spec: ExternalTableSpec): Promise<void> {
  const first = spec.partitions[0];
  if (!first) return;
  const folder = join(spec.location, spec.partitionLayout === 'key_value' ? `${first.name}=${ctx.runDate}` : ctx.runDate);
  if (!existsSync(folder)) return;
  const ext = spec.format === 'csv' ? '.csv' : '.parquet';
  for (const file of dataFilesUnder(folder, ext)) {
    try {
      await ctx.query(ctx.dialect.probeFile(file, spec));
    } catch (e) {
      const reason = String((e as Error).message ?? e).split('\n')[0];
      throw new Error(`external source ${node.sourceName}.${node.name}: unreadable file ${file} in the ${ctx.runDate} partition: ${reason}`);
    }
  }
}

/** Data files below `dir`, `depth` directory levels down (one per partition column). */
function hasDataFiles(dir: string, depth: number, ext: string): boolean {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    const p = join(dir, e);
    if (depth === 0) {
      if (e.endsWith(ext) && statSync(p).isFile()) return true;
    } else if (statSync(p).isDirectory() && hasDataFiles(p, depth - 1, ext)) {
      return true;
    }
  }
  return false;
}

/**
 * Creates or refreshes the relation over an external table's files. Every
 * partition present under the location is included, so registering a new
 * day is simply staging again (idempotent). A location with no data files
 * yet gives an empty relation with the declared columns.
 */
export async function materializeExternal(ctx: MaterializeContext, node: SourceNode): Promise<MaterializeResult> {
  const spec = externalSpec(node, ctx.lakeRoot);
  if (ctx.adapter.stageExternal) {
    const r = await ctx.adapter.stageExternal(ctx.conn, { relation: node.relation, spec, partitionValues: partitionValues(node, ctx.runDate), external: node.external ?? {}, fullRefresh: ctx.fullRefresh });
    for (const sql of r.statements) ctx.record(sql);
    ctx.markExisting(node.relation, 'external');
    return { message: r.message, kind: 'external', location: spec.location };
  }
  let hasFiles = true;
  if (!isRemote(spec.location)) {
    if (!existsSync(spec.location)) {
      throw new Error(`external source ${node.sourceName}.${node.name}: location ${spec.location} does not exist (declared in ${node.originalFilePath})`);
    }
    hasFiles = hasDataFiles(spec.location, spec.partitions.length, spec.format === 'csv' ? '.csv' : '.parquet');
  }
  if (hasFiles && !isRemote(spec.location)) await checkRunDatePartition(ctx, node, spec);
  await ctx.run(ctx.dialect.createExternalView(node.relation, spec, hasFiles));
  ctx.markExisting(node.relation, 'view');
  return { message: hasFiles ? 'STAGE EXTERNAL' : 'STAGE EXTERNAL (no files yet)', kind: 'view', location: spec.location };
}

/**
 * The partitions an engine with native external tables registers on this run:
 * the run date, for a table partitioned by one column (the daily layout), and
 * any values a partition lists under `vals:`. Registering is idempotent.
 */
export function partitionValues(node: SourceNode, runDate: string): string[][] {
  const partitions = Array.isArray(node.external?.partitions) ? (node.external.partitions as Array<Record<string, unknown>>) : [];
  if (!partitions.length) return [];
  const out = new Map<string, string[]>();
  const add = (vals: string[]) => out.set(JSON.stringify(vals), vals);
  if (partitions.length === 1) add([runDate]);
  const listed = partitions.map((p) => (Array.isArray(p.vals) ? p.vals.map(String) : undefined));
  if (listed.every((v) => v !== undefined)) {
    // every combination of the listed values, outermost partition first
    let combos: string[][] = [[]];
    for (const vals of listed as string[][]) combos = combos.flatMap((c) => vals.map((v) => [...c, v]));
    combos.forEach(add);
  }
  return [...out.values()];
}
