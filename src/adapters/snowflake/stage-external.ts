import type { Connection, ExternalStageRequest } from '../types.js';
import type { SnowflakeDialect } from './dialect.js';
import { stageLocation, type LakeSettings } from './lake-stage.js';

/**
 * Stages an external source as a Snowflake external table, idempotently: its
 * schema, tsql's stage over an s3:// lake (when needed, lake-stage.ts), the table (created when
 * missing, which registers every file present; replaced with --full-refresh),
 * then the run's partitions registered with ALTER EXTERNAL TABLE … REFRESH
 * '<run date>/' (AUTO_REFRESH is off, so nothing else adds files).
 */
export async function stageSnowflakeExternalTable(
  conn: Connection,
  d: SnowflakeDialect,
  request: ExternalStageRequest,
  lake: LakeSettings,
): Promise<{ message: string; statements: string[] }> {
  const { relation: rel, spec } = request;
  const statements: string[] = [d.createSchema(rel.database, rel.schema)];
  const location = stageLocation(d, spec.location, lake, statements);
  statements.push(d.createExternalTable(rel, spec, location, { replace: !!request.fullRefresh }));
  const paths = partitionPaths(request);
  if (!request.fullRefresh) {
    if (spec.partitions.length && paths.length) statements.push(...paths.map((p) => d.refreshExternalTable(rel, p)));
    else statements.push(d.refreshExternalTable(rel));
  }
  for (const sql of statements) await conn.execute(sql);
  const registered = request.fullRefresh ? 'every file' : paths.length && spec.partitions.length ? paths.join(', ') : 'every file';
  return { message: `STAGE EXTERNAL (${registered})`, statements };
}

/** The folders of the run's partitions below the table's location: `2024-01-03/`, or `insert_date=2024-01-03/` for the key_value layout. */
function partitionPaths(request: ExternalStageRequest): string[] {
  const { spec, partitionValues } = request;
  return partitionValues.map((vals) => vals.map((v, i) => (spec.partitionLayout === 'key_value' ? `${spec.partitions[i].name}=${v}` : v)).join('/') + '/');
}
