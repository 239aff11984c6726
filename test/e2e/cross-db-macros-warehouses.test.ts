/**
 * dbt's cross-database macros on Snowflake (the stand-in, on DuckDB) and Redshift
 * (the stand-in proxying to PostgreSQL), through the real CLI: the same fixture
 * and the same expected values as DuckDB and PostgreSQL (cross-db-macros.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { pgConnection, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { sfClient, type SfClient } from '../helpers/snowflake.js';
import { CROSS_DB_ARRAY_FILES, CROSS_DB_EXPECTED, CROSS_DB_FILES, crossDbResults } from '../fixtures/cross-db.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';

const dirs: string[] = [];
const projects: TempProject[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function ok(r: CliResult): CliResult {
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}

describe('Snowflake (stand-in)', () => {
  const PASSWORD = 'sf-Secret-xdb1';
  const DATABASE = 'TSQL_TEST';
  let engine: Engine;
  let standin: SnowflakeStandin;
  let client: SfClient;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsql-sf-xdb-'));
    dirs.push(root);
    engine = await createDuckDBEngine({ directory: join(root, 'engine') });
    standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
    client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
  });
  afterAll(async () => {
    await client?.close();
    await standin?.close();
    await engine?.close();
  });

  it('every macro gives the same values', async () => {
    const schema = uniqueSchema('sfxdb');
    const url = new URL(standin.accessUrl);
    const p = new TempProject(
      { ...CROSS_DB_FILES, ...CROSS_DB_ARRAY_FILES },
      {
        profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: tsqltest\n      user: tsql\n      password: "{{ env_var('TSQL_TEST_SF_PASSWORD') }}"\n      role: transformer\n      warehouse: test_wh\n      database: ${DATABASE.toLowerCase()}\n      schema: ${schema}\n      threads: 2\n      host: ${url.hostname}\n      port: ${url.port}\n      protocol: http\n`,
      },
    );
    projects.push(p);
    ok(await runCliAsync(['run'], p.dir, { TSQL_TEST_SF_PASSWORD: PASSWORD }));
    expect(await crossDbResults((sql) => client.query(sql), (m) => `${DATABASE}."${schema.toUpperCase()}".${m}`)).toEqual(CROSS_DB_EXPECTED);
  });
});

describe('Redshift (stand-in)', () => {
  let proxy: PgProxy;
  const database = `xdb_${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    const s3Root = mkdtempSync(join(tmpdir(), 'tsql-s3-xdb-'));
    dirs.push(s3Root);
    await pgQuery(`create database "${database}"`);
    proxy = await startPgProxy({ pg: { ...pgConnection(), database: 'postgres' }, s3Root });
  });
  afterAll(async () => {
    await proxy?.close();
    await pgQuery(`drop database if exists "${database}" with (force)`);
  });

  it('every macro gives the same values (arrays as SUPER values)', async () => {
    const c = pgConnection();
    const p = new TempProject({ ...CROSS_DB_FILES, ...CROSS_DB_ARRAY_FILES, 'models/xdb_arrays_super.sql': `{{ config(materialized='table') }} select {{ dbt.array_construct(['1', '2']) }} as a` }, {
      profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: pg\n      host: ${proxy.host}\n      port: ${proxy.port}\n      user: ${c.user}\n      password: "{{ env_var('TSQL_TEST_PG_PASSWORD') }}"\n      dbname: ${database}\n      sslmode: disable\n      schema: main\n      threads: 2\n`,
    });
    projects.push(p);
    ok(await runCliAsync(['run'], p.dir, { TSQL_TEST_PG_PASSWORD: c.password }));
    expect(await crossDbResults((sql) => pgQuery(sql, { ...c, database }), (m) => `main.${m}`)).toEqual(CROSS_DB_EXPECTED);
    // the arrays are SUPER values (jsonb in the stand-in), in the table as such
    const types = await pgQuery(`select column_name, data_type from information_schema.columns where table_schema = 'main' and table_name = 'xdb_arrays_super' order by 1`, { ...c, database });
    expect(types).toEqual([{ column_name: 'a', data_type: 'jsonb' }]);
  });
});
