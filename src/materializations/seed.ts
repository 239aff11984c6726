import { readFileSync } from 'node:fs';
import type { Column } from '../adapters/types.js';
import type { Dialect } from '../adapters/types.js';
import type { SeedNode } from '../compiler/nodes.js';
import { UserError } from '../errors.js';
import { isPlainObject } from '../project/config-merge.js';
import { parseCsv } from '../seeds/csv.js';
import { convertRows, inferColumnTypes } from '../seeds/infer-types.js';
import { didYouMean } from '../util/suggest.js';
import { sibling, swapIntoPlace, type MaterializeContext, type MaterializeResult } from './context.js';

export interface PreparedSeed {
  columns: Column[];
  rows: unknown[][];
}

/**
 * Reads, validates and types a seed's CSV before anything runs: a ragged row or
 * a bad column_types entry is a user error (exit 2), not a failed node.
 */
export function prepareSeed(node: SeedNode, dialect: Dialect): PreparedSeed {
  const delimiter = typeof node.config.delimiter === 'string' ? node.config.delimiter : undefined;
  const table = parseCsv(readFileSync(node.absPath, 'utf8'), { file: node.originalFilePath, delimiter });
  const inferred = inferColumnTypes(table);
  const overrides = node.config.column_types;
  const overrideMap = new Map<string, string>();
  if (overrides !== undefined && overrides !== null) {
    if (!isPlainObject(overrides)) throw new UserError(`column_types of seed '${node.name}' must be a mapping of column name to SQL type`, { file: node.patchPath ?? node.originalFilePath });
    const names = table.header;
    for (const [col, type] of Object.entries(overrides)) {
      const match = names.find((n) => n.toLowerCase() === col.toLowerCase());
      if (!match) throw new UserError(`column_types names column '${col}', which seed '${node.name}' does not have`, { file: node.patchPath ?? node.originalFilePath }, { hint: didYouMean(col, names) ?? `columns: ${names.join(', ')}` });
      overrideMap.set(match, String(type));
    }
  }
  // Overridden columns are bound as text and cast by the engine to the declared type.
  const typesForConversion = inferred.map((c) => (overrideMap.has(c.name) ? { ...c, type: 'varchar' as const } : c));
  const rows = convertRows(table, typesForConversion);
  const columns = inferred.map((c) => ({
    name: c.name,
    dataType: overrideMap.get(c.name) ?? dialect.seedColumnType(c.type, c.precision, c.scale),
  }));
  return { columns, rows };
}

/** Loads the rows into a staging table with bound values, then swaps it in atomically. */
export async function materializeSeed(ctx: MaterializeContext, node: SeedNode, seed: PreparedSeed): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const staged = sibling(node.relation, '__tsql_tmp', d);
  await ctx.run(d.dropRelation(staged, 'table'));
  await ctx.run(d.createTable(staged, seed.columns));
  try {
    await ctx.conn.loadRows(staged, seed.columns, seed.rows);
    await swapIntoPlace(ctx, staged, 'table', node.relation);
  } catch (e) {
    await ctx.conn.execute(d.dropRelation(staged, 'table')).catch(() => undefined);
    throw e;
  }
  return { message: `INSERT ${seed.rows.length}`, rowsAffected: seed.rows.length, kind: 'table' };
}
