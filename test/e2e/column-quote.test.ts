import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';
import { runCliAsync } from '../helpers/project.js';
import { useStandins } from '../helpers/standins.js';

/**
 * A column's `quote: true`: its name written quoted, exactly as named, in the
 * generic tests, the contract's table, the column comments persist_docs writes
 * and the unit tests' inputs; on DuckDB,
 * PostgreSQL and the Snowflake stand-in (where unquoted names fold to upper case).
 */

const engineProject = useEngineProjects('cquote');
const standins = useStandins('cquote');

const FILES = {
  'models/orders.sql': `{{ config(materialized='table') }}\nselect 1 as "orderId", cast(null as varchar) as "Order Date"`,
  'models/totals.sql': `select count("orderId") as n from {{ ref('orders') }}`,
  'models/schema.yml': `models:
  - name: orders
    config:
      contract: {enforced: true}
      persist_docs: {columns: true}
    columns:
      - name: orderId
        quote: true
        description: the order's id
        data_type: integer
        data_tests: [not_null, unique]
      - name: Order Date
        quote: true
        data_type: varchar
        data_tests:
          - not_null:
              config: {severity: warn}
unit_tests:
  - name: counts_orders
    model: totals
    given:
      - input: ref('orders')
        rows:
          - {orderId: 1}
          - {orderId: 2}
    expect:
      rows:
        - {n: 2}
`,
};

for (const engine of LOCAL_ENGINES) {
  describe(`a column's quote: true on ${engine}`, () => {
    it('is quoted in the tests (named as dbt names them), the contract, the column comments and the unit test; the manifest records it', async () => {
      const w = engineProject(engine, FILES);
      const r = w.tsql(['build']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).not.toContain("column property 'quote'");
      expect(output(r)).toMatch(/WARN 1 test not_null_orders__Order_Date_/);
      expect(output(r)).toMatch(/PASS test not_null_orders__orderId_/);
      expect(output(r)).toMatch(/PASS test unique_orders__orderId_/);
      expect(output(r)).toMatch(/PASS .*counts_orders/);
      const manifest = JSON.parse(readFileSync(join(w.p.dir, 'target', 'manifest.json'), 'utf8'));
      const test = Object.values(manifest.nodes as Record<string, { name: string; test_metadata?: { kwargs: Record<string, unknown> }; column_name?: string }>).find((n) => n.name === 'not_null_orders__orderId_')!;
      expect(test.test_metadata!.kwargs.column_name).toBe('"orderId"');
      expect(test.column_name).toBe('orderId');
      expect(manifest.nodes['model.shop.orders'].columns.orderId.quote).toBe(true);
      if (engine === 'postgres') {
        const comment = await w.query(`select col_description('$s.orders'::regclass, 1) as c`);
        expect(comment).toEqual([{ c: "the order's id" }]);
      }
    });
  });
}

describe("a column's quote: true on the Snowflake stand-in", () => {
  it('keeps the name exactly as written (not folded to upper case) in the tests, the contract, the column comments and the unit test', async () => {
    const w = standins.snowflake(FILES);
    const r = await runCliAsync(['build'], w.p.dir, w.env);
    expect(r.code, output(r)).toBe(0);
    expect(output(r)).toMatch(/PASS test not_null_orders__orderId_/);
    expect(output(r)).toMatch(/WARN 1 test not_null_orders__Order_Date_/);
    expect(output(r)).toMatch(/PASS .*counts_orders/);
    const cols = await w.query(`select column_name from information_schema.columns where table_schema = '${w.schema.toUpperCase()}' and table_name = 'ORDERS' order by ordinal_position`);
    expect(cols.map((c) => String(c.COLUMN_NAME ?? c.column_name))).toEqual(['orderId', 'Order Date']);
  });
});
