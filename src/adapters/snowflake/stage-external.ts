import type { Connection, ExternalStageRequest, Relation } from '../types.js';
import type { SnowflakeDialect } from './dialect.js';

/** The stage tsql keeps over an s3:// lake_root, in each external source's schema. */
export const LAKE_STAGE_NAME = 'tsql_lake';

export interface LakeSettings {
  /** the output's lake_root: `@stage/path` or `s3://bucket/prefix` */
  lakeRoot?: string;
  storageIntegration?: string;
}

/**
 * Where an external table's files are, as a stage location. A location in a
 * stage is used as it is. One under an s3:// lake_root is read through a stage
 * over that root (created when missing, with the output's storage
 * integration); `statements` gets its DDL.
 */
function stageLocation(d: SnowflakeDialect, rel: Relation, location: string, lake: LakeSettings, statements: string[]): string {
  if (location.startsWith('@')) return location;
  const root = lake.lakeRoot?.replace(/\/+$/, '');
  if (/^s3:\/\//i.test(location) && root && /^s3:\/\//i.test(root) && (location === root || location.startsWith(root + '/'))) {
    if (!lake.storageIntegration) throw new Error(`reading ${location} needs the output's storage_integration`);
    const stage: Relation = { database: rel.database, schema: rel.schema, identifier: LAKE_STAGE_NAME };
    statements.push(`create stage if not exists ${d.renderRelation(stage)}\nurl = ${d.quoteString(root + '/')}\nstorage_integration = ${d.quoteIdentifier(lake.storageIntegration)}`);
    return `@${d.renderRelation(stage)}${location.slice(root.length) || '/'}`;
  }
  throw new Error(`snowflake external tables read a stage: the location ${location} is neither a stage path (@stage/path) nor below an s3:// lake_root; set lake_root in the profile`);
}

/**
 * Stages an external source as a Snowflake external table, idempotently: its
 * schema, the stage over an s3:// lake (when needed), the table (created when
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
  const location = stageLocation(d, rel, spec.location, lake, statements);
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
