/**
 * The dbt keys whose SQL differs per engine, on the Redshift stand-in (Data
 * API, executing on PostgreSQL) and the Snowflake stand-in: freshness from a
 * loaded_at_query (each engine's clock arithmetic), seeds' quote_columns:
 * false (names folded as the engine folds unquoted ones) and failing rows
 * stored as a view. (incremental_predicates: incremental-predicates.test.ts;
 * a column's quote: column-quote.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { output } from '../helpers/engines.js';
import { runCliAsync } from '../helpers/project.js';
import { useStandins, type StandinProject } from '../helpers/standins.js';

const standins = useStandins('keys');

const FILES = (schema: string) => ({
  'models/raw_events.sql': `{{ config(materialized='table') }}\nselect {{ dbt.dateadd('hour', -3, dbt.current_timestamp()) }} as loaded_at`,
  'seeds/folded.csv': 'orderId,Amount\n1,10\n',
  'seeds/props.yml': `seeds:\n  - name: folded\n    config:\n      quote_columns: false\n`,
  'models/schema.yml': `models:
  - name: raw_events
    columns:
      - name: loaded_at
        data_tests:
          - not_null:
              config: {store_failures_as: view}
sources:
  - name: app
    schema: ${schema}
    config:
      freshness:
        warn_after: {count: 1, period: hour}
        error_after: {count: 1, period: day}
    tables:
      - name: raw_events
        loaded_at_query: select max(loaded_at) from ${schema}.raw_events
`,
});

const engines: Array<[string, (files: (schema: string) => Record<string, string>) => StandinProject, { folded: string[]; view: string }]> = [
  ['the Redshift stand-in', (f) => withFiles(standins.redshift({}), f), { folded: ['orderid', 'amount'], view: 'VIEW' }],
  ['the Snowflake stand-in', (f) => withFiles(standins.snowflake({}), f), { folded: ['ORDERID', 'AMOUNT'], view: 'VIEW' }],
];

function withFiles(w: StandinProject, files: (schema: string) => Record<string, string>): StandinProject {
  w.p.write(files(w.schema));
  return w;
}

for (const [name, make, expected] of engines) {
  describe(`dbt keys on ${name}`, () => {
    it('loaded_at_query freshness, quote_columns: false and store_failures_as: view', async () => {
      const w = make(FILES);
      const build = await runCliAsync(['build'], w.p.dir, w.env);
      expect(build.code, output(build)).toBe(0);
      const fresh = await runCliAsync(['source', 'freshness'], w.p.dir, w.env);
      expect(fresh.code, output(fresh)).toBe(0);
      const result = JSON.parse(readFileSync(join(w.p.dir, 'target/sources.json'), 'utf8')).results[0];
      expect(result.status).toBe('warn');
      expect(Math.round(result.max_loaded_at_time_ago_in_s / 3600)).toBe(3);
      const upper = name.includes('Snowflake');
      const schema = upper ? w.schema.toUpperCase() : w.schema;
      const cols = await w.query(`select column_name from information_schema.columns where table_schema = '${schema}' and table_name = '${upper ? 'FOLDED' : 'folded'}' order by ordinal_position`);
      expect(cols.map((c) => String(c.column_name ?? c.COLUMN_NAME))).toEqual(expected.folded);
      const audit = upper ? `${schema}_TSQL_TEST__AUDIT` : `${schema}_tsql_test__audit`;
      const kinds = await w.query(`select table_name, table_type from information_schema.tables where table_schema = '${audit}'`);
      expect(kinds.map((k) => `${String(k.table_name ?? k.TABLE_NAME).toLowerCase()}:${String(k.table_type ?? k.TABLE_TYPE)}`)).toEqual([`not_null_raw_events_loaded_at:${expected.view}`]);
    });
  });
}
