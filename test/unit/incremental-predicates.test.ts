import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { PostgresDialect } from '../../src/adapters/postgres/dialect.js';
import { RedshiftDialect } from '../../src/adapters/redshift/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import type { Dialect } from '../../src/adapters/types.js';

/**
 * incremental_predicates on each engine: the merge, the delete of
 * delete+insert / insert_overwrite, and the check that every new row
 * satisfies them, in one golden file per engine (UPDATE_GOLDEN=1 rewrites them).
 */
const dialects: Record<string, Dialect> = {
  duckdb: new DuckDBDialect(),
  postgres: new PostgresDialect(),
  redshift: new RedshiftDialect({ database: 'dev' }),
  snowflake: new SnowflakeDialect(),
};
/** a merge's predicates may name both sides; a delete's see the target alone, qualified or not */
const mergePredicates = ["DBT_INTERNAL_DEST.event_date >= '2024-01-01'", 'dbt_internal_dest.region = DBT_INTERNAL_SOURCE.region'];
const deletePredicates = ["DBT_INTERNAL_DEST.event_date >= '2024-01-01'", "status <> 'void'"];

for (const [engine, d] of Object.entries(dialects)) {
  describe(`incremental_predicates on ${engine}`, () => {
    it('emits exactly the golden SQL', () => {
      const target = { database: 'dev', schema: 'analytics', identifier: 'orders' };
      const staged = { database: 'dev', schema: 'analytics', identifier: 'orders__tsql_incr' };
      const statements: Record<string, string> = {
        merge_with_predicates: d.merge(target, staged, ['id'], ['id', 'event_date', 'region', 'status'], ['event_date', 'region', 'status'], mergePredicates),
        delete_insert_with_predicates: [d.deleteMatching(target, staged, ['id', 'region'], deletePredicates), d.insertInto(target, ['id', 'event_date', 'region', 'status'], staged)].join(';\n'),
        new_rows_outside_merge_predicates: d.countOutsidePredicates(staged, mergePredicates),
        new_rows_outside_delete_predicates: d.countOutsidePredicates(staged, deletePredicates),
        merge_without_predicates: d.merge(target, staged, ['id'], ['id', 'status'], ['status']),
      };
      const file = join(__dirname, '..', 'golden', engine, 'incremental-predicates.sql');
      const text = Object.entries(statements).map(([k, v]) => `-- ${k}\n${v};\n`).join('\n');
      if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  });
}
