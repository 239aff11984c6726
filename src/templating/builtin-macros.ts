/**
 * Macros every project has. A project overrides one by defining a macro with
 * the same name (as in dbt). Written in Jinja so users can read and copy them.
 */
export const BUILTIN_MACROS = `
{% macro default__generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ target.schema }}_{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{% macro generate_schema_name(custom_schema_name, node) -%}
  {{ adapter.dispatch('generate_schema_name')(custom_schema_name, node) }}
{%- endmacro %}

{% macro default__generate_alias_name(custom_alias_name, node) -%}
  {%- if custom_alias_name -%}{{ custom_alias_name | trim }}{%- else -%}{{ node.name }}{%- endif -%}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name, node) -%}
  {{ adapter.dispatch('generate_alias_name')(custom_alias_name, node) }}
{%- endmacro %}

{% macro default__generate_database_name(custom_database_name, node) -%}
  {%- if custom_database_name is none -%}{{ target.database }}{%- else -%}{{ custom_database_name | trim }}{%- endif -%}
{%- endmacro %}

{% macro generate_database_name(custom_database_name, node) -%}
  {{ adapter.dispatch('generate_database_name')(custom_database_name, node) }}
{%- endmacro %}

{% macro should_store_failures() -%}
  {%- set config_store_failures = config.get('store_failures') -%}
  {%- if config_store_failures is none -%}{%- set config_store_failures = flags.STORE_FAILURES -%}{%- endif -%}
  {{ return(config_store_failures) }}
{%- endmacro %}

{% macro should_full_refresh() -%}
  {%- set config_full_refresh = config.get('full_refresh') -%}
  {%- if config_full_refresh is none -%}{%- set config_full_refresh = flags.FULL_REFRESH -%}{%- endif -%}
  {{ return(config_full_refresh) }}
{%- endmacro %}

{#- dbt's way to set a model's sql_header from its body: {% call set_sql_header(config) %}...{% endcall %} -#}
{% macro set_sql_header(config) -%}
  {{ config.set('sql_header', caller()) }}
{%- endmacro %}

{% macro generate_schema_name_for_env(custom_schema_name, node) -%}
  {%- if target.name == 'prod' and custom_schema_name is not none -%}{{ custom_schema_name | trim }}{%- else -%}{{ target.schema }}{%- endif -%}
{%- endmacro %}
`;

/** Names whose built-in behaviour the compiler computes natively when a project does not override them. */
export const NAMING_MACROS = [
  'generate_schema_name',
  'default__generate_schema_name',
  'generate_alias_name',
  'default__generate_alias_name',
  'generate_database_name',
  'default__generate_database_name',
];

/**
 * Built-in generic tests. Each returns the failing rows; an engine or a
 * project overrides one through dispatch (`duckdb__test_not_null`,
 * `default__test_not_null`) or by defining `test_not_null` itself.
 */
export const BUILTIN_TESTS = `
{% test not_null(model, column_name) %}{{ return(adapter.dispatch('test_not_null')(model, column_name)) }}{% endtest %}
{% macro default__test_not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endmacro %}

{% test unique(model, column_name) %}{{ return(adapter.dispatch('test_unique')(model, column_name)) }}{% endtest %}
{% macro default__test_unique(model, column_name) %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endmacro %}

{% test accepted_values(model, column_name, values, quote=true) %}{{ return(adapter.dispatch('test_accepted_values')(model, column_name, values, quote)) }}{% endtest %}
{% macro default__test_accepted_values(model, column_name, values, quote=true) %}
select {{ column_name }} as value_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
    {%- for value in values -%}
      {%- if quote -%}'{{ value | string | replace("'", "''") }}'{%- else -%}{{ value }}{%- endif -%}
      {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
  )
group by {{ column_name }}
{% endmacro %}

{% test relationships(model, column_name, to, field) %}{{ return(adapter.dispatch('test_relationships')(model, column_name, to, field)) }}{% endtest %}
{% macro default__test_relationships(model, column_name, to, field) %}
with child as (
  select {{ column_name }} as from_field
  from {{ model }}
  where {{ column_name }} is not null
),
parent as (
  select {{ field }} as to_field
  from {{ to }}
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endmacro %}

{% test expression_is_true(model, expression, column_name=none) %}{{ return(adapter.dispatch('test_expression_is_true')(model, expression, column_name)) }}{% endtest %}
{% macro default__test_expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not ({% if column_name is not none %}{{ column_name }} {% endif %}{{ expression }})
{% endmacro %}

{% test not_empty(model, column_name=none) %}{{ return(adapter.dispatch('test_not_empty')(model, column_name)) }}{% endtest %}
{% macro default__test_not_empty(model, column_name=none) %}
select 1 as empty_relation
from (select count(*) as n from {{ model }}) as counted
where counted.n = 0
{% endmacro %}

{% test unique_combination_of_columns(model, combination_of_columns) %}{{ return(adapter.dispatch('test_unique_combination_of_columns')(model, combination_of_columns)) }}{% endtest %}
{% macro default__test_unique_combination_of_columns(model, combination_of_columns) %}
select {{ combination_of_columns | join(', ') }}, count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endmacro %}
`;

/** Test namespaces that resolve to tsql's built-ins (dbt_utils' generic tests are built in). */
export const BUILTIN_TEST_NAMESPACES = ['dbt', 'dbt_utils', 'tsql'];
