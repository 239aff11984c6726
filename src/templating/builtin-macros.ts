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
