/**
 * Golden SQL: what each cross-database macro emits per engine (dispatch order
 * `<engine>__`, the parent engine's, `default__`, as the compiler uses it).
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { CROSS_DB_MACRO_FILES, CROSS_DB_MACRO_NAMES } from '../../src/templating/cross-db/index.js';
import { dbtNamespace } from '../../src/templating/dbt-namespace.js';
import { createEnvironment, MacroReturn } from '../../src/templating/environment.js';
import { MacroRegistry } from '../../src/templating/macros.js';

const ENGINES: Record<string, string[]> = { duckdb: ['duckdb'], postgres: ['postgres'], redshift: ['redshift', 'postgres'], snowflake: ['snowflake'] };

function renderer(engine: string): (template: string) => string {
  const env = createEnvironment();
  const macros = new MacroRegistry(env);
  env.addGlobal('return', (v: unknown) => {
    throw new MacroReturn(v);
  });
  env.addGlobal('exceptions', {
    raise_compiler_error: (m: unknown) => {
      throw new UserError(String(m));
    },
  });
  env.addGlobal('adapter', { dispatch: (name: string) => macros.dispatch(name, ENGINES[engine])!.fn, type: () => engine });
  env.addGlobal('target', { type: engine });
  env.addGlobal('dbt', dbtNamespace((n) => macros.get(n)?.fn, () => macros.builtinNames()));
  for (const f of CROSS_DB_MACRO_FILES) expect(macros.loadFile(f.text, f.file, true)).toEqual([]);
  return (template) => env.renderString(template, {}).replace(/\s+/g, ' ').trim();
}

const CASES: Array<[string, Record<string, string>]> = [
  [
    `{{ dbt.dateadd('day', 1, 'd') }}`,
    { duckdb: `(d + ((1) * interval '1 day'))`, postgres: `(d + ((1) * interval '1 day'))`, redshift: 'dateadd(day, 1, d)', snowflake: 'dateadd(day, 1, d)' },
  ],
  [
    `{{ dateadd(datepart='quarter', interval=2, from_date_or_timestamp='d') }}`,
    { duckdb: `(d + ((2) * interval '3 months'))`, postgres: `(d + ((2) * interval '3 months'))`, redshift: 'dateadd(quarter, 2, d)', snowflake: 'dateadd(quarter, 2, d)' },
  ],
  [
    `{{ dbt.datediff('a', 'b', 'month') }}`,
    {
      duckdb: `date_diff('month', a, b)`,
      postgres: `cast((date_part('year', (b)::date) - date_part('year', (a)::date)) * 12 + date_part('month', (b)::date) - date_part('month', (a)::date) as bigint)`,
      redshift: 'datediff(month, a, b)',
      snowflake: 'datediff(month, a, b)',
    },
  ],
  [`{{ dbt.type_string() }}`, { duckdb: 'varchar', postgres: 'text', redshift: 'varchar', snowflake: 'varchar' }],
  [`{{ dbt.type_float() }}`, { duckdb: 'double', postgres: 'float', redshift: 'float', snowflake: 'float' }],
  [`{{ dbt.type_timestamp() }}`, { duckdb: 'timestamp', postgres: 'timestamp', redshift: 'timestamp', snowflake: 'timestamp_ntz' }],
  [`{{ dbt.current_timestamp() }}`, { duckdb: 'current_timestamp', postgres: 'now()', redshift: 'getdate()', snowflake: 'current_timestamp()' }],
  [`{{ dbt.concat(['a', 'b']) }}`, { duckdb: 'concat(a, b)', postgres: 'concat(a, b)', redshift: 'a || b', snowflake: 'concat(a, b)' }],
  [`{{ dbt.safe_cast('x', 'integer') }}`, { duckdb: 'try_cast(x as integer)', postgres: 'cast(x as integer)', redshift: 'cast(x as integer)', snowflake: 'try_cast(cast(x as varchar) as integer)' }],
  [
    `{{ dbt.split_part('s', "','", -1) }}`,
    {
      duckdb: `split_part(s, ',', -1)`,
      postgres: `split_part(s, ',', cast((length(s) - length(replace(s, ',', ''))) / length(',') + 2 + (-1) as integer))`,
      redshift: `split_part(s, ',', cast((length(s) - length(replace(s, ',', ''))) / length(',') + 2 + (-1) as integer))`,
      snowflake: `split_part(s, ',', -1)`,
    },
  ],
  [
    `{{ dbt.listagg('s', "','", 'order by s') }}`,
    { duckdb: `string_agg(s, ',' order by s)`, postgres: `string_agg(s, ',' order by s)`, redshift: `listagg(s, ',') within group (order by s)`, snowflake: `listagg(s, ',') within group (order by s)` },
  ],
  [`{{ dbt.any_value('x') }}`, { duckdb: 'any_value(x)', postgres: 'min(x)', redshift: 'any_value(x)', snowflake: 'any_value(x)' }],
  [`{{ dbt.bool_or('x') }}`, { duckdb: 'bool_or(x)', postgres: 'bool_or(x)', redshift: 'bool_or(x)', snowflake: 'boolor_agg(x)' }],
  [`{{ dbt.last_day('d', 'month') }}`, { duckdb: `cast(((date_trunc('month', d) + ((1) * interval '1 month')) + ((-1) * interval '1 day')) as date)`, postgres: `cast(((date_trunc('month', d) + ((1) * interval '1 month')) + ((-1) * interval '1 day')) as date)`, redshift: `cast(dateadd(day, -1, dateadd(month, 1, date_trunc('month', d))) as date)`, snowflake: `last_day(d, 'month')` }],
  [`select 1 {{ dbt.except() }} select 2 {{ intersect() }} select 3`, { duckdb: 'select 1 except select 2 intersect select 3', postgres: 'select 1 except select 2 intersect select 3', redshift: 'select 1 except select 2 intersect select 3', snowflake: 'select 1 except select 2 intersect select 3' }],
  [`{{ dbt.string_literal("o'k") }}`, { duckdb: `'o''k'`, postgres: `'o''k'`, redshift: `'o''k'`, snowflake: `'o''k'` }],
  [`{{ dbt.date(2024, 3, 5) }}`, { duckdb: `cast('2024-03-05' as date)`, postgres: `cast('2024-03-05' as date)`, redshift: `cast('2024-03-05' as date)`, snowflake: `cast('2024-03-05' as date)` }],
  [
    `{{ dbt.array_construct([1, 2]) }} {{ dbt.array_construct([]) }}`,
    { duckdb: '[1, 2] cast([] as integer[])', postgres: 'array[1, 2] cast(array[] as integer[])', redshift: 'array(1, 2) array()', snowflake: 'array_construct(1, 2) array_construct()' },
  ],
  [`{{ dbt.get_powers_of_two(1) }} {{ get_powers_of_two(4) }} {{ dbt.get_powers_of_two(upper_bound=5) }} {{ dbt.get_powers_of_two(1000) }}`, { duckdb: '1 2 3 10', postgres: '1 2 3 10', redshift: '1 2 3 10', snowflake: '1 2 3 10' }],
  [
    `{{ dbt.generate_series(5) }}`,
    { duckdb: 'select generated_number from generate_series(1, 5) as tsql_series(generated_number)', postgres: 'select generated_number from generate_series(1, 5) as tsql_series(generated_number)', redshift: 'select generated_number from ( select d0.digit * 1 + d1.digit * 2 + d2.digit * 4 + 1 as generated_number from (select 0 as digit union all select 1) as d0 cross join (select 0 as digit union all select 1) as d1 cross join (select 0 as digit union all select 1) as d2 ) as tsql_series where generated_number <= 5', snowflake: 'select generated_number from ( select d0.digit * 1 + d1.digit * 2 + d2.digit * 4 + 1 as generated_number from (select 0 as digit union all select 1) as d0 cross join (select 0 as digit union all select 1) as d1 cross join (select 0 as digit union all select 1) as d2 ) as tsql_series where generated_number <= 5' },
  ],
];

describe('cross-database macros: golden SQL per engine', () => {
  for (const engine of Object.keys(ENGINES)) {
    it(engine, () => {
      const render = renderer(engine);
      for (const [template, expected] of CASES) {
        expect(render(template), template).toBe(expected[engine]);
      }
    });
  }

  it('offers every top-level macro through dbt.x, and a clear error for any other name', () => {
    const render = renderer('duckdb');
    expect(CROSS_DB_MACRO_NAMES).toContain('current_timestamp_in_utc_backcompat');
    expect(CROSS_DB_MACRO_NAMES.some((n) => n.includes('__'))).toBe(false);
    expect(() => render(`{{ dbt.type_strng() }}`)).toThrow(/'dbt\.type_strng' is not a macro of the dbt namespace/);
  });

  it('get_powers_of_two refuses a bound that is not positive', () => {
    expect(() => renderer('postgres')(`{{ dbt.generate_series(0) }}`)).toThrow(/get_powers_of_two: the upper bound must be positive, got 0/);
  });

  it('a macro keeps its variables after calling a macro of its own file that returns', () => {
    const env = createEnvironment();
    const macros = new MacroRegistry(env);
    env.addGlobal('return', (v: unknown) => {
      throw new MacroReturn(v);
    });
    const file = `{% macro inner(x) %}{{ return(x * 2) }}{% endmacro %}
{% macro outer(x) %}{% set mine = 'kept' %}{{ inner(x) }} {{ mine }}{% call caller_user() %}{{ inner(1) }}{% endcall %} {{ mine }}{% endmacro %}
{% macro caller_user() %}[{{ caller() }}]{% endmacro %}`;
    expect(macros.loadFile(file, 'm.sql', false)).toEqual([]);
    expect(env.renderString('{{ outer(2) }}', {})).toBe('4 kept[2] kept');
  });

  it('listagg with limit_num is an error on Redshift', () => {
    expect(() => renderer('redshift')(`{{ dbt.listagg('s', "','", 'order by s', 2) }}`)).toThrow(/limit_num is not supported on redshift/);
  });
});
