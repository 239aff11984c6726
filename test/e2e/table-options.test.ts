import { afterEach, describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

const project = useProjects();
const schemas: string[] = [];
afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

/** A project on the test server in a schema of its own (dropped after the test), and the environment its profile's password comes from. */
function pgProject(files: Record<string, string>, threads: number) {
  const schema = uniqueSchema('tabopt');
  schemas.push(schema);
  const p = project(files, { profile: pgProfile(schema, 'PGPW_TABOPT', { threads }) });
  return { p, schema, env: { PGPW_TABOPT: pgConnection().password } };
}

const model = `{{ config(materialized='table', unlogged=true, indexes=[{'columns': ['id'], 'unique': true}, {'columns': ['label', 'id'], 'type': 'btree'}]) }}
select i as id, 'n' || i as label from generate_series(1, 3) as t(i)`;

describe('PostgreSQL table options: unlogged and indexes', () => {
  it('builds an unlogged table and creates its indexes after each build, as dbt-postgres does', async () => {
    const { p, schema, env } = pgProject({ 'models/t.sql': model }, 4);
    for (let run = 0; run < 2; run++) {
      const r = p.tsql(['run'], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).not.toContain('ignored');
      const persistence = await pgQuery(`select c.relpersistence from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '${schema}' and c.relname = 't'`);
      expect(persistence).toEqual([{ relpersistence: 'u' }]);
      const indexes = await pgQuery(`select indexdef from pg_indexes where schemaname = '${schema}' and tablename = 't' order by indexdef`);
      expect(indexes.map((i) => String(i.indexdef).replace(/"?t__idx_[0-9a-z_]+"?/, 'IX'))).toEqual([
        `CREATE INDEX IX ON ${schema}.t USING btree (label, id)`,
        `CREATE UNIQUE INDEX IX ON ${schema}.t USING btree (id)`,
      ]);
    }
  });

  it('a unique index the new rows break fails the build and leaves the old table, rows and index as they were', async () => {
    const { p, schema, env } = pgProject({ 'models/t.sql': model }, 4);
    expect(p.tsql(['run'], env).code).toBe(0);
    p.write({ 'models/t.sql': model.replace('select i as id', 'select 1 as id') });
    const r = p.tsql(['run'], env);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/could not create unique index/);
    expect(await pgQuery(`select id, label from "${schema}".t order by id`)).toEqual([
      { id: 1, label: 'n1' },
      { id: 2, label: 'n2' },
      { id: 3, label: 'n3' },
    ]);
    const indexes = await pgQuery(`select indexdef from pg_indexes where schemaname = '${schema}' and tablename = 't' order by indexdef`);
    expect(indexes.map((i) => String(i.indexdef).replace(/"?t__idx_[0-9a-z_]+"?/, 'IX'))).toEqual([`CREATE INDEX IX ON ${schema}.t USING btree (label, id)`, `CREATE UNIQUE INDEX IX ON ${schema}.t USING btree (id)`]);
    // nothing staged stays behind
    expect(await pgQuery(`select table_name from information_schema.tables where table_schema = '${schema}' order by 1`)).toEqual([{ table_name: 't' }]);
  });

  it('an index column already in double quotes is used as written, as a dbt-postgres project writes it', async () => {
    const quoted = `{{ config(materialized='table', indexes=[{'columns': ['"Order Date"', 'Id']}]) }}
select 1 as "Id", date '2024-01-03' as "Order Date"`;
    const { p, schema, env } = pgProject({ 'models/t.sql': quoted }, 1);
    const r = p.tsql(['run'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const indexes = await pgQuery(`select indexdef from pg_indexes where schemaname = '${schema}' and tablename = 't'`);
    expect(indexes.map((i) => String(i.indexdef).replace(/"?t__idx_[0-9a-z_]+"?/, 'IX'))).toEqual([`CREATE INDEX IX ON ${schema}.t USING btree ("Order Date", "Id")`]);
  });

  it('warns on an engine without them, and for a view; a malformed index is an error', () => {
    const p = project({ 'models/t.sql': model.replace('generate_series(1, 3) as t(i)', 'range(1, 4) as t(i)'), 'models/v.sql': `{{ config(indexes=[{'columns': ['id']}]) }} select 1 as id` });
    const r = p.tsql(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("models/t.sql:1: model config 'indexes' is ignored on duckdb: indexes are created on PostgreSQL tables only");
    expect(r.stdout).toContain("models/t.sql:1: model config 'unlogged' is ignored on duckdb");
    expect(r.stdout).toContain("models/v.sql:1: model config 'indexes' is ignored");
    p.write({ 'models/v.sql': `{{ config(indexes=[{'cols': ['id']}]) }} select 1 as id` });
    const bad = p.tsql(['run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("indexes entries take columns, unique and type, not 'cols'");
  });
});
