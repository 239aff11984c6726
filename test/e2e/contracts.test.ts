import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { useProjects } from '../helpers/project.js';
import { pgConnection, pgProfile as sharedPgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/** Model contracts and constraints through the real CLI, on DuckDB files and the PostgreSQL test server. */

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

/** A statement on the project's DuckDB file, read-write (the CLI has exited). */
async function duckExec(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

function pgProfile(schema: string): string {
  return sharedPgProfile(schema, PASSWORD_ENV);
}

const CONTRACT_YAML = `version: 2
models:
  - name: orders
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: integer
        constraints:
          - type: not_null
          - type: primary_key
      - name: amount
        data_type: numeric(12,2)
        constraints:
          - type: check
            expression: "amount >= 0"
      - name: status
        data_type: text
`;
const GOOD = `{{ config(materialized='table') }}
select cast(1 as integer) as id, cast(10.50 as numeric(12,2)) as amount, cast('paid' as text) as status
union all select 2, 7, 'open'`;
const STRING_ID = `{{ config(materialized='table') }}
select cast('x1' as text) as id, cast(1 as numeric(12,2)) as amount, cast('paid' as text) as status`;

for (const engine of ['duckdb', 'postgres'] as const) {
  describe(`model contracts on ${engine}`, () => {
    function make(files: Record<string, string>) {
      const schema = engine === 'postgres' ? uniqueSchema('contract') : 'main';
      if (engine === 'postgres') schemas.push(schema);
      const p = project(files, engine === 'postgres' ? { profile: pgProfile(schema) } : {});
      const env = engine === 'postgres' ? { [PASSWORD_ENV]: pgConnection().password } : {};
      return {
        p,
        schema,
        tsql: (args: string[]) => p.tsql(args, env),
        rows: (sql: string) => (engine === 'postgres' ? pgQuery(sql.replaceAll('$s', `"${schema}"`)) : duckExec(p.dbPath, sql.replaceAll('$s', 'main'))),
      };
    }

    it('a passing contract creates the declared types and constraints, which then reject bad rows', async () => {
      const t = make({ 'models/orders.sql': GOOD, 'models/schema.yml': CONTRACT_YAML });
      const r = t.tsql(['run']);
      expect(r.stdout + r.stderr).toContain('CREATE TABLE (2 rows)');
      expect(r.code).toBe(0);
      // rebuilt a second time: constraint names of the replaced table do not collide
      expect(t.tsql(['run']).code).toBe(0);
      const types = await t.rows(`select column_name, data_type, is_nullable from information_schema.columns where table_schema = '${t.schema}' and table_name = 'orders' order by ordinal_position`);
      expect(types.map((c) => [c.column_name, String(c.data_type).toLowerCase(), c.is_nullable])).toEqual([
        ['id', 'integer', 'NO'],
        ['amount', engine === 'postgres' ? 'numeric' : 'decimal(12,2)', 'YES'],
        ['status', engine === 'postgres' ? 'text' : 'varchar', 'YES'],
      ]);
      const kinds = await t.rows(`select constraint_type from information_schema.table_constraints where table_schema = '${t.schema}' and table_name = 'orders' order by 1`);
      expect(kinds.map((k) => k.constraint_type)).toEqual(expect.arrayContaining(['CHECK', 'PRIMARY KEY']));
      await expect(t.rows(`insert into $s.orders values (3, -1, 'x')`)).rejects.toThrow(/check/i);
      await expect(t.rows(`insert into $s.orders values (1, 1, 'dup')`)).rejects.toThrow(/duplicate|primary key|unique/i);
      await expect(t.rows(`insert into $s.orders values (null, 1, 'x')`)).rejects.toThrow(/null/i);
      // a build whose rows break a constraint fails and leaves the table as it was
      t.p.write({ 'models/orders.sql': GOOD.replace('select 2, 7', 'select 2, -7') });
      expect(t.tsql(['run']).code).toBe(1);
      expect(await t.rows('select count(*)::int as n from $s.orders')).toEqual([{ n: 2 }]);
    });

    it('a string column under an integer contract fails with the diff and leaves the previous table', async () => {
      const t = make({ 'models/orders.sql': GOOD, 'models/schema.yml': CONTRACT_YAML });
      expect(t.tsql(['run']).code).toBe(0);
      t.p.write({ 'models/orders.sql': STRING_ID.replace(' as status', ' as status, 1 as extra') });
      const r = t.tsql(['run']);
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toContain('This model has an enforced contract that failed.');
      expect(out).toMatch(/\| id +\| (text|varchar|VARCHAR) +\| integer +\| data type mismatch +\|/);
      expect(out).toMatch(/\| extra +\| \S+ +\| +\| missing in contract +\|/);
      expect(await t.rows('select id, status from $s.orders order by id')).toEqual([
        { id: 1, status: 'paid' },
        { id: 2, status: 'open' },
      ]);
    });
  });
}

describe('model contracts: errors before the run', () => {
  it('a column without data_type names the schema file and line; exit 2', () => {
    const p = project({
      'models/orders.sql': GOOD,
      'models/schema.yml': CONTRACT_YAML.replace('        data_type: text\n', ''),
    });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/schema.yml:17: model 'orders': column 'status' has no data_type");
  });

  it('a contract on an ephemeral model is an error', () => {
    const p = project({ 'models/orders.sql': `{{ config(materialized='ephemeral') }} select 1 as id`, 'models/schema.yml': CONTRACT_YAML });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models/orders.sql');
    expect(r.stderr).toContain('ephemeral');
  });

  it('a view checks columns and types only; its constraints warn', () => {
    const p = project({ 'models/orders.sql': STRING_ID.replace("materialized='table'", "materialized='view'"), 'models/schema.yml': CONTRACT_YAML });
    const r = p.tsql(['run']);
    expect(r.stdout + r.stderr).toMatch(/models\/schema\.yml:\d+: .*a view holds no constraints/);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('data type mismatch');
  });
});

describe('a contracted incremental model', () => {
  it('checks each run\'s new rows against the contract; its constraints hold on the target', async () => {
    const model = (select: string) => `{{ config(materialized='incremental', unique_key='id') }}\n${select}`;
    const p = project({ 'models/orders.sql': model(`select 1 as id, cast(1 as numeric(12,2)) as amount, 'a' as status`), 'models/schema.yml': CONTRACT_YAML });
    expect(p.tsql(['run']).code).toBe(0);
    p.write({ 'models/orders.sql': model(`select 2 as id, cast(2 as numeric(12,2)) as amount, 'b' as status`) });
    const r = p.tsql(['run']);
    expect(r.stdout + r.stderr).toContain('DELETE+INSERT (1 rows)');
    p.write({ 'models/orders.sql': model(`select 'three' as id, cast(3 as numeric(12,2)) as amount, 'c' as status`) });
    const bad = p.tsql(['run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('data type mismatch');
    p.write({ 'models/orders.sql': model(`select 3 as id, cast(-3 as numeric(12,2)) as amount, 'c' as status`) });
    expect(p.tsql(['run']).code).toBe(1);
    expect(await p.query('select id from main.orders order by id')).toEqual([{ id: 1 }, { id: 2 }]);
  });
});
