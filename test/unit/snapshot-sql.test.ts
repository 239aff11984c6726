import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { PostgresDialect } from '../../src/adapters/postgres/dialect.js';
import { RedshiftDialect } from '../../src/adapters/redshift/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import type { SnapshotQuery } from '../../src/adapters/snapshot-sql.js';
import type { Dialect, Relation } from '../../src/adapters/types.js';

/**
 * The statements a snapshot run sends, per engine, in one golden file each
 * (test/golden/<engine>/snapshot.sql; UPDATE_GOLDEN=1 rewrites them): the
 * first build, the key check, the staged changes for each strategy and
 * hard_deletes mode, closing and inserting.
 */
const ENGINES: Array<[string, Dialect]> = [
  ['duckdb', new DuckDBDialect()],
  ['postgres', new PostgresDialect()],
  ['redshift', new RedshiftDialect({ database: 'dev' })],
  ['snowflake', new SnowflakeDialect()],
];

const target: Relation = { database: 'dev', schema: 'snapshots', identifier: 'orders_snapshot' };
const source: Relation = { ...target, identifier: 'orders_snapshot__tsql_snap_src' };
const changes: Relation = { ...target, identifier: 'orders_snapshot__tsql_snap_chg' };
const META = { dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_is_deleted: 'dbt_is_deleted' };

const timestamp: SnapshotQuery = {
  target,
  source,
  strategy: 'timestamp',
  uniqueKey: ['id'],
  updatedAt: 'updated_at',
  checkColumns: [],
  everyRowChanged: false,
  hardDeletes: 'ignore',
  meta: META,
  validToCurrent: null,
  sourceColumns: ['id', 'status', 'updated_at'],
  targetColumns: ['id', 'status', 'updated_at', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'],
};
const newRecord: SnapshotQuery = { ...timestamp, uniqueKey: ['id', 'region'], hardDeletes: 'new_record', sourceColumns: ['id', 'region', 'status', 'updated_at', 'note'], targetColumns: [...timestamp.targetColumns, 'region', 'dbt_is_deleted'] };
const check: SnapshotQuery = {
  ...timestamp,
  strategy: 'check',
  updatedAt: undefined,
  checkColumns: ['status', 'amount'],
  hardDeletes: 'invalidate',
  meta: { ...META, dbt_valid_from: 'valid_from', dbt_valid_to: 'valid_to' },
  validToCurrent: "cast('9999-12-31' as timestamp)",
  sourceColumns: ['id', 'status', 'amount'],
};

function statements(d: Dialect): Record<string, string> {
  return {
    key_check: d.snapshotKeyCheck(source, ['id', 'region']),
    build_timestamp: d.snapshotBuild(timestamp),
    build_check_new_record: d.snapshotBuild({ ...check, hardDeletes: 'new_record' }),
    changes_timestamp_ignore: d.snapshotChanges(timestamp),
    changes_timestamp_new_record: d.snapshotChanges(newRecord),
    changes_check_invalidate: d.snapshotChanges(check),
    changes_check_column_added: d.snapshotChanges({ ...check, everyRowChanged: true }),
    close: d.snapshotClose(target, changes, timestamp),
    close_valid_to_current: d.snapshotClose(target, changes, check),
    insert: d.snapshotInsert(target, changes, ['id', 'status', 'updated_at', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to']),
  };
}

describe('snapshot SQL', () => {
  for (const [engine, d] of ENGINES) {
    it(`${engine}: emits exactly the golden SQL`, () => {
      const file = join(__dirname, '..', 'golden', engine, 'snapshot.sql');
      const text = Object.entries(statements(d)).map(([k, v]) => `-- ${k}\n${v};\n`).join('\n');
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }

  it("each engine stamps versions with its own clock and hashes dbt_scd_id as dbt does", () => {
    expect(ENGINES.map(([, d]) => d.snapshotTime())).toEqual(['now()::timestamp', 'now()::timestamp without time zone', 'getdate()::timestamp', "to_timestamp_ntz(convert_timezone('UTC', current_timestamp()))"]);
    expect(new DuckDBDialect().snapshotHash(['id', 'updated_at'])).toBe("md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(updated_at as varchar), ''))");
  });
});
