/**
 * `tsql docs generate` on Snowflake: the stand-in (test/snowflake-standin)
 * behind the real snowflake-sdk. The catalog comes from information_schema
 * (types, positions, owner, row counts Snowflake keeps); lineage matches the
 * SQL's lower-case names with the catalog's folded ones.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliAsync, TempProject } from '../helpers/project.js';
import { uniqueSchema } from '../helpers/pg-server.js';
import { standinProfile } from '../helpers/snowflake.js';
import { createDuckDBEngine } from '../snowflake-standin/engine.js';
import type { Engine } from '../snowflake-standin/engine-types.js';
import { startSnowflakeStandin, type SnowflakeStandin } from '../snowflake-standin/server.js';

const PASSWORD_ENV = 'TSQL_TEST_SF_PASSWORD';
const PASSWORD = 'sf-Docs-7q2w';
let root = '';
let engine: Engine;
let standin: SnowflakeStandin;
let p: TempProject | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tsql-sf-docs-'));
  mkdirSync(join(root, 'lake'));
  engine = await createDuckDBEngine({ directory: join(root, 'engine'), stages: { LAKE_STAGE: join(root, 'lake') } });
  standin = await startSnowflakeStandin({ engine, users: { tsql: PASSWORD } });
});

afterAll(async () => {
  await standin?.close();
  await engine?.close();
  p?.cleanup();
  rmSync(root, { recursive: true, force: true });
});

it('writes catalog.json from information_schema, with row counts, and lineage on the folded names', async () => {
  const schema = uniqueSchema('docs');
  p = new TempProject(
    {
      'seeds/prices.csv': 'id,amount\n1,2.50\n2,3.75\n3,1.00\n',
      'models/priced.sql': "{{ config(materialized='table') }}\nselect id, amount * 2 as doubled from {{ ref('prices') }}",
      'models/priced_view.sql': "select p.*, 'x' as tag from {{ ref('priced') }} p",
      'models/schema.yml': 'version: 2\nseeds:\n  - name: prices\n    config:\n      column_types: {id: integer, amount: "number(10, 2)"}\n',
    },
    { profile: standinProfile(standin, { database: 'TSQL_TEST', schema, passwordEnv: PASSWORD_ENV }) },
  );
  const env = { [PASSWORD_ENV]: PASSWORD };
  const b = await runCliAsync(['build'], p.dir, env);
  expect(b.code, b.stdout + b.stderr).toBe(0);
  const r = await runCliAsync(['docs', 'generate'], p.dir, env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(/Catalog: 3 of 3 relations found/);
  expect(r.stdout).toMatch(/Lineage: 2 of 2 models traced to their columns/);

  const catalog = JSON.parse(readFileSync(join(p.dir, 'target', 'catalog.json'), 'utf8'));
  const seed = catalog.nodes['seed.shop.prices'];
  expect(seed.metadata).toMatchObject({ type: 'BASE TABLE', schema: schema.toUpperCase(), name: 'PRICES', owner: 'SYSADMIN' });
  expect(String(seed.metadata.database).toUpperCase()).toBe('TSQL_TEST');
  expect(seed.columns).toEqual({
    ID: { type: 'NUMBER(38,0)', index: 1, name: 'ID', comment: null },
    AMOUNT: { type: 'NUMBER(10,2)', index: 2, name: 'AMOUNT', comment: null },
  });
  expect(seed.stats.row_count).toMatchObject({ value: 3, label: 'Row Count' });
  expect(catalog.nodes['model.shop.priced'].stats.row_count.value).toBe(3);
  expect(catalog.nodes['model.shop.priced_view'].metadata.type).toBe('VIEW');

  const l = JSON.parse(readFileSync(join(p.dir, 'target', 'lineage.json'), 'utf8'));
  expect(l.nodes['model.shop.priced_view'].columns.map((c: { name: string; upstream: Array<{ node: string; column: string }> }) => [c.name, c.upstream.map((u) => `${u.node}.${u.column}`)])).toEqual([
    ['ID', ['model.shop.priced.ID']],
    ['DOUBLED', ['model.shop.priced.DOUBLED']],
    ['TAG', []],
  ]);
  expect(l.nodes['model.shop.priced'].columns[1]).toMatchObject({ name: 'DOUBLED', via: 'transformed', upstream: [{ node: 'seed.shop.prices', column: 'AMOUNT' }] });
});
