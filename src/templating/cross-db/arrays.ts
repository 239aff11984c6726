/** dbt's cross-database array macros (`dbt.array_construct`, …), per engine. */
export const ARRAY_MACROS = `
{% macro array_construct(inputs=[], data_type=none) -%}
  {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type if data_type is not none else type_int())) }}
{%- endmacro %}
{% macro default__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}array[{{ inputs | join(', ') }}]{%- else -%}cast(array[] as {{ data_type }}[]){%- endif -%}
{%- endmacro %}
{% macro duckdb__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}[{{ inputs | join(', ') }}]{%- else -%}cast([] as {{ data_type }}[]){%- endif -%}
{%- endmacro %}
{% macro redshift__array_construct(inputs, data_type) -%}array({{ inputs | join(', ') }}){%- endmacro %}
{% macro snowflake__array_construct(inputs, data_type) -%}array_construct({{ inputs | join(', ') }}){%- endmacro %}

{% macro array_append(array, new_element) -%}{{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}{%- endmacro %}
{% macro default__array_append(array, new_element) -%}array_append({{ array }}, {{ new_element }}){%- endmacro %}
{% macro duckdb__array_append(array, new_element) -%}list_append({{ array }}, {{ new_element }}){%- endmacro %}
{% macro redshift__array_append(array, new_element) -%}array_concat({{ array }}, array({{ new_element }})){%- endmacro %}
{% macro snowflake__array_append(array, new_element) -%}array_append({{ array }}, {{ new_element }}){%- endmacro %}

{% macro array_concat(array_1, array_2) -%}{{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}{%- endmacro %}
{% macro default__array_concat(array_1, array_2) -%}array_cat({{ array_1 }}, {{ array_2 }}){%- endmacro %}
{% macro duckdb__array_concat(array_1, array_2) -%}list_concat({{ array_1 }}, {{ array_2 }}){%- endmacro %}
{% macro redshift__array_concat(array_1, array_2) -%}array_concat({{ array_1 }}, {{ array_2 }}){%- endmacro %}
{% macro snowflake__array_concat(array_1, array_2) -%}array_cat({{ array_1 }}, {{ array_2 }}){%- endmacro %}
`;
