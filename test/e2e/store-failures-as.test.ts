import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/** store_failures_as (dbt 1.7): failing rows kept as a table, as a view, or (ephemeral) not at all, on DuckDB and PostgreSQL. */

const engineProject = useEngineProjects('sfa');

const FILES = {
  'models/orders.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'placed' as status union all select 2, 'lost' union all select 3, null`,
  'models/schema.yml': `models:
  - name: orders
    columns:
      - name: status
        data_tests:
          - not_null:
              config: {store_failures_as: view}
          - accepted_values:
              arguments: {values: [placed]}
              config: {store_failures: true, store_failures_as: ephemeral}
      - name: id
        data_tests:
          - accepted_values:
              arguments: {values: [1, 2]}
              config: {store_failures_as: table}
`,
};

const audit = (schema: string) => `"${schema}_tsql_test__audit"`;

for (const engine of LOCAL_ENGINES) {
  describe(`store_failures_as on ${engine}`, () => {
    it('keeps one test\'s failures as a view that follows the data, another\'s as a table, and none for ephemeral', async () => {
      const w = engineProject(engine, FILES);
      const r = w.tsql(['build']);
      expect(r.code).toBe(1);
      const kinds = await w.query(`select table_name, table_type from information_schema.tables where table_schema = '${w.schema}_tsql_test__audit' order by table_name`);
      expect(kinds.map((k) => `${String(k.table_name)}:${String(k.table_type)}`)).toEqual(['accepted_values_orders_id__1__2:BASE TABLE', 'not_null_orders_status:VIEW']);
      const count = async (t: string) => Number((await w.query(`select count(*) as n from ${audit(w.schema)}.${t}`))[0].n);
      expect(await count('not_null_orders_status')).toBe(1);
      expect(await count('accepted_values_orders_id__1__2')).toBe(1);
      // the view shows the failures of the data now; the table keeps the rows of its run
      w.p.write({ 'models/orders.sql': `{{ config(materialized='table') }}\nselect 1 as id, 'placed' as status union all select 4, null union all select 5, null` });
      w.p.write({ 'models/schema.yml': FILES['models/schema.yml'].replace('store_failures_as: table', 'store_failures_as: view') });
      const again = w.tsql(['build']);
      expect(again.code, output(again)).toBe(1);
      expect(await count('not_null_orders_status')).toBe(2);
      const now = await w.query(`select table_name, table_type from information_schema.tables where table_schema = '${w.schema}_tsql_test__audit' order by table_name`);
      expect(now.map((k) => `${String(k.table_name)}:${String(k.table_type)}`)).toEqual(['accepted_values_orders_id__1__2:VIEW', 'not_null_orders_status:VIEW']);
    });

    it('an unknown store_failures_as is an error naming the test and its file and line', () => {
      const w = engineProject(engine, { ...FILES, 'models/schema.yml': `models:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - not_null:\n              config: {store_failures_as: tabel}\n` });
      const r = w.tsql(['build']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("models/schema.yml:6: test 'not_null_orders_id': store_failures_as must be one of ephemeral, table, view, not 'tabel' (did you mean 'table'?)");
    });
  });
}
