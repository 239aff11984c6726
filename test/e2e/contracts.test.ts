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

describe('unnamed constraints on PostgreSQL', () => {
  it('are named after the model\'s table with the build\'s tag, not after the staged table', async () => {
    const schema = uniqueSchema('contract_names');
    schemas.push(schema);
    const yaml = CONTRACT_YAML.replace('      - name: status\n        data_type: text\n', '      - name: status\n        data_type: text\n        constraints:\n          - type: unique\n');
    const p = project({ 'models/orders.sql': GOOD, 'models/schema.yml': yaml }, { profile: pgProfile(schema) });
    const env = { [PASSWORD_ENV]: pgConnection().password };
    const names = async () =>
      (await pgQuery(`select c.conname, c.contype from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = '${schema}' and t.relname = 'orders' and c.contype in ('p', 'u') order by c.contype`)) as Array<{ conname: string; contype: string }>;
    expect(p.tsql(['run'], env).code).toBe(0);
    const first = await names();
    expect(first.map((c) => c.contype)).toEqual(['p', 'u']);
    expect(first[0]!.conname).toMatch(/^orders_pk_[0-9a-z]+$/);
    expect(first[1]!.conname).toMatch(/^orders_uq_[0-9a-z]+$/);
    // the index each one owns has its name, and no relation of the schema looks like a leftover of the build
    const indexes = await pgQuery(`select indexname from pg_indexes where schemaname = '${schema}' order by 1`);
    expect(indexes.map((i) => i.indexname)).toEqual(first.map((c) => c.conname));
    // rebuilt: the new table's constraints got a new tag, so they did not collide with the replaced table's
    expect(p.tsql(['run'], env).code).toBe(0);
    const second = await names();
    expect(second[0]!.conname).toMatch(/^orders_pk_[0-9a-z]+$/);
    expect(second[0]!.conname).not.toBe(first[0]!.conname);
    await expect(pgQuery(`insert into "${schema}".orders values (1, 1, 'dup')`)).rejects.toThrow(/orders_pk_/);
  });

  it('checks and foreign keys get the names PostgreSQL gives them on the model\'s table, none the staged table\'s', async () => {
    const schema = uniqueSchema('contract_checks');
    schemas.push(schema);
    const yaml = `version: 2
models:
  - {name: customers, config: {contract: {enforced: true}}, columns: [{name: id, data_type: integer, constraints: [{type: primary_key}]}]}
  - name: orders
    config:
      contract: {enforced: true}
    constraints:
      - type: check
        expression: "amount >= 0 and id > 0"
      - type: check
        expression: "status <> 'amount'"
      - type: foreign_key
        columns: [customer_id]
        to: ref('customers')
        to_columns: [id]
    columns:
      - name: id
        data_type: integer
      - name: customer_id
        data_type: integer
      - name: amount
        data_type: numeric(12,2)
        constraints:
          - type: check
            expression: "amount >= 0"
          - type: check
            expression: "amount < 1000"
      - name: status
        data_type: text
`;
    const p = project(
      {
        'models/customers.sql': `{{ config(materialized='table') }}\nselect cast(1 as integer) as id`,
        'models/orders.sql': `{{ config(materialized='table') }}\nselect cast(1 as integer) as id, cast(1 as integer) as customer_id, cast(10.50 as numeric(12,2)) as amount, cast('paid' as text) as status`,
        'models/schema.yml': yaml,
      },
      { profile: pgProfile(schema) },
    );
    const env = { [PASSWORD_ENV]: pgConnection().password };
    const names = async () =>
      (await pgQuery(`select c.conname from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = '${schema}' and t.relname = 'orders' and c.contype in ('c', 'f') order by 1`)).map((c) => c.conname);
    const expected = ['orders_amount_check', 'orders_amount_check1', 'orders_check', 'orders_customer_id_fkey', 'orders_status_check'];
    for (let build = 0; build < 2; build++) {
      const r = p.tsql(['run'], env);
      expect(r.stdout + r.stderr, r.stdout + r.stderr).toContain('CREATE TABLE');
      expect(r.code).toBe(0);
      expect(await names()).toEqual(expected);
      const staged = await pgQuery(`select c.conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = '${schema}' and c.conname like '%tsql%'`);
      expect(staged).toEqual([]);
    }
    await expect(pgQuery(`insert into "${schema}".orders values (2, 1, 2000, 'x')`)).rejects.toThrow(/orders_amount_check1/);
  });
});
