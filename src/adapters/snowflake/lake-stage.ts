import type { Relation } from '../types.js';
import type { SnowflakeDialect } from './dialect.js';

/** The stage tsql keeps over an s3:// lake_root, in the target schema. */
export const LAKE_STAGE_NAME = 'tsql_lake';

export interface LakeSettings {
  /** the output's lake_root: `@stage/path` or `s3://bucket/prefix` */
  lakeRoot?: string;
  storageIntegration?: string;
  /** where tsql's own stage over an s3:// lake lives: the target's database and schema */
  database: string;
  schema: string;
}

/**
 * A lake location as a stage location. A stage path is used as it is. A
 * location under an s3:// lake_root goes through tsql's stage over that root
 * (in the target schema, with the output's storage integration), created when
 * missing: its DDL is added to `statements`, to run first. Unloads and
 * external tables both reach the lake this way, so a stage can also remove an
 * unload's stale file.
 */
export function stageLocation(d: SnowflakeDialect, location: string, lake: LakeSettings, statements: string[]): string {
  if (location.startsWith('@')) return location;
  const root = lake.lakeRoot?.replace(/\/+$/, '');
  if (/^s3:\/\//i.test(location) && root && /^s3:\/\//i.test(root) && (location === root || location.startsWith(root + '/'))) {
    if (!lake.storageIntegration) throw new Error(`reaching ${location} needs the output's storage_integration`);
    const stage: Relation = { database: lake.database, schema: lake.schema, identifier: LAKE_STAGE_NAME };
    const ddl = `create stage if not exists ${d.renderRelation(stage)}\nurl = ${d.quoteString(root + '/')}\nstorage_integration = ${d.quoteIdentifier(lake.storageIntegration)}`;
    if (!statements.includes(ddl)) statements.push(ddl);
    return `@${d.renderRelation(stage)}${location.slice(root.length) || '/'}`;
  }
  throw new Error(`snowflake reaches the lake through a stage: ${location} is neither a stage path (@stage/path) nor below an s3:// lake_root; set lake_root in the profile`);
}
