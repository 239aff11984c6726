import { describe, expect, it } from 'vitest';
import { queryTable } from '../../src/templating/introspection/query-table.js';
import { numericType, stringType, TemplateColumn, translateType } from '../../src/templating/introspection/template-column.js';
import { NeedQuery, ReplayLog } from '../../src/templating/introspection/replay.js';
import { sandboxedMember } from '../../src/templating/jinja/sandbox.js';

describe('query tables (run_query results)', () => {
  const t = queryTable([
    { status: 'placed', n: 2n, at: new Date('2024-01-02T03:04:05Z') },
    { status: 'shipped', n: 1n, at: null },
  ]);

  it('reads rows by position and by name, columns by position and by name', () => {
    expect(t.length).toBe(2);
    expect([...t[0]]).toEqual(['placed', 2, '2024-01-02 03:04:05']);
    expect(t[1].status).toBe('shipped');
    expect((t.columns as unknown as Array<{ values(): unknown[] }>)[0].values()).toEqual(['placed', 'shipped']);
    expect((t.columns as unknown as Record<string, { values(): unknown[] }>).n.values()).toEqual([2, 1]);
    expect(t.column_names).toEqual(['status', 'n', 'at']);
  });

  it('is reachable through the template sandbox', () => {
    const columns = sandboxedMember(t, 'columns');
    const status = sandboxedMember(columns, 'status') as { values(): unknown[] };
    expect((sandboxedMember(status, 'values') as () => unknown[])()).toEqual(['placed', 'shipped']);
    expect(sandboxedMember(sandboxedMember(t, 0), 'status')).toBe('placed');
  });
});

describe('columns (get_columns_in_relation, api.Column)', () => {
  const q = (n: string) => `"${n}"`;
  it('parses sizes and classifies types as dbt does', () => {
    const s = new TemplateColumn('Name', 'character varying(40)', q);
    expect([s.dtype, s.data_type, s.string_size(), s.is_string(), s.is_number(), s.quoted]).toEqual(['character varying', 'character varying(40)', 40, true, false, '"Name"']);
    const d = new TemplateColumn('amount', 'DECIMAL(10,2)', q);
    expect([d.dtype, d.data_type, d.is_numeric(), d.is_number(), d.is_integer()]).toEqual(['decimal', 'decimal(10,2)', true, true, false]);
    expect(new TemplateColumn('id', 'BIGINT', q).is_integer()).toBe(true);
    expect(new TemplateColumn('x', 'double precision', q).is_float()).toBe(true);
    expect(() => new TemplateColumn('id', 'integer', q).string_size()).toThrow(/non-string/);
  });
});

describe("api.Column's class methods", () => {
  it("translate_type turns dbt's generic STRING into TEXT, as dbt-postgres, -redshift, -snowflake and -duckdb do; other names stay", () => {
    expect([translateType('STRING'), translateType('string'), translateType('INTEGER'), translateType('varchar(10)'), translateType('TIMESTAMP')]).toEqual(['TEXT', 'TEXT', 'INTEGER', 'varchar(10)', 'TIMESTAMP']);
  });

  it('string_type and numeric_type', () => {
    expect(stringType(10)).toBe('character varying(10)');
    expect([numericType('numeric', 10, 2), numericType('decimal', 10, null), numericType('number', undefined, 2)]).toEqual(['numeric(10,2)', 'decimal', 'number']);
  });
});

describe('the replay log', () => {
  it('answers in call order, asks what it does not know, and refuses a different question on replay', () => {
    const log = new ReplayLog();
    const ask = { kind: 'query' as const, sql: 'select 1', fetch: true };
    expect(() => log.answer(ask)).toThrow(NeedQuery);
    log.record(ask, { kind: 'query', rows: [{ a: 1 }], message: 'OK' });
    log.rewind();
    expect(log.answer(ask)).toMatchObject({ rows: [{ a: 1 }] });
    log.rewind();
    expect(() => log.answer({ ...ask, sql: 'select 2' })).toThrow(/different questions/);
  });
});
