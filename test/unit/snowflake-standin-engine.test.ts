import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import type { Bind, Engine, EngineSession, StatementResult } from '../snowflake-standin/engine-types.js';
import { SfError } from '../snowflake-standin/engine-types.js';
import { translate } from '../snowflake-standin/translate.js';
import { splitStatements, tokenize } from '../snowflake-standin/sql-lexer.js';

describe('Snowflake stand-in: lexer and translation', () => {
  it('folds unquoted identifiers to upper case and keeps quoted ones', () => {
    expect(translate('select a as n, "b" as "n" from t')).toBe('SELECT A AS N, "b" AS "n" FROM T');
  });
  it('decodes backslash escapes and $$ strings into plain literals', () => {
    expect(translate("select 'a\\nb', 'it\\'s', '\\\\', $$x'y$$")).toBe("SELECT 'a\nb', 'it''s', '\\', 'x''y'");
  });
  it('tokenizes binds, stages and $ identifiers', () => {
    const types = tokenize("select ?, :2, metadata$filename from @\"DB\".\"S\".%\"T\"/p").filter((t) => t.type !== 'ws').map((t) => t.type);
    expect(types).toEqual(['word', 'param', 'op', 'param', 'op', 'word', 'word', 'stage']);
    expect(splitStatements("select 1; select ';' ; ")).toEqual(['select 1', "select ';'"]);
  });
  it('rewrites Snowflake functions', () => {
    expect(translate('iff(a, 1, 2)')).toBe('(CASE WHEN A THEN 1 ELSE 2 END)');
    expect(translate('datediff(day, a, b)')).toBe("DATE_DIFF('day', A, B)");
    expect(translate('timestampadd(hour, 2, x)')).toBe('((X) + INTERVAL (2) HOUR)');
    expect(translate('date_trunc(month, x)')).toBe("DATE_TRUNC('month', X)");
    expect(translate('array_contains(v, arr)')).toBe('LIST_CONTAINS(ARR, V)');
    expect(translate("regexp_like(s, 'a.*')")).toBe("REGEXP_FULL_MATCH(S, 'a.*')");
    expect(translate("listagg(x, ',') within group (order by y)")).toBe("STRING_AGG(X, ',' ORDER BY Y)");
    expect(translate('to_number(x, 10, 2)')).toBe('CAST(X AS DECIMAL(10, 2))');
    expect(translate('current_database()', { database: 'DB' })).toBe("'DB'");
  });
  it('maps Snowflake type names', () => {
    expect(translate('cast(a as number(10,2)), b::number, c::varchar(10), d::timestamp_ntz, e::timestamp_ltz, f::variant, g::float')).toBe(
      'CAST(A AS DECIMAL(10, 2)), B::DECIMAL(38, 0), C::VARCHAR, D::TIMESTAMP, E::TIMESTAMPTZ, F::JSON, G::DOUBLE',
    );
  });
  it('names `from values` columns COLUMN1…', () => {
    expect(translate("select * from values (1, 'a'), (2, 'b')")).toBe("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS __V(COLUMN1, COLUMN2)");
  });
  it('guards divisors and turns paths into JSON access', () => {
    expect(translate('a / b::int')).toBe("A / (CASE WHEN (B::BIGINT) = 0 THEN error('Division by zero') ELSE (B::BIGINT) END)");
    expect(translate('v:name')).toBe("(V ->> '$.name')");
  });
});

