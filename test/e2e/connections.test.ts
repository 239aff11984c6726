/**
 * Per-model connections, with two real DuckDB files as the two outputs: the example
 * pipeline's `oltp` models and seed run on one, everything else on the target, and
 * the two meet only through the lake.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyExample, queryDuckDB, runCli, useProjects } from '../helpers/project.js';
import { expectUserError } from '../helpers/assert.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function exampleCopy(profile: string): { dir: string; run: (args: string[]) => ReturnType<typeof runCli> } {
  const dir = copyExample('tsql-conn-', profile);
  dirs.push(dir);
  return { dir, run: (args) => runCli(args, dir) };
}

const TWO_DUCKDBS = `user_behavior:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      threads: 2
      lake_root: lake
    oltp:
      type: duckdb
      path: shop.duckdb
      schema: public
      threads: 1
      lake_root: lake
`;

const ONE_DUCKDB = `user_behavior:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
      threads: 2
      lake_root: lake
`;

describe('the example pipeline across two connections', () => {
  it('runs the oltp seed and unload on the oltp output, the rest on the target, with the same result as one database', async () => {
    const two = exampleCopy(TWO_DUCKDBS);
    const r = two.run(['build', '--ds', '2024-01-03']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/and on duckdb .*shop\.duckdb.*connection 'oltp'/);
    expect(r.stdout).toMatch(/Done\. PASS=24 WARN=0 ERROR=0 SKIP=0 TOTAL=24/);

    // The shop's table is on the oltp file only; the warehouse has no copy of it.
    const shopTables = await queryDuckDB(join(two.dir, 'shop.duckdb'), `select table_schema, table_name from information_schema.tables order by 1, 2`);
    expect(shopTables).toEqual([{ table_schema: 'retail', table_name: 'user_purchase' }]);
    const whTables = await queryDuckDB(join(two.dir, 'warehouse.duckdb'), `select table_schema, table_name from information_schema.tables order by 1, 2`);
    expect(whTables.map((t) => `${t.table_schema}.${t.table_name}`)).toEqual([
      'main.movie_review',
      'main.user_behavior_metric',
      'spectrum.classified_movie_review_staging',
      'spectrum.user_purchase_staging',
    ]);

    const one = exampleCopy(ONE_DUCKDB);
    const r1 = one.run(['build', '--ds', '2024-01-03']);
    expect(r1.code, r1.stdout + r1.stderr).toBe(0);
    const metric = `select * from main.user_behavior_metric order by customerid`;
    const a = await queryDuckDB(join(two.dir, 'warehouse.duckdb'), metric);
    const b = await queryDuckDB(join(one.dir, 'warehouse.duckdb'), metric);
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });
});

describe('tsql debug', () => {
  it('checks every output the project runs on, not only the target', () => {
    const copy = exampleCopy(TWO_DUCKDBS);
    const r = copy.run(['debug']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^connection: duckdb .*warehouse\.duckdb.*\[OK connection ok\]$/m);
    expect(r.stdout).toMatch(/^connection 'oltp': duckdb .*shop\.duckdb.*\[OK connection ok\]$/m);
    expect(r.stdout).toMatch(/All checks passed!/);
  });
});

describe('connection errors', () => {
  const projects = useProjects();
  const profile = `shop:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse.duckdb
    oltp:
      type: duckdb
      path: oltp.duckdb
`;

  it('a ref between connections that does not go through the lake is a compile error naming both nodes', () => {
    const p = projects(
      {
        'models/orders.sql': "{{ config(connection='oltp', materialized='table') }}\nselect 1 as id",
        'models/report.sql': "select * from {{ ref('orders') }}",
      },
      { profile },
    );
    expectUserError(p, /models\/report\.sql: model 'report' \(on the target 'dev'\) reads model 'orders' \(on connection 'oltp'\): nodes on different connections can only meet through the lake/, ['run']);
    expect(existsSync(join(p.dir, 'warehouse.duckdb'))).toBe(false);
    expect(existsSync(join(p.dir, 'oltp.duckdb'))).toBe(false);
  });

  it('a connection name that looks like a typo of an output is an error with the suggestion', () => {
    const p = projects({ 'models/orders.sql': "{{ config(connection='oltpp') }}\nselect 1 as id" }, { profile });
    expectUserError(p, /models\/orders\.sql:\d+: connection 'oltpp' is not an output of profile 'shop' \(did you mean 'oltp'\?\)/, ['compile']);
  });

  it('a connection the profile does not have runs on the target', async () => {
    const p = projects({ 'models/orders.sql': "{{ config(connection='crm', materialized='table') }}\nselect 1 as id" }, {});
    const r = p.tsql(['run']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await p.query('select id from main.orders')).toEqual([{ id: 1 }]);
  });

  it('tests run on the connection of the node they test; a relationships test across connections is an error', () => {
    const p = projects(
      {
        'models/orders.sql': "{{ config(connection='oltp', materialized='table') }}\nselect 1 as id",
        'models/customers.sql': "{{ config(materialized='table') }}\nselect 1 as id",
        'models/schema.yml': `version: 2
models:
  - name: customers
    columns:
      - name: id
        data_tests:
          - relationships:
              arguments: {to: ref('orders'), field: id}
`,
      },
      { profile },
    );
    expectUserError(p, /test 'relationships_customers_id__id__ref_orders_' \(on the target 'dev'\) reads model 'orders' \(on connection 'oltp'\)/);
    expect(existsSync(join(p.dir, 'oltp.duckdb'))).toBe(false);
  });
});
