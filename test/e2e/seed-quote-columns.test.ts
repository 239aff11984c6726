import { describe, expect, it } from 'vitest';
import { LOCAL_ENGINES, output, useEngineProjects } from '../helpers/engines.js';

/** Seeds' quote_columns: false: column names as the engine gives unquoted ones, on DuckDB and PostgreSQL. */

const engineProject = useEngineProjects('qcol');

for (const engine of LOCAL_ENGINES) {
  describe(`quote_columns on ${engine}`, () => {
    it('false folds the names as an unquoted CREATE TABLE would; the default keeps them as written', async () => {
      const w = engineProject(engine, {
        'seeds/folded.csv': 'orderId,Amount,select\n1,10,x\n',
        'seeds/exact.csv': 'orderId,Amount\n1,10\n',
        'seeds/schema.yml': `seeds:\n  - name: folded\n    config:\n      quote_columns: false\n      column_types: {amount: integer}\n`,
        'models/m.sql': `select orderId + 1 as next_id, amount as amount from {{ ref('folded') }}`,
      });
      const r = w.tsql(['build']);
      expect(r.code, output(r)).toBe(0);
      expect(output(r)).not.toContain('quote_columns');
      const names = async (table: string) =>
        (await w.query(`select column_name from information_schema.columns where table_schema = '${w.schema}' and table_name = '${table}' order by ordinal_position`)).map((c) => String(c.column_name));
      expect(await names('folded')).toEqual(engine === 'postgres' ? ['orderid', 'amount', 'select'] : ['orderId', 'Amount', 'select']);
      expect(await names('exact')).toEqual(['orderId', 'Amount']);
      expect(await w.query('select next_id, amount from $s.m')).toEqual([{ next_id: 2, amount: 10 }]);
    });

    it('a header that is no plain name cannot be unquoted: an error naming the seed, nothing run', () => {
      const w = engineProject(engine, {
        'seeds/s.csv': 'Order Date,id\n2024-01-01,1\n',
        'tsql_project.yml': `name: shop\nprofile: shop\nseeds:\n  +quote_columns: false\n`,
      });
      const r = w.tsql(['seed']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("seeds/s.csv:1: seed 's': column 'Order Date' cannot be written unquoted (quote_columns: false)");
    });
  });
}
