/** dbt's cross-database set operators (`dbt.except()`, `dbt.intersect()`): the same keywords on every engine tsql runs on. */
export const SET_MACROS = `
{% macro except() -%}{{ return(adapter.dispatch('except', 'dbt')()) }}{%- endmacro %}
{% macro default__except() -%}except{%- endmacro %}

{% macro intersect() -%}{{ return(adapter.dispatch('intersect', 'dbt')()) }}{%- endmacro %}
{% macro default__intersect() -%}intersect{%- endmacro %}
`;
