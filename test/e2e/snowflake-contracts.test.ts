/**
 * Contracts and insert_overwrite on the Snowflake stand-in (test/snowflake-standin)
 * behind the real snowflake-sdk; the CLI runs without blocking this process (runCliAsync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, TempProject } from '../helpers/project.js';
import { uniqueSchema } from '../helpers/pg-server.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { sfClient, type SfClient, standinProfile } from '../helpers/snowflake.js';

const PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const PASSWORD = 'sf-Secret-7c2q';
const DATABASE = 'TSQL_TEST';
const projects: TempProject[] = [];
let root = '';
let engine: Engine;
let standin: SnowflakeStandin;
let client: SfClient;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-sfc-'));
  engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: {} });
  standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
  client = await sfClient(standin, { user: 'tsql', password: PASSWORD, database: DATABASE });
});

afterAll(async () => {
  await client?.close();
  await standin?.close();
  await engine?.close();
  for (const p of projects) p.cleanup();
  rmSync(root, { recursive: true, force: true });
});

function sfProject(files: Record<string, string>) {
  const schema = uniqueSchema('sfc');
  const profile = standinProfile(standin, { database: DATABASE, schema, passwordEnv: PASSWORD_ENV });
  const p = new TempProject(files, { profile });
  projects.push(p);
  return {
    p,
    tsql: (args: string[]) => runCliAsync(args, p.dir, { [PASSWORD_ENV]: PASSWORD }),
    rows: (sql: string) => client.query(sql.replaceAll('$schema', `${DATABASE}."${schema.toUpperCase()}"`)),
  };
}

const YAML = (idType: string, extra = '') => `version: 2
models:
  - name: orders
    config:
      contract: {enforced: true}
    columns:
      - name: id
        data_type: ${idType}
        constraints:
          - type: not_null
          - type: primary_key
${extra}      - name: status
        data_type: varchar
`;

describe('model contracts on the Snowflake stand-in', () => {
  it('builds with the declared types (primary key declared, with a warning), twice; a string id fails with the diff and keeps the rows', async () => {
    const t = sfProject({ 'models/orders.sql': `{{ config(materialized='table') }} select 1 as id, 'paid' as status union all select 2, 'open'`, 'models/schema.yml': YAML('integer') });
    const first = await t.tsql(['run']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout + first.stderr).toMatch(/models\/schema\.yml:11: .*primary_key constraint on column 'id' is declared but not enforced by snowflake/);
    expect((await t.tsql(['run'])).code).toBe(0);
    expect(await t.rows('select id, status from $schema.orders order by id')).toEqual([
      { id: 1, status: 'paid' },
      { id: 2, status: 'open' },
    ]);
    t.p.write({ 'models/orders.sql': `{{ config(materialized='table') }} select 'x' as id, 'paid' as status` });
    const bad = await t.tsql(['run']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\| id +\| VARCHAR\S* +\| integer +\| data type mismatch +\|/);
    expect((await t.rows('select count(*) as n from $schema.orders'))[0]).toEqual({ n: 2 });
  });

  it('a check constraint cannot be declared on Snowflake: exit 2 naming the line', async () => {
    const t = sfProject({
      'models/orders.sql': `{{ config(materialized='table') }} select 1 as id, 'paid' as status`,
      'models/schema.yml': YAML('integer', `      - name: amount\n        data_type: integer\n        constraints:\n          - type: check\n            expression: "amount > 0"\n`),
    });
    const r = await t.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/schema.yml:15: model 'orders': check constraint on column 'amount' cannot be declared on snowflake");
  });

  it('insert_overwrite replaces the touched partitions', async () => {
    const model = `{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partition_by='day') }}
{% if is_incremental() %} select 'd2' as day, 20 as v union all select 'd3', 30
{% else %} select 'd1' as day, 1 as v union all select 'd2', 2 union all select 'd3', 3 {% endif %}`;
    const t = sfProject({ 'models/events.sql': model });
    expect((await t.tsql(['run'])).code).toBe(0);
    expect((await t.tsql(['run'])).code).toBe(0);
    expect((await t.tsql(['run'])).code).toBe(0);
    expect(await t.rows('select day, v from $schema.events order by day')).toEqual([
      { day: 'd1', v: 1 },
      { day: 'd2', v: 20 },
      { day: 'd3', v: 30 },
    ]);
  });
});
