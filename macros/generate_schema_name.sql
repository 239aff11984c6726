{#-
  Seeds that stand in for another system's tables (the shop's retail.user_purchase) load into
  exactly the schema they name, where that system's source reads them. Everything else keeps
  dbt's default naming: <target schema>, or <target schema>_<custom schema>.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name and node.resource_type == 'seed' -%}
    {{ custom_schema_name | trim }}
  {%- else -%}
    {{ default__generate_schema_name(custom_schema_name, node) }}
  {%- endif -%}
{%- endmacro %}
