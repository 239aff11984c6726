import type { Column, Dialect, Relation } from '../adapters/types.js';
import type { SeedNode } from '../compiler/nodes.js';
import { UserError } from '../errors.js';
import { isPlainObject } from '../project/config-merge.js';
import { readCsvSample } from '../seeds/csv-file.js';
import { convertRows, inferColumnTypes } from '../seeds/infer-types.js';
import { SEED_SAMPLE_BYTES, seedRowBatches, type SeedSource } from '../seeds/seed-source.js';
import { didYouMean } from '../util/suggest.js';
import { applyAfterBuild } from './after-build.js';
import { buildAside, physicalOptions, sibling, swapIntoPlace, type MaterializeContext, type MaterializeResult } from './context.js';

export interface PreparedSeed {
  columns: Column[];
  source: SeedSource;
}

/**
 * Reads, validates and types a seed's CSV before anything runs: a ragged row or
 * a bad column_types entry is a user error (exit 2), not a failed node. Only the
 * first SEED_SAMPLE_BYTES are read now. A file that fits is checked whole and
 * kept in memory; for a bigger one the types come from that first part (widened,
 * see inferColumnTypes) and the rest is read and checked while it loads: a row
 * there that does not fit fails the seed with its line, before anything is replaced.
 */
export function prepareSeed(node: SeedNode, dialect: Dialect): PreparedSeed {
  const delimiter = typeof node.config.delimiter === 'string' ? node.config.delimiter : undefined;
  const sample = readCsvSample(node.absPath, node.originalFilePath, { delimiter, maxBytes: SEED_SAMPLE_BYTES });
  const inferred = inferColumnTypes(sample, { sampled: !sample.complete });
  const overrides = node.config.column_types;
  const overrideMap = new Map<string, string>();
  if (overrides !== undefined && overrides !== null) {
    if (!isPlainObject(overrides)) throw new UserError(`column_types of seed '${node.name}' must be a mapping of column name to SQL type`, { file: node.patchPath ?? node.originalFilePath });
    const names = sample.header;
    for (const [col, type] of Object.entries(overrides)) {
      const match = names.find((n) => n.toLowerCase() === col.toLowerCase());
      if (!match) throw new UserError(`column_types names column '${col}', which seed '${node.name}' does not have`, { file: node.patchPath ?? node.originalFilePath }, { hint: didYouMean(col, names) ?? `columns: ${names.join(', ')}` });
      overrideMap.set(match, String(type));
    }
  }
  // Overridden columns are sent as text and cast by the engine to the declared type.
  const types = inferred.map((c) => (overrideMap.has(c.name) ? { ...c, type: 'varchar' as const } : c));
  const rows = sample.complete ? convertRows({ header: sample.header, rows: sample.rows, rowLines: sample.lines, file: node.originalFilePath }, types) : undefined;
  const unquoted = node.config.quote_columns === false;
  const columns = inferred.map((c) => ({
    name: unquoted ? unquotedColumnName(c.name, node, dialect) : c.name,
    dataType: overrideMap.get(c.name) ?? dialect.seedColumnType(c.type, c.precision, c.scale),
  }));
  return { columns, source: { absPath: node.absPath, relPath: node.originalFilePath, delimiter, header: sample.header, types, rows, size: sample.size } };
}

/** The seed's `indexes` (PostgreSQL), made on the loaded table before it takes its place, as a table model's are. */
async function createSeedIndexes(ctx: MaterializeContext, node: SeedNode, staged: Relation): Promise<void> {
  for (const sql of ctx.dialect.beforeSwap?.(staged, node.relation, physicalOptions({ indexes: node.config.indexes })) ?? []) await ctx.run(sql);
}

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * `quote_columns: false`: the column gets the name the engine gives an
 * unquoted one (orderId is orderid on PostgreSQL and Redshift, ORDERID on
 * Snowflake, as written on DuckDB), as dbt's unquoted CREATE TABLE would. It is
 * still written quoted, so a reserved word works. A header that is no plain
 * name could not be written unquoted: an error naming the seed.
 */
function unquotedColumnName(name: string, node: SeedNode, dialect: Dialect): string {
  if (!PLAIN_NAME.test(name)) {
    throw new UserError(`seed '${node.name}': column '${name}' cannot be written unquoted (quote_columns: false)`, { file: node.originalFilePath, line: 1 }, { hint: 'rename it in the CSV header (letters, digits and _), or remove quote_columns: false' });
  }
  return dialect.unquotedCase === 'lower' ? name.toLowerCase() : dialect.unquotedCase === 'upper' ? name.toUpperCase() : name;
}

/** Loads the rows into a staging table with bound values, then swaps it in atomically. */
export async function materializeSeed(ctx: MaterializeContext, node: SeedNode, seed: PreparedSeed): Promise<MaterializeResult> {
  const d = ctx.dialect;
  const staged = sibling(node.relation, '__tsql_tmp', d);
  const s3 = node.config.s3_location;
  return buildAside(ctx, staged, 'table', async (): Promise<MaterializeResult> => {
    await ctx.run(d.createTable(staged, seed.columns));
    if (typeof s3 === 'string' && s3) {
      // The warehouse reads the file itself (Redshift COPY from S3); the local CSV gave the columns.
      if (!ctx.adapter.loadSeedFromLocation) throw new Error(`seed '${node.name}' names s3_location, but ${d.type} cannot load files from S3; remove s3_location to send the rows`);
      const opts = isPlainObject(node.config.options) ? (node.config.options as { iamRole?: string; region?: string; delimiter?: string }) : {};
      const delimiter = typeof node.config.delimiter === 'string' ? node.config.delimiter : undefined;
      const r = await ctx.adapter.loadSeedFromLocation(ctx.conn, staged, seed.columns, s3, { ...opts, delimiter });
      r.statements.forEach((sql) => ctx.record(sql));
      await applyAfterBuild(ctx, node, staged, 'table', { carriedOver: false });
      await createSeedIndexes(ctx, node, staged);
      await swapIntoPlace(ctx, staged, 'table', node.relation);
      return { message: `COPY ${r.rows ?? '?'}`, rowsAffected: r.rows, kind: 'table' };
    }
    // the rows stream from the file: one that does not fit stops the load here, and the old table stays
    const loaded = await ctx.conn.loadRows(staged, seed.columns, seedRowBatches(seed.source, ctx.progress));
    await applyAfterBuild(ctx, node, staged, 'table', { carriedOver: false });
    await createSeedIndexes(ctx, node, staged);
    await swapIntoPlace(ctx, staged, 'table', node.relation);
    return { message: `INSERT ${loaded}`, rowsAffected: loaded, kind: 'table' };
  });
}
