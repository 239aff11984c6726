import { describe, expect, it } from 'vitest';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';
import { SnowflakeDialect } from '../../src/adapters/snowflake/dialect.js';
import { canonicalTypeName, typeSatisfies } from '../../src/adapters/type-names.js';

describe('contract type comparison', () => {
  const ansi = (t: string) => canonicalTypeName(t);
  it('folds aliases and keeps parameters', () => {
    for (const t of ['int', 'INT4', 'integer', ' Integer ']) expect(ansi(t)).toBe('integer');
    for (const t of ['text', 'varchar', 'character varying', 'STRING']) expect(ansi(t)).toBe('varchar');
    expect(ansi('DECIMAL( 12 , 2 )')).toBe('numeric(12,2)');
    expect(ansi('timestamp without time zone')).toBe('timestamp');
  });
  it('matches a bare type against a parameterised one, but not differing parameters', () => {
    expect(typeSatisfies('varchar', 'character varying(20)', ansi)).toBe(true);
    expect(typeSatisfies('numeric(12,2)', 'numeric', ansi)).toBe(true);
    expect(typeSatisfies('numeric(10,2)', 'DECIMAL(12,2)', ansi)).toBe(false);
    expect(typeSatisfies('integer', 'VARCHAR', ansi)).toBe(false);
    expect(typeSatisfies('int', 'bigint', ansi)).toBe(false);
  });
  it('is engine-aware: Snowflake integers are NUMBER(38,0)', () => {
    const sf = new SnowflakeDialect();
    expect(typeSatisfies('integer', 'NUMBER(38,0)', (t) => sf.canonicalType(t))).toBe(true);
    expect(typeSatisfies('integer', 'NUMBER(38,0)', (t) => new DuckDBDialect().canonicalType(t))).toBe(false);
  });
  it('renders declared types and constraints', () => {
    const d = new DuckDBDialect();
    expect(
      d.createContractedTable({ schema: 'main', identifier: 'o' }, [{ name: 'id', dataType: 'int' }, { name: 'a', dataType: 'text' }], [
        { type: 'not_null', columns: ['id'] },
        { type: 'primary_key', columns: ['id'] },
        { type: 'check', columns: ['a'], expression: "a <> ''", name: 'a_set' },
        { type: 'foreign_key', columns: ['id'], references: '"main"."p"', toColumns: ['pid'] },
      ]),
    ).toBe(`create table "main"."o" (\n  "id" int not null,\n  "a" text,\n  primary key ("id"),\n  constraint "a_set" check (a <> ''),\n  foreign key ("id") references "main"."p" ("pid")\n)`);
  });
});
