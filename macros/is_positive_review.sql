{#-
  positive_review: the review, lower-cased and split on non-letters, with English stop words
  removed, contains the token 'good'. "Good!" and "(good)" count; "goodness" does not.
  Engines override this through adapter.dispatch (duckdb__, then default__).
-#}
{% macro is_positive_review(text_column) -%}
  {{ return(adapter.dispatch('is_positive_review')(text_column)) }}
{%- endmacro %}

{% macro duckdb__is_positive_review(text_column) -%}
list_contains(
    list_filter(
        regexp_split_to_array(lower({{ text_column }}), '[^a-z]+'),
        lambda token: token <> '' and not list_contains({{ sql_string_list(english_stop_words()) }}, token)
    ),
    'good'
)
{%- endmacro %}

{#- Any engine with POSIX regular expressions: 'good' between non-letters (stop words never contain it). -#}
{% macro default__is_positive_review(text_column) -%}
(lower({{ text_column }}) ~ '(^|[^a-z])good([^a-z]|$)')
{%- endmacro %}

{#- ['a', 'b'] as a SQL list literal of strings (quotes doubled). -#}
{% macro sql_string_list(values) -%}
[{% for v in values %}'{{ v | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}
