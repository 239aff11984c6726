/**
 * Introspection at run time on the Snowflake and Redshift stand-ins, through the
 * real drivers: the pivot over distinct values (run_query after its parent is
 * rebuilt), statement/load_result, get_columns_in_relation and run-operation.
 * The CLI runs without blocking this process (runCliAsync), which serves the stand-ins.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject, type CliResult } from '../helpers/project.js';
import { pgConnection, pgQuery, uniqueSchema } from '../helpers/pg-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { sfClient, type SfClient, standinProfile } from '../helpers/snowflake.js';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';
import { DATED_FILES, DATED_PRINTED, INTROSPECTION_FILES, ORDERS_CSV_RETURNED } from '../fixtures/introspection.js';

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

const num = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toLowerCase(), typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v])));

describe('snowflake (stand-in): introspection at run time', () => {
  const PASSWORD = 'sf-Secret-9f3k';
  const DATABASE = 'TSQL_TEST';
  let engine: Engine;
  let standin: SnowflakeStandin;
  let client: SfClient;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'tsql-sf-introspect-'));
    dirs.push(root);
    mkdirSync(join(root, 'lake'));
    engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: { LAKE_STAGE: join(root, 'lake') } });
    standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
    client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
  });

  afterAll(async () => {
    await client?.close();
    await standin?.close();
    await engine?.close();
  });

  it('pivots over the parent rebuilt in the same build, reads load_result and columns, and runs an operation', async () => {
    const schema = uniqueSchema('sf');
    const p = new TempProject(INTROSPECTION_FILES, { profile: standinProfile(standin, { database: DATABASE, schema, passwordEnv: 'SF_PW', threads: 4, lake: 'LAKE_STAGE' }) });
    projects.push(p);
    const tsql = (args: string[]) => runCliAsync(args, p.dir, { SF_PW: PASSWORD });
    const rel = (t: string) => `${DATABASE}."${schema.toUpperCase()}".${t}`;
    const first = ok(await tsql(['build']));
    expect(first.stdout).toMatch(/pivot statuses: placed,shipped/);
    expect(num(await client.query(`select * from ${rel('status_pivot')}`))).toEqual([{ placed_amount: 15, shipped_amount: 20, orders: 3 }]);
    p.write({ 'seeds/raw_orders.csv': ORDERS_CSV_RETURNED });
    const again = ok(await tsql(['build']));
    expect(again.stdout).toMatch(/pivot statuses: placed,returned,shipped/);
    expect(num(await client.query(`select * from ${rel('status_pivot')}`))).toEqual([{ placed_amount: 15, returned_amount: 7, shipped_amount: 20, orders: 4 }]);
    expect(num(await client.query(`select * from ${rel('order_stats')}`))).toEqual([{ top_amount: 20, order_count: 4, result_rows: 1 }]);
    expect(num(await client.query(`select kinds from ${rel('orders_narrow')} limit 1`))).toEqual([{ kinds: 'id:n status:s amount:n' }]);
    const op = ok(await tsql(['run-operation', 'make_table', '--args', '{name: op_made, rows: 2}']));
    expect(op.stdout).toMatch(/made op_made with 2 rows/);
    expect(num(await client.query(`select id from ${rel('op_made')} order by id`))).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('run_query and load_result give a date as dbt prints it, not as a timestamp', async () => {
    const p = new TempProject(DATED_FILES, { profile: standinProfile(standin, { database: DATABASE, schema: uniqueSchema('sf'), passwordEnv: 'SF_PW', threads: 1, lake: 'LAKE_STAGE' }) });
    projects.push(p);
    expect(ok(await runCliAsync(['run-operation', 'show_dates'], p.dir, { SF_PW: PASSWORD })).stdout).toContain(DATED_PRINTED);
  });
});

describe('redshift (stand-in, pg wire): introspection at run time', () => {
  let proxy: PgProxy;
  const schemas: string[] = [];

  beforeAll(async () => {
    const s3Root = mkdtempSync(join(tmpdir(), 'tsql-rs-introspect-'));
    dirs.push(s3Root);
    proxy = await startPgProxy({ pg: { ...pgConnection() }, s3Root });
  });

  afterAll(async () => {
    await proxy?.close();
    if (schemas.length) await pgQuery(schemas.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
  });

  it('pivots over the parent rebuilt in the same build and reads columns and statement results', async () => {
    const schema = uniqueSchema('rs');
    schemas.push(schema);
    const c = pgConnection();
    const p = new TempProject(INTROSPECTION_FILES, {
      profile: `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: pg\n      host: ${proxy.host}\n      port: ${proxy.port}\n      user: ${c.user}\n      password: "{{ env_var('RS_PW') }}"\n      dbname: ${c.database}\n      sslmode: disable\n      schema: ${schema}\n      threads: 2\n`,
    });
    projects.push(p);
    const tsql = (args: string[]) => runCliAsync(args, p.dir, { RS_PW: c.password });
    ok(await tsql(['build']));
    p.write({ 'seeds/raw_orders.csv': ORDERS_CSV_RETURNED });
    const again = ok(await tsql(['build']));
    expect(again.stdout).toMatch(/pivot statuses: placed,returned,shipped/);
    expect(num(await pgQuery(`select * from "${schema}".status_pivot`))).toEqual([{ placed_amount: 15, returned_amount: 7, shipped_amount: 20, orders: 4 }]);
    expect(num(await pgQuery(`select * from "${schema}".order_stats`))).toEqual([{ top_amount: 20, order_count: 4, result_rows: 1 }]);
    expect(num(await pgQuery(`select kinds from "${schema}".orders_narrow limit 1`))).toEqual([{ kinds: 'id:n status:s amount:n' }]);
  });
});
