import { isPlainObject } from '../../project/config-merge.js';
import type { Connection, ExternalStageRequest } from '../types.js';
import type { RedshiftDialect } from './dialect.js';
import { addPartitions, createExternalSchema, createExternalTable, dropExternalTable, externalTableQuery, folder } from './spectrum.js';

/** What the output contributes to an external source (the source's `external:` block wins). */
export interface SpectrumDefaults {
  iamRole?: string;
  /** the output's spectrum_database */
  catalogDatabase?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** `table_properties` as a mapping, or as dbt-external-tables writes it: "('k'='v', 'k2'='v2')". */
function tableProperties(v: unknown): Record<string, string> {
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  if (typeof v !== 'string') return {};
  const out: Record<string, string> = {};
  for (const m of v.matchAll(/'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'/g)) out[m[1].replace(/''/g, "'")] = m[2].replace(/''/g, "'");
  return out;
}

/**
 * Stages an external source as a Spectrum table, idempotently: the external
 * schema (created with its Glue database when missing), the table (created
 * when missing, dropped and created again when its location changed), then
 * the requested partitions (IF NOT EXISTS, ≤ 100 per statement). None of it
 * can run in a transaction block, so each statement runs on its own.
 * Returns every statement sent, the detection query included.
 */
export async function stageSpectrumTable(
  conn: Connection,
  d: RedshiftDialect,
  request: ExternalStageRequest,
  defaults: SpectrumDefaults,
): Promise<{ message: string; statements: string[] }> {
  const { relation: rel, spec, external } = request;
  const name = `${rel.schema}.${rel.identifier}`;
  if (!/^s3:\/\//i.test(spec.location)) {
    throw new Error(`external source ${name}: Spectrum reads S3, but its location is ${spec.location} (set the output's lake_root to s3://bucket/prefix)`);
  }
  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    await conn.execute(sql);
  };
  const iamRole = str(external.iam_role) ?? defaults.iamRole ?? 'default';
  const catalogDatabase = str(external.database) ?? str(external.glue_database) ?? defaults.catalogDatabase ?? rel.schema;
  await run(createExternalSchema(d, rel.schema, { catalogDatabase, iamRole, region: str(external.region) }));

  const probe = externalTableQuery(d, rel);
  statements.push(probe);
  const current = (await conn.query(probe))[0];
  const create = createExternalTable(d, rel, spec, { rowFormat: str(external.row_format), tableProperties: tableProperties(external.table_properties) });
  let state: string;
  if (!current) {
    await run(create);
    state = 'created';
  } else if (folder(String(current.location ?? '')) !== folder(spec.location)) {
    await run(dropExternalTable(d, rel));
    await run(create);
    state = 'recreated: its location changed';
  } else {
    state = 'exists';
  }
  const batches = addPartitions(d, rel, spec, request.partitionValues);
  for (const sql of batches) await run(sql);
  const n = spec.partitions.length ? request.partitionValues.length : 0;
  return { message: `STAGE EXTERNAL (${state}, ${n} partition${n === 1 ? '' : 's'})`, statements };
}
