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

  it('a reload whose rows break a unique index fails and leaves the old table and its index', async () => {
    const w = engineProject('postgres', FILES);
    expect(w.tsql(['seed']).code).toBe(0);
    w.p.write({ 'seeds/countries.csv': 'code,name\nfr,France\nfr,Francia\n' });
    const r = w.tsql(['seed']);
    expect(r.code).toBe(1);
    expect(output(r)).toMatch(/could not create unique index/);
    expect(await pgQuery(`select code, name from "${w.schema}".countries order by code`)).toEqual([
      { code: 'de', name: 'Germany' },
      { code: 'fr', name: 'France' },
    ]);
    const ix = await pgQuery(`select indexdef from pg_indexes where schemaname = '${w.schema}' and tablename = 'countries'`);
    expect(ix).toHaveLength(1);
  });

  it('warn with their line on DuckDB, which has no such indexes', () => {
    const w = engineProject('duckdb', FILES);
    const r = w.tsql(['seed']);
    expect(r.code, output(r)).toBe(0);
    expect(output(r)).toContain("seeds/props.yml:2: seed config 'indexes' is ignored on duckdb: indexes are created on PostgreSQL tables only");
  });
});
