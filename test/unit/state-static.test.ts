import { describe, expect, it } from 'vitest';
import { inlineConfig } from '../../src/compiler/unrendered-config.js';
import { emptyRelationSql, resolveSubqueryAliases } from '../../src/compiler/empty.js';
import { calledMacros, macroSources } from '../../src/templating/macro-source.js';
import { DuckDBDialect } from '../../src/adapters/duckdb/dialect.js';

describe('inlineConfig: config() as written', () => {
  it('keeps literals as values and anything rendered as its expression text', () => {
    const text = `{{ config(materialized='table', alias=env_var('A', 'x') ~ '_y', tags=['a', "b"], full_refresh=false, batch=3) }}
{{ config(schema=target.name) }} select 1`;
    expect(inlineConfig(text)).toEqual({
      materialized: 'table',
      alias: { expression: "env_var('A', 'x') ~ '_y'" },
      tags: ['a', 'b'],
      full_refresh: false,
      batch: 3,
      schema: { expression: 'target.name' },
    });
  });

  it('is the same text whatever the environment renders, and changes when the call changes', () => {
    expect(inlineConfig(`{{ config(alias=target.name) }}`)).toEqual(inlineConfig(`{{config( alias = target.name )}}`));
    expect(inlineConfig(`{{ config(alias=target.name) }}`)).not.toEqual(inlineConfig(`{{ config(alias=target.schema) }}`));
  });
});

describe('macro sources and calls, found statically', () => {
  it('splits a file into its macros and test blocks', () => {
    const m = macroSources(`{% macro a(x) %}{{ b() }}{% endmacro %}\n{%- test positive(model, column_name) -%}select 1{%- endtest -%}`);
    expect([...m.keys()]).toEqual(['a', 'test_positive']);
    expect(m.get('a')).toBe('{% macro a(x) %}{{ b() }}{% endmacro %}');
  });

  it('finds calls inside Jinja only, including under a branch and through dispatch', () => {
    const known = new Set(['cents', 'prod_only', 'default__fmt', 'duckdb__fmt', 'select']);
    const text = `select cents(1) from t {# cents() #} {{ cents('a') }} {% if target.name == 'prod' %}{{ prod_only() }}{% endif %} {{ adapter.dispatch('fmt')() }}`;
    expect(calledMacros(text, known)).toEqual(['cents', 'default__fmt', 'duckdb__fmt', 'prod_only']);
  });
});

describe('--empty subqueries keep the relation name usable', () => {
  const d = new DuckDBDialect();
  const rel = emptyRelationSql(d, { database: 'db', schema: 'main', identifier: 'orders' });
  const cases: Array<[string, string]> = [
    [`select orders.id from ${rel}`, 'select orders.id from (select * from "db"."main"."orders" where false limit 0) orders'],
    [`select o.id from ${rel} o`, 'select o.id from (select * from "db"."main"."orders" where false limit 0) o'],
    [`select o.id from ${rel} AS o`, 'select o.id from (select * from "db"."main"."orders" where false limit 0) AS o'],
    [`select * from ${rel}\nwhere id > 1`, 'select * from (select * from "db"."main"."orders" where false limit 0) orders\nwhere id > 1'],
    [`select * from ${rel} left join x on true`, 'select * from (select * from "db"."main"."orders" where false limit 0) orders left join x on true'],
    [`select * from ${rel}) t`, 'select * from (select * from "db"."main"."orders" where false limit 0) orders) t'],
  ];
  for (const [input, want] of cases) it(want, () => expect(resolveSubqueryAliases(input)).toBe(want));

  it('quotes an alias that is not a plain lower-case name', () => {
    expect(resolveSubqueryAliases(`from ${emptyRelationSql(d, { schema: 's', identifier: 'Orders' })}`)).toBe('from (select * from "s"."Orders" where false limit 0) "Orders"');
  });
});

describe('calledMacros: dbt namespace, filters and string arguments', () => {
  it('counts dbt.x( and x(, not | x( filters nor SQL inside string arguments', () => {
    const known = new Set(['dateadd', 'replace', 'cast', 'length', 'hash']);
    const text = `{{ dbt.dateadd('day', 1, "cast(x as date)") }} {{ 'a' | replace('a', 'b') }} {{ xs | length }} {{ foo.hash(1) }} {{ dbt.length('x') }}`;
    expect(calledMacros(text, known)).toEqual(['dateadd', 'length']);
  });
});
