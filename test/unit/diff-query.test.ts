import { afterAll, describe, expect, it } from 'vitest';
import { PostgresDialect } from '../../src/adapters/postgres/dialect.js';
import { RedshiftDialect } from '../../src/adapters/redshift/dialect.js';
import type { Dialect } from '../../src/adapters/types.js';
import { diffQuery, readFigures, type DiffQueryInput } from '../../src/diff/diff-query.js';
import { pgQuery, uniqueSchema } from '../helpers/pg-server.js';

/**
 * The diff query's primitives, run on the test PostgreSQL server: Redshift's
 * distinctFrom (it has no IS DISTINCT FROM) must give Postgres's answers, and
 * the whole query as Redshift's dialect renders it must count the same.
 */
const DIALECTS: Array<[string, Dialect]> = [
  ['postgres', new PostgresDialect()],
  ['redshift', new RedshiftDialect({ database: 'shop' })],
];

describe('distinctFrom is NULL-safe', () => {
  const pairs: Array<[string, string, boolean]> = [
    ['1', '1', false],
    ['1', '2', true],
    ['1', 'null', true],
    ['null', '1', true],
    ['null', 'null', false],
  ];
  for (const [name, d] of DIALECTS) {
    it(name, async () => {
      const sql = pairs.map(([a, b], i) => `select ${i} as i, (${d.distinctFrom(`cast(${a} as integer)`, `cast(${b} as integer)`)}) as differs`).join(' union all ');
      const rows = await pgQuery(`${sql} order by i`);
      expect(rows.map((r) => r.differs)).toEqual(pairs.map((p) => p[2]));
    });
  }
});

describe('the diff query counts the same with every dialect', () => {
  const schema = uniqueSchema('diffq');
  afterAll(async () => {
    await pgQuery(`drop schema if exists "${schema}" cascade`);
  });
  for (const [name, d] of DIALECTS) {
    it(name, async () => {
      await pgQuery(`create schema if not exists "${schema}";
        drop table if exists "${schema}".a; drop table if exists "${schema}".b;
        create table "${schema}".a as select * from (values (1, 'x'), (2, 'y'), (3, null), (3, 'z'), (5, null)) t(k, v);
        create table "${schema}".b as select * from (values (1, 'x'), (2, null), (4, 'w'), (5, null), (null, 'n')) t(k, v)`);
      const input: DiffQueryInput = {
        prod: { schema, identifier: 'a' },
        pr: { schema, identifier: 'b' },
        key: [{ prod: 'k', pr: 'k' }],
        compare: [{ prod: 'v', pr: 'v' }],
      };
      const [row] = await pgQuery(diffQuery(d, input));
      expect(readFigures(row, input)).toEqual({
        prodRows: 5,
        prRows: 5,
        keyed: {
          added: 1,
          removed: 0,
          changed: 1,
          changedByColumn: [1],
          duplicateKeys: { prod: 1, pr: 0 },
          duplicateKeyRows: { prod: 2, pr: 0 },
          nullKeyRows: { prod: 0, pr: 1 },
        },
      });
    });
  }
});