let dir: string;
let engine: Engine;
let s: EngineSession;
const never = new AbortController().signal;
const run = (sql: string, binds?: Record<string, Bind>, session = s) => session.execute(sql, binds, never);
const rows = async (sql: string, session = s) => (await run(sql, undefined, session)).rows;
const fails = async (p: Promise<StatementResult>): Promise<SfError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SfError);
    return e as SfError;
  }
  throw new Error('expected the statement to fail');
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sf-engine-'));
  mkdirSync(join(dir, 'lake'), { recursive: true });
  mkdirSync(join(dir, 's3', 'bucket'), { recursive: true });
  engine = await createDuckDBEngine({ directory: join(dir, 'engine'), stages: { LAKE_STAGE: join(dir, 'lake') }, s3Root: join(dir, 's3') });
  s = await engine.openSession({ database: 'DB', schema: 'MAIN', warehouse: 'WH', role: 'R' });
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Snowflake stand-in engine', () => {
  it('creates the login database and reports result columns like Snowflake', async () => {
    await run('create schema if not exists "DB"."MAIN"');
    const r = await run('select 1 as n, 2 as "n", \'x\' as t, 1.50::number(10,2) as d, 2.5::float as f, current_database() as db');
    expect(r.columns.map((c) => c.name)).toEqual(['N', 'n', 'T', 'D', 'F', 'DB']);
    expect(r.columns.map((c) => c.type)).toEqual(['fixed', 'fixed', 'text', 'fixed', 'real', 'text']);
    expect(r.columns[3]).toMatchObject({ precision: 10, scale: 2 });
    expect(r.rows).toEqual([[1, 2, 'x', '1.50', 2.5, 'DB']]);
    expect(s.context.database).toBe('DB');
  });

  it('runs tsql DDL forms with Snowflake status results', async () => {
    expect((await run('create schema if not exists "DB"."S"')).rows).toEqual([['Schema S successfully created.']]);
    expect((await run('use schema "DB"."MAIN"')).kind).toBe('use');
    const t = await run('create or replace transient table "DB"."MAIN"."ORDERS" cluster by ("ID") copy grants as (\nselect 1 as id, \'a\' as name union all select 2, \'b\'\n)');
    expect(t.rows).toEqual([['Table ORDERS successfully created.']]);
    expect(t.kind).toBe('ddl');
    expect((await run('create or replace view "DB"."MAIN"."V" copy grants as (\nselect id from "DB"."MAIN"."ORDERS"\n)')).rows).toEqual([['View V successfully created.']]);
    expect((await run('create or replace secure view "DB"."MAIN"."SV" as (select 1 as x)')).rows).toEqual([['View SV successfully created.']]);
    expect(await rows('select count(*) as c from "DB"."MAIN"."V"')).toEqual([['2']]);
    await run('create or replace table "DB"."MAIN"."TYPED" ("A" number(38,0), "B" varchar, "C" timestamp_ntz)');
    const info = await rows(`select table_name, table_type, is_transient from "DB".information_schema.tables where table_schema = 'MAIN' order by table_name`);
    expect(info).toEqual([
      ['ORDERS', 'BASE TABLE', 'YES'],
      ['SV', 'VIEW', 'NO'],
      ['TYPED', 'BASE TABLE', 'NO'],
      ['V', 'VIEW', 'NO'],
    ]);
    const cols = await rows(`select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns where table_name = 'TYPED' order by ordinal_position`);
    expect(cols).toEqual([
      ['A', 'NUMBER', '38', '0'],
      ['B', 'TEXT', null, null],
      ['C', 'TIMESTAMP_NTZ', null, null],
    ]);
    const schemata = await rows(`select schema_name from "DB".information_schema.schemata order by 1`);
    expect(schemata.map((r) => r[0])).toEqual(['INFORMATION_SCHEMA', 'MAIN', 'PUBLIC', 'S']);
    expect((await run('drop view if exists "DB"."MAIN"."NOPE"')).rows[0][0]).toMatch(/already dropped/);
    expect((await run('drop schema if exists "DB"."S" cascade')).rows).toEqual([['S successfully dropped.']]);
    expect((await run('create database if not exists "DB"')).rows).toEqual([['DB already exists, statement succeeded.']]);
    expect((await run('create transient table if not exists "DB"."MAIN"."ORDERS" as (select 1 as id)')).rows).toEqual([['ORDERS already exists, statement succeeded.']]);
    await run('create or replace table "DB"."MAIN"."GONE" as (select 1 as x)');
    expect((await run('drop table if exists "DB"."MAIN"."GONE"')).rows).toEqual([['GONE successfully dropped.']]);
    expect((await fails(run('select * from "DB"."S"."X"'))).message).toMatch(/Schema 'DB.S' does not exist/);
  });

  it('keeps the old table when create or replace fails, and refuses to replace a view with a table', async () => {
    await run('create or replace table "DB"."MAIN"."KEEP" as (select 1 as x)');
    const e = await fails(run(`create or replace table "DB"."MAIN"."KEEP" as (select 'x'::int as x)`));
    expect(e.code).toBe('100038');
    expect(await rows('select x from "DB"."MAIN"."KEEP"')).toEqual([[1]]);
    const v = await fails(run('create or replace table "DB"."MAIN"."V" as (select 1 as x)'));
    expect(v.code).toBe('002002');
    expect(v.message).toMatch(/already exists as VIEW/);
    const t = await fails(run('create or replace view "DB"."MAIN"."KEEP" as (select 1 as x)'));
    expect(t.code).toBe('002002');
  });

  it('maps errors to Snowflake codes', async () => {
    const missing = await fails(run('select * from "DB"."MAIN"."NOPE"'));
    expect(missing.code).toBe('002003');
    expect(missing.sqlState).toBe('42S02');
    expect(missing.message).toBe("SQL compilation error:\nObject 'DB.MAIN.NOPE' does not exist or not authorized.");
    expect((await fails(run('selec 1'))).code).toBe('001003');
    const ident = await fails(run('select nocol from "DB"."MAIN"."ORDERS"'));
    expect(ident.code).toBe('000904');
    expect(ident.message).toMatch(/invalid identifier 'NOCOL'/);
    expect((await fails(run('select 1 / 0'))).code).toBe('100051');
    expect((await fails(run("select 'x'::number"))).code).toBe('100038');
    expect((await fails(run('create table "DB"."MAIN"."ORDERS" (a int)'))).code).toBe('002002');
  });

  it('renames (qualified or current-schema) and swaps tables, adds and drops columns', async () => {
    await run('create or replace table "DB"."MAIN"."A" as (select 1 as x)');
    await run('create or replace table "DB"."MAIN"."B" as (select 2 as x)');
    await run('alter table "DB"."MAIN"."A" swap with "DB"."MAIN"."B"');
    expect(await rows('select x from "DB"."MAIN"."A"')).toEqual([[2]]);
    expect(await rows('select x from "DB"."MAIN"."B"')).toEqual([[1]]);
    await run('alter table "DB"."MAIN"."A" rename to "DB"."MAIN"."A2"');
    await run('alter table "DB"."MAIN"."A2" rename to "A3"');
    expect(await rows('select x from "DB"."MAIN"."A3"')).toEqual([[2]]);
    await run('create schema if not exists "DB"."OTHER"');
    await run('use schema "DB"."MAIN"');
    await run('alter table "DB"."MAIN"."A3" rename to "DB"."OTHER"."A4"');
    expect(await rows('select x from "DB"."OTHER"."A4"')).toEqual([[2]]);
    await run('alter table "DB"."OTHER"."A4" add column "C" number(38,0)');
    await run('alter table "DB"."OTHER"."A4" drop column "X"');
    expect((await run('select * from "DB"."OTHER"."A4"')).columns.map((c) => c.name)).toEqual(['C']);
    await run('alter view "DB"."MAIN"."SV" rename to "DB"."MAIN"."SV2"');
    expect(await rows('select x from "DB"."MAIN"."SV2"')).toEqual([[1]]);
  });

  it('inserts with positional, numbered and array binds; deletes with using; merges', async () => {
    await run('create or replace table "DB"."MAIN"."T" ("K" number(38,0), "V" varchar, "D" date)');
    const one = await run('insert into "DB"."MAIN"."T" ("K", "V", "D") values (?, ?, ?)', {
      '1': { type: 'FIXED', value: '1' },
      '2': { type: 'TEXT', value: 'one' },
      '3': { type: 'TEXT', value: '2024-01-02' },
    });
    expect(one.rowsAffected).toBe(1);
    expect(one.kind).toBe('insert');
    const many = await run('insert into "DB"."MAIN"."T" ("K", "V") values (:1, :2)', {
      '1': { type: 'FIXED', value: ['2', '3', '4'] },
      '2': { type: 'TEXT', value: ['two', null, 'four'] },
    });
    expect(many.rowsAffected).toBe(3);
    expect(await rows('select "K", "V", "D" from "DB"."MAIN"."T" order by 1')).toEqual([
      ['1', 'one', '2024-01-02'],
      ['2', 'two', null],
      ['3', null, null],
      ['4', 'four', null],
    ]);
    await run('create or replace temporary table "DB"."MAIN"."SRC" as (select 2 as "K", \'TWO\' as "V" union all select 9, \'nine\')');
    const merged = await run(
      'merge into "DB"."MAIN"."T" as __tsql_target using "DB"."MAIN"."SRC" as __tsql_source on __tsql_target."K" = __tsql_source."K"\nwhen matched then update set "V" = __tsql_source."V"\nwhen not matched then insert ("K", "V") values (__tsql_source."K", __tsql_source."V")',
    );
    expect(merged.rowsAffected).toBe(2);
    expect(merged.kind).toBe('merge');
    const del = await run('delete from "DB"."MAIN"."T" using "DB"."MAIN"."SRC" as __tsql_source where "DB"."MAIN"."T"."K" = __tsql_source."K"');
    expect(del.rowsAffected).toBe(2);
    const ins = await run('insert into "DB"."MAIN"."T" ("K", "V")\nselect "K", "V" from "DB"."MAIN"."SRC"');
    expect(ins.rowsAffected).toBe(2);
    expect((await run('delete from "DB"."MAIN"."T" where "K" > 3')).rowsAffected).toBe(2);
  });

  it('keeps temporary tables and transactions per session; DDL commits implicitly', async () => {
    const other = await engine.openSession({ database: 'DB', schema: 'MAIN' });
    try {
      expect((await fails(run('select * from "DB"."MAIN"."SRC"', undefined, other))).code).toBe('002003');
      await run('create or replace table "DB"."MAIN"."TX" as (select 1 as x)');
      await run('begin');
      await run('insert into "DB"."MAIN"."TX" values (2)');
      expect(await rows('select count(*) from "DB"."MAIN"."TX"', other)).toEqual([['1']]);
      await run('rollback');
      expect(await rows('select count(*) from "DB"."MAIN"."TX"')).toEqual([['1']]);
      await run('begin transaction');
      await run('insert into "DB"."MAIN"."TX" values (3)');
      await run('create or replace table "DB"."MAIN"."TX2" as (select 1 as y)');
      await run('rollback');
      // the DDL committed the insert before it
      expect(await rows('select count(*) from "DB"."MAIN"."TX"', other)).toEqual([['2']]);
      const tt = await rows(`select table_type from information_schema.tables where table_name = 'SRC'`);
      expect(tt).toEqual([['TEMPORARY TABLE']]);
    } finally {
      await other.close();
    }
  });

  it('translates the freshness query and count_if / failures queries', async () => {
    await run(`create or replace table "DB"."MAIN"."F" as (select timestamp '2024-01-01 00:00:00' as loaded_at, null as a union all select timestamp '2024-01-02 00:00:00', 1)`);
    const r = await run(
      `select max(loaded_at) as max_loaded_at, current_timestamp() as snapshotted_at, timestampdiff(second, cast(max(loaded_at) as timestamp_ntz), cast(convert_timezone('UTC', current_timestamp()) as timestamp_ntz)) as age_seconds from "DB"."MAIN"."F"`,
    );
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([['MAX_LOADED_AT', 'timestamp_ntz'], ['SNAPSHOTTED_AT', 'timestamp_ltz'], ['AGE_SECONDS', 'fixed']]);
    expect(r.rows[0][0]).toBe('2024-01-02 00:00:00');
    expect(Number(r.rows[0][2])).toBeGreaterThan(86400 * 300);
    expect(await rows('select count(*) as failures from (select * from "DB"."MAIN"."F" where a is null) as t')).toEqual([['1']]);
    expect(await rows('select count_if("A" is null) as n, nvl(max(a), 0) as m, zeroifnull(null) as z, div0(1, 0) as d, iff(1 = 1, \'y\', \'n\') as i from "DB"."MAIN"."F"')).toEqual([
      ['1', 1, 0, 0, 'y'],
    ]);
    expect(await rows(`select split_part('a/b/c', '/', -2), array_size(split('a,b', ',')), array_contains('b', split('a,b', ',')), regexp_like('abc', 'b'), equal_null(null, null)`)).toEqual([
      ['b', '2', true, false, true],
    ]);
  });

  it('answers show and describe like Snowflake', async () => {
    const t = await run(`show tables like 'ORD%' in schema "DB"."MAIN"`);
    expect(t.columns.map((c) => c.name).slice(0, 5)).toEqual(['created_on', 'name', 'database_name', 'schema_name', 'kind']);
    expect(t.rows.map((r) => [r[1], r[4]])).toEqual([['ORDERS', 'TRANSIENT']]);
    expect((await run(`show views in database "DB"`)).rows.map((r) => r[1])).toContain('V');
    expect((await run(`show schemas in database "DB"`)).rows.map((r) => r[1])).toContain('MAIN');
    expect((await run(`show databases like 'DB'`)).rows.map((r) => r[1])).toEqual(['DB']);
    const d = await run('describe table "DB"."MAIN"."TYPED"');
    expect(d.rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['A', 'NUMBER(38,0)', 'COLUMN', 'Y'],
      ['B', 'VARCHAR(16777216)', 'COLUMN', 'Y'],
      ['C', 'TIMESTAMP_NTZ(9)', 'COLUMN', 'Y'],
    ]);
    expect(d.columns.map((c) => c.name).slice(0, 4)).toEqual(['name', 'type', 'kind', 'null?']);
  });

  it('unloads parquet and csv to stages and s3 locations, atomically by rename', async () => {
    const p = await run(`copy into @LAKE_STAGE/out/orders.parquet from (\nselect id, name from "DB"."MAIN"."ORDERS" order by id\n) file_format = (type = parquet) header = true single = true overwrite = true max_file_size = 5368709120`);
    expect(p.kind).toBe('unload');
    expect(p.columns.map((c) => c.name)).toEqual(['rows_unloaded', 'input_bytes', 'output_bytes']);
    expect(p.rows[0][0]).toBe(2);
    expect(readdirSync(join(dir, 'lake', 'out'))).toEqual(['orders.parquet']);
    expect(await rows(`select * from read_parquet('${join(dir, 'lake', 'out', 'orders.parquet')}')`)).toEqual([['1', 'a'], ['2', 'b']].map(([a, b]) => [Number(a), b]));
    await run(`copy into 's3://bucket/path/file.csv' from (select 1 as a, null as b, 'x,y' as c, '' as e) storage_integration = "INT" file_format = (type = csv compression = none field_optionally_enclosed_by = '"' null_if = ('') empty_field_as_null = false) header = true single = true overwrite = true`);
    expect(readFileSync(join(dir, 's3', 'bucket', 'path', 'file.csv'), 'utf8')).toBe('A,B,C,E\n1,,"x,y",""\n');
    await run(`copy into @~/u/x.csv from (select 1 as a) file_format = (type = csv compression = none) header = false single = true`);
    expect(existsSync(join(dir, 'engine', 'stages', 'user', 'u', 'x.csv'))).toBe(true);
  });

  it('loads csv (plain and gzip) from a table stage, purging, skipping already-loaded files', async () => {
    await run('create or replace table "DB"."MAIN"."L" ("A" number(38,0), "B" varchar)');
    const loc = s.resolveStage('@"DB"."MAIN".%"L"');
    mkdirSync(join(loc.directory, loc.path), { recursive: true });
    writeFileSync(join(loc.directory, 'a.csv.gz'), gzipSync('A,B\n1,"x"\n2,\n'));
    writeFileSync(join(loc.directory, 'b.csv'), 'A,B\n3,"y, z"\n');
    const r = await run(`copy into "DB"."MAIN"."L" ("A", "B") from @"DB"."MAIN".%"L" file_format = (type = csv skip_header = 1 field_optionally_enclosed_by = '"' empty_field_as_null = true) purge = true`);
    expect(r.kind).toBe('copy');
    expect(r.rowsAffected).toBe(3);
    expect(r.rows.map((x) => [x[0], x[1], x[3]])).toEqual([['a.csv.gz', 'LOADED', 2], ['b.csv', 'LOADED', 1]]);
    expect(readdirSync(loc.directory)).toEqual([]);
    expect(await rows('select "A", "B" from "DB"."MAIN"."L" order by 1')).toEqual([['1', 'x'], ['2', null], ['3', 'y, z']]);
    writeFileSync(join(loc.directory, 'c.csv'), 'A,B\n4,w\n');
    await run(`copy into "DB"."MAIN"."L" from @%L file_format = (type = csv skip_header = 1) files = ('c.csv')`);
    const again = await run(`copy into "DB"."MAIN"."L" from @%L file_format = (type = csv skip_header = 1)`);
    expect(again.rows).toEqual([['Copy executed with 0 files processed.']]);
    expect(await rows('select count(*) from "DB"."MAIN"."L"')).toEqual([['4']]);
  });

  it('emulates external tables over registered files with refresh', async () => {
    const base = join(dir, 'lake', 'lake', 'stage', 'user_purchase');
    mkdirSync(join(base, '2024-01-01'), { recursive: true });
    writeFileSync(join(base, '2024-01-01', 'part.csv'), 'invoice,x,y,qty\n"INV1",a,b,3\n"INV2",a,b,4\n');
    const ddl = `create or replace external table "DB"."MAIN"."UP" (
  "INVOICE_NUMBER" varchar as (cast(value:c1 as varchar)),
  "QUANTITY" number(38,0) as (cast(value:c4 as number(38,0))),
  "INSERT_DATE" date as (cast(split_part(metadata$filename, '/', -2) as date))
)
partition by ("INSERT_DATE")
location = @LAKE_STAGE/lake/stage/user_purchase/
file_format = (type = csv skip_header = 1 field_optionally_enclosed_by = '"' empty_field_as_null = true)
auto_refresh = false`;
    expect((await run(ddl)).rows).toEqual([['Table UP successfully created.']]);
    expect(await rows('select "INVOICE_NUMBER", "QUANTITY", "INSERT_DATE" from "DB"."MAIN"."UP" order by 1')).toEqual([
      ['INV1', '3', '2024-01-01'],
      ['INV2', '4', '2024-01-01'],
    ]);
    mkdirSync(join(base, '2024-01-03'), { recursive: true });
    writeFileSync(join(base, '2024-01-03', 'part.csv'), 'invoice,x,y,qty\n"INV3",a,b,5\n');
    expect(await rows('select count(*) from "DB"."MAIN"."UP"')).toEqual([['2']]);
    const refresh = await run(`alter external table "DB"."MAIN"."UP" refresh '2024-01-03/'`);
    expect(refresh.rows.map((r) => [r[0], r[1]])).toEqual([['lake/stage/user_purchase/2024-01-03/part.csv', 'REGISTERED_NEW']]);
    expect(await rows('select count(*), max("INSERT_DATE") from "DB"."MAIN"."UP"')).toEqual([['3', '2024-01-03']]);
    rmSync(join(base, '2024-01-01'), { recursive: true });
    await run(`alter external table "DB"."MAIN"."UP" refresh`);
    expect(await rows('select "INVOICE_NUMBER" from "DB"."MAIN"."UP"')).toEqual([['INV3']]);
    expect(await rows(`select table_type from "DB".information_schema.tables where table_name = 'UP'`)).toEqual([['EXTERNAL TABLE']]);
    expect((await run('show external tables in schema "DB"."MAIN"')).rows.map((r) => r[1])).toEqual(['UP']);

    await run(`copy into @LAKE_STAGE/pq/one.parquet from (select 7 as cid) file_format = (type = parquet) single = true`);
    await run(`create or replace external table "DB"."MAIN"."PQ" ("CID" number(38,0) as (cast(get_ignore_case(value, 'cid') as number(38,0)))) location = @LAKE_STAGE/pq/ file_format = (type = parquet)`);
    expect(await rows('select "CID", value from "DB"."MAIN"."PQ"')).toEqual([['7', '{"CID":7}']]);
    await run(`create or replace external table "DB"."MAIN"."EMPTY" ("CID" number(38,0) as (cast(get_ignore_case(value, 'cid') as number(38,0)))) location = @LAKE_STAGE/none/ file_format = (type = parquet)`);
    expect(await rows('select count(*) from "DB"."MAIN"."EMPTY"')).toEqual([['0']]);
    expect((await run('drop external table if exists "DB"."MAIN"."EMPTY"')).rows).toEqual([['EMPTY successfully dropped.']]);
  });

  it('creates stages with url and lists them', async () => {
    await run(`create or replace stage "DB"."MAIN"."S3STAGE" url = 's3://bucket/prefix/' storage_integration = INT file_format = (type = parquet)`);
    await run(`copy into @"DB"."MAIN"."S3STAGE"/x.parquet from (select 1 as a) file_format = (type = parquet) single = true`);
    expect(existsSync(join(dir, 's3', 'bucket', 'prefix', 'x.parquet'))).toBe(true);
    expect((await run('show stages')).rows.map((r) => [r[1], r[4]])).toEqual([['S3STAGE', 's3://bucket/prefix/']]);
  });

  it('cancels a running DuckDB query and system$wait', async () => {
    const ac = new AbortController();
    const p = s.execute('select count(*) from range(100000000000) a', undefined, ac.signal);
    setTimeout(() => ac.abort(), 200);
    const e = await fails(p);
    expect(e.code).toBe('000604');
    expect(e.message).toBe('SQL execution canceled');
    const ac2 = new AbortController();
    const started = Date.now();
    const w = s.execute('select system$wait(30)', undefined, ac2.signal);
    setTimeout(() => ac2.abort(), 100);
    expect((await fails(w)).code).toBe('000604');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await run('select system$wait(1, \'MILLISECONDS\')')).rows).toEqual([['waited 1 milliseconds']]);
    expect(await rows('select 1 as still_works')).toEqual([[1]]);
  });

  it('keeps session context: use, alter session, current_schema()', async () => {
    await run(`alter session set query_tag = 'tsql-test'`);
    expect(s.context.parameters.QUERY_TAG).toBe('tsql-test');
    await run('use database "DB"');
    expect(s.context.schema).toBe('PUBLIC');
    await run('use schema "DB"."MAIN"');
    expect(await rows('select current_schema(), current_warehouse(), current_role()')).toEqual([['MAIN', 'WH', 'R']]);
    expect((await fails(run('use schema "DB"."NOPE"'))).code).toBe('002043');
    expect((await run('create database if not exists "DB2"')).rows).toEqual([['Database DB2 successfully created.']]);
    expect(s.context.database).toBe('DB2');
    await run('use schema "DB"."MAIN"');
  });
});
