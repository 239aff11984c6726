import { describe, expect, it } from 'vitest';
import { output, useEngineProjects } from '../helpers/engines.js';
import { pgQuery } from '../helpers/pg-server.js';

/** A seed's `indexes` (dbt-postgres's): made on PostgreSQL after each load; a warning with its line on DuckDB. */

const engineProject = useEngineProjects('seedix');

const FILES = {
  'seeds/countries.csv': 'code,name\nfr,France\nde,Germany\n',
  'seeds/props.yml': `seeds:\n  - name: countries\n    config:\n      indexes:\n        - {columns: [code], unique: true}\n`,
};

describe('seed indexes', () => {
  it('are created on PostgreSQL after the load, again after a reload', async () => {
    const w = engineProject('postgres', FILES);
    for (let i = 0; i < 2; i++) {
      const r = w.tsql(['seed']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).not.toContain("'indexes'");
      const ix = await pgQuery(`select indexdef from pg_indexes where schemaname = '${w.schema}' and tablename = 'countries'`);
      expect(ix.map((x) => String(x.indexdef))).toEqual([expect.stringMatching(/CREATE UNIQUE INDEX .* ON .*countries USING btree \(code\)/)]);
    }
  });

  it('warn with their line on DuckDB, which has no such indexes', () => {
    const w = engineProject('duckdb', FILES);
    const r = w.tsql(['seed']);
    expect(r.code, output(r)).toBe(0);
    expect(output(r)).toContain("seeds/props.yml:2: seed config 'indexes' is ignored on duckdb: indexes are created on PostgreSQL tables only");
  });
});
