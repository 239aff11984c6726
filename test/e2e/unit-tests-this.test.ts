import { describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, useSchemas } from '../helpers/pg-server.js';

/**
 * A unit test that gives rows for `this` (an incremental model's previous state) while
 * the model's table does not exist yet: a fresh schema, no earlier run. The rows are typed
 * from the model's contract, else from the columns of its select, on DuckDB and PostgreSQL.
 */

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const newSchema = useSchemas();

// updated_at is text upstream; the model makes it a timestamp and compares it with its own table's
const MODELS = {
  'models/stg_events.sql': `select * from (values (1, '2024-01-01 10:00:00'), (2, '2024-01-02 10:00:00'), (3, '2024-01-03 10:00:00')) as t(id, updated_at)\n`,
  'models/events.sql': `{{ config(materialized='incremental', unique_key='id') }}
select id, cast(updated_at as timestamp) as updated_at from {{ ref('stg_events') }}
{% if is_incremental() %}
where cast(updated_at as timestamp) > (select max(updated_at) from {{ this }})
{% endif %}
`,
  'models/unit_tests.yml': `version: 2
unit_tests:
  - name: only_newer_rows
    model: events
    overrides:
      macros: {is_incremental: true}
    given:
      - input: ref('stg_events')
        rows:
          - {id: 1, updated_at: "2024-01-01 10:00:00"}
          - {id: 3, updated_at: "2024-01-03 10:00:00"}
      - input: this
        rows:
          - {id: 1, updated_at: "2024-01-02 00:00:00"}
    expect:
      rows:
        - {id: 3}
`,
};

const CONTRACT = `version: 2
models:
  - name: events
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
      - name: updated_at
        data_type: timestamp
`;

for (const engine of ['duckdb', 'postgres'] as const) {
  describe(`unit tests given rows for this, before the model's table exists, on ${engine}`, () => {
    function make(files: Record<string, string>) {
      if (engine === 'duckdb') {
        const p = project(files);
        return { p, tsql: (args: string[]) => p.tsql(args), tables: async () => (await p.query(`select table_name from information_schema.tables where table_schema = 'main' order by 1`)).map((r) => r.table_name) };
      }
      const schema = newSchema('unit_this');
      const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV) });
      const env = { [PASSWORD_ENV]: pgConnection().password };
      return { p, tsql: (args: string[]) => p.tsql(args, env), tables: async () => (await pgQuery(`select table_name from information_schema.tables where table_schema = '${schema}' order by 1`)).map((r) => r.table_name) };
    }

    it('a contracted model: its rows for this get the contract\'s types (tsql test, nothing built)', async () => {
      const t = make({ ...MODELS, 'models/schema.yml': CONTRACT });
      const r = t.tsql(['test']);
      expect(r.stdout).toMatch(/PASS unit test events::only_newer_rows /);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(await t.tables()).toEqual([]);
    });

    it('a model without a contract: its rows for this get the types of its select (tsql build), and the model builds', async () => {
      const t = make(MODELS);
      const r = t.tsql(['build']);
      expect(r.stdout).toMatch(/PASS unit test events::only_newer_rows /);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // the probe of the select left nothing behind
      expect(await t.tables()).toEqual(['events', 'stg_events']);
    });

    it('a model without a contract whose parents are not built: its rows for this cannot be typed, and a warning says so at the unit test\'s line', async () => {
      const t = make(MODELS);
      const r = t.tsql(['test']);
      const out = r.stdout + r.stderr;
      expect(out).toContain("models/unit_tests.yml:3: unit test 'only_newer_rows': the rows given for this keep their literals' types: model 'events' has no table yet and its select cannot run yet (");
      expect(out).toContain("Declare a contract on 'events' (contract: {enforced: true} and a data_type on each column), or build its parents first (tsql run --select +events --exclude events)");
      expect(await t.tables()).toEqual([]);
    });
  });
}
