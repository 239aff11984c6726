import { afterEach, describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile as sharedPgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/** incremental_strategy insert_overwrite through the real CLI, on DuckDB and PostgreSQL (microbatch: microbatch.test.ts). */

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

function pgProfile(schema: string): string {
  return sharedPgProfile(schema, PASSWORD_ENV);
}

/** Three days of events on the first run; later runs bring new rows for two of them (d2, d3). */
const MODEL = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by=['day']) }}
{% if is_incremental() %}
select 'd2' as day, 20 as v union all select 'd2', 21 union all select 'd3', 30
{% else %}
select 'd1' as day, 1 as v union all select 'd2', 2 union all select 'd2', 3 union all select 'd3', 4
{% endif %}`;

for (const engine of ['duckdb', 'postgres'] as const) {
  describe(`insert_overwrite on ${engine}`, () => {
    it('replaces the two partitions the new rows touch and keeps the third; a rerun gives the same rows', async () => {
      const schema = engine === 'postgres' ? uniqueSchema('overwrite') : 'main';
      if (engine === 'postgres') schemas.push(schema);
      const p = project({ 'models/events.sql': MODEL }, engine === 'postgres' ? { profile: pgProfile(schema) } : {});
      const env = engine === 'postgres' ? { [PASSWORD_ENV]: pgConnection().password } : {};
      const rows = () => {
        const sql = `select day, v from "${schema}".events order by day, v`;
        return engine === 'postgres' ? pgQuery(sql) : p.query(sql);
      };
      expect(p.tsql(['run'], env).code).toBe(0);
      expect((await rows()).length).toBe(4);
      const r = p.tsql(['run'], env);
      expect(r.stdout + r.stderr).toContain('INSERT_OVERWRITE (3 rows)');
      expect(r.code).toBe(0);
      const after = [
        { day: 'd1', v: 1 },
        { day: 'd2', v: 20 },
        { day: 'd2', v: 21 },
        { day: 'd3', v: 30 },
      ];
      expect(await rows()).toEqual(after);
      expect(p.tsql(['run'], env).code).toBe(0);
      expect(await rows()).toEqual(after);
    });
  });
}

describe('incremental strategies: errors before the run', () => {
  it('insert_overwrite without partition_by names the file; exit 2', () => {
    const p = project({ 'models/events.sql': `{{ config(materialized='incremental', incremental_strategy='insert_overwrite') }} select 1 as v` });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/events.sql: model 'events': incremental_strategy insert_overwrite needs partition_by");
  });

  it('partition_by on another strategy warns with its line', () => {
    const p = project({ 'models/a.sql': `{{ config(materialized='table', partition_by=['v']) }}\nselect 1 as v` });
    const r = p.tsql(['run']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain("models/a.sql:1: model config 'partition_by' is ignored");
  });
});
