/**
 * dbt's cross-database date macros (`dbt.dateadd`, `dbt.datediff`, …), per engine
 * through adapter.dispatch. Written in Jinja so users can read and override them.
 * datediff counts the datepart boundaries crossed between the two values, as
 * Snowflake and Redshift do, on every engine.
 */
export const DATE_MACROS = `
{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
  {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
  dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
{% macro postgres__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {%- set part = datepart | string | lower | replace("'", "") | trim -%}
  {%- if part == 'quarter' -%}{%- set unit = '3 months' -%}{%- else -%}{%- set unit = '1 ' ~ part -%}{%- endif -%}
  ({{ from_date_or_timestamp }} + (({{ interval }}) * interval '{{ unit }}'))
{%- endmacro %}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
  {{ return(postgres__dateadd(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}
{% macro redshift__dateadd(datepart, interval, from_date_or_timestamp) -%}
  dateadd({{ datepart | string | replace("'", "") }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{% macro datediff(first_date, second_date, datepart) -%}
  {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{%- endmacro %}
{% macro default__datediff(first_date, second_date, datepart) -%}
  datediff({{ datepart | string | replace("'", "") }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
  date_diff('{{ datepart | string | lower | replace("'", "") | trim }}', {{ first_date }}, {{ second_date }})
{%- endmacro %}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
  {%- set part = datepart | string | lower | replace("'", "") | trim -%}
  {%- set a = first_date -%}{%- set b = second_date -%}
  {%- set years -%}(date_part('year', ({{ b }})::date) - date_part('year', ({{ a }})::date)){%- endset -%}
  {%- set days -%}(({{ b }})::date - ({{ a }})::date){%- endset -%}
  {%- set hours -%}({{ days }} * 24 + date_part('hour', ({{ b }})::timestamp) - date_part('hour', ({{ a }})::timestamp)){%- endset -%}
  {%- set minutes -%}({{ hours }} * 60 + date_part('minute', ({{ b }})::timestamp) - date_part('minute', ({{ a }})::timestamp)){%- endset -%}
  {%- if part == 'year' -%}
  cast({{ years }} as bigint)
  {%- elif part == 'quarter' -%}
  cast({{ years }} * 4 + date_part('quarter', ({{ b }})::date) - date_part('quarter', ({{ a }})::date) as bigint)
  {%- elif part == 'month' -%}
  cast({{ years }} * 12 + date_part('month', ({{ b }})::date) - date_part('month', ({{ a }})::date) as bigint)
  {%- elif part == 'week' -%}
  cast(((date_trunc('week', ({{ b }})::timestamp))::date - (date_trunc('week', ({{ a }})::timestamp))::date) / 7 as bigint)
  {%- elif part == 'day' -%}
  cast({{ days }} as bigint)
  {%- elif part == 'hour' -%}
  cast({{ hours }} as bigint)
  {%- elif part == 'minute' -%}
  cast({{ minutes }} as bigint)
  {%- elif part == 'second' -%}
  cast({{ minutes }} * 60 + floor(date_part('second', ({{ b }})::timestamp)) - floor(date_part('second', ({{ a }})::timestamp)) as bigint)
  {%- else -%}
  {{ exceptions.raise_compiler_error("datediff: datepart '" ~ part ~ "' is not supported on " ~ adapter.type() ~ " (year, quarter, month, week, day, hour, minute, second)") }}
  {%- endif -%}
{%- endmacro %}
{% macro redshift__datediff(first_date, second_date, datepart) -%}
  {{ return(default__datediff(first_date, second_date, datepart)) }}
{%- endmacro %}

{% macro date_trunc(datepart, date) -%}
  {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{%- endmacro %}
{% macro default__date_trunc(datepart, date) -%}
  date_trunc('{{ datepart | string | replace("'", "") | trim }}', {{ date }})
{%- endmacro %}

{% macro last_day(date, datepart) -%}
  {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{%- endmacro %}
{% macro default__last_day(date, datepart) -%}
  cast({{ dateadd('day', '-1', dateadd(datepart, '1', date_trunc(datepart, date))) }} as date)
{%- endmacro %}
{% macro snowflake__last_day(date, datepart) -%}
  last_day({{ date }}, '{{ datepart | string | replace("'", "") | trim }}')
{%- endmacro %}

{% macro current_timestamp() -%}
  {{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp() -%}current_timestamp{%- endmacro %}
{% macro postgres__current_timestamp() -%}now(){%- endmacro %}
{% macro redshift__current_timestamp() -%}getdate(){%- endmacro %}
{% macro snowflake__current_timestamp() -%}current_timestamp(){%- endmacro %}

{% macro current_timestamp_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_backcompat', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp_backcompat() -%}cast(current_timestamp as {{ type_timestamp() }}){%- endmacro %}
{% macro redshift__current_timestamp_backcompat() -%}getdate(){%- endmacro %}

{% macro current_timestamp_in_utc_backcompat() -%}
  {{ return(adapter.dispatch('current_timestamp_in_utc_backcompat', 'dbt')()) }}
{%- endmacro %}
{% macro default__current_timestamp_in_utc_backcompat() -%}cast(current_timestamp at time zone 'UTC' as {{ type_timestamp() }}){%- endmacro %}
{% macro redshift__current_timestamp_in_utc_backcompat() -%}getdate(){%- endmacro %}
{% macro snowflake__current_timestamp_in_utc_backcompat() -%}cast(convert_timezone('UTC', current_timestamp()) as {{ type_timestamp() }}){%- endmacro %}

{% macro date(year, month, day) -%}
  {{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{%- endmacro %}
{% macro default__date(year, month, day) -%}
  {%- set y = year | int -%}{%- set m = month | int -%}{%- set d = day | int -%}
  cast('{% if y < 1000 %}0{% endif %}{% if y < 100 %}0{% endif %}{% if y < 10 %}0{% endif %}{{ y }}-{% if m < 10 %}0{% endif %}{{ m }}-{% if d < 10 %}0{% endif %}{{ d }}' as date)
{%- endmacro %}
`;
