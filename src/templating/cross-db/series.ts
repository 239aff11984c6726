/**
 * dbt's series macros (`dbt.generate_series`, `dbt.date_spine`, …), per engine
 * through adapter.dispatch, written in Jinja so users can read and override them.
 *
 * - get_powers_of_two(n): the fewest binary digits that count to n (n > 0).
 * - generate_series(n): rows 1 … n in a column `generated_number`; PostgreSQL and
 *   DuckDB use their own generate_series, the others cross-join n binary digits
 *   (Redshift's generate_series runs on its leader node only; no nested WITH, which
 *   Redshift refuses inside a WITH subquery).
 * - get_intervals_between(start, end, datepart): how many dateparts lie between two
 *   dates, asked of the warehouse when the model runs (1 while only compiling, as in dbt).
 * - date_spine(datepart, start, end): one row per datepart from start, as many as
 *   get_intervals_between counts (so the end is excluded), in a column `date_<datepart>`.
 */
export const SERIES_MACROS = `
{% macro get_powers_of_two(upper_bound) -%}
  {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__get_powers_of_two(upper_bound) -%}
  {%- set n = upper_bound | int -%}
  {%- if n <= 0 -%}
  {{ exceptions.raise_compiler_error("get_powers_of_two: the upper bound must be positive, got " ~ upper_bound) }}
  {%- endif -%}
  {%- set digits = namespace(count=1) -%}
  {%- for _ in range(1, 100) -%}
  {%- if 2 ** digits.count < n %}{% set digits.count = digits.count + 1 %}{% endif -%}
  {%- endfor -%}
  {{ return(digits.count) }}
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
  {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}
{% macro default__generate_series(upper_bound) -%}
  {%- set digits = dbt.get_powers_of_two(upper_bound) -%}
  select generated_number from (
    select {% for i in range(digits) %}d{{ i }}.digit * {{ 2 ** i }} + {% endfor %}1 as generated_number
    from {% for i in range(digits) %}(select 0 as digit union all select 1) as d{{ i }}{% if not loop.last %} cross join {% endif %}{% endfor %}
  ) as tsql_series
  where generated_number <= {{ upper_bound }}
{%- endmacro %}
{% macro postgres__generate_series(upper_bound) -%}
  {%- do dbt.get_powers_of_two(upper_bound) -%}
  select generated_number from generate_series(1, {{ upper_bound }}) as tsql_series(generated_number)
{%- endmacro %}
{% macro duckdb__generate_series(upper_bound) -%}
  {{ return(postgres__generate_series(upper_bound)) }}
{%- endmacro %}
{% macro redshift__generate_series(upper_bound) -%}
  {{ return(default__generate_series(upper_bound)) }}
{%- endmacro %}

{% macro get_intervals_between(start_date, end_date, datepart) -%}
  {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}
{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
  {%- call statement('get_intervals_between', fetch_result=True) -%}
    select {{ dbt.datediff(start_date, end_date, datepart) }} as intervals
  {%- endcall -%}
  {%- set result = load_result('get_intervals_between') -%}
  {%- if result and result['data'] -%}
  {{ return(result['data'][0][0] | int) }}
  {%- else -%}
  {{ return(1) }}
  {%- endif -%}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
  {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) -%}
  {%- set part = datepart | string | replace("'", "") | trim -%}
  select date_{{ part }} from (
    select {{ dbt.dateadd(part, 'tsql_series.generated_number - 1', start_date) }} as date_{{ part }}
    from ({{ dbt.generate_series(dbt.get_intervals_between(start_date, end_date, part)) }}) as tsql_series
  ) as tsql_spine
  where date_{{ part }} <= {{ end_date }}
{%- endmacro %}
`;
