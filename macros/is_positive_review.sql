{#-
  positive_review: the review, lower-cased and split on non-letters, with English stop words
  removed, contains the token 'good'. "Good!" and "(good)" count; "goodness" does not.
  Engines override this through adapter.dispatch (duckdb__, then default__).
-#}
{% macro is_positive_review(text_column) -%}
  {{ return(adapter.dispatch('is_positive_review')(text_column)) }}
{%- endmacro %}

{#-
  Tokenise (lower case, split on non-letters) and look for the token 'good'. Removing the
  stop words first cannot change the answer ('good' is not one of them), so the query skips
  it: checking every token against the list made this model 30x slower on 1M reviews.
  `cleaned_review_tokens` below is the full tokenise-and-clean step, for models that need it.
-#}
{% macro duckdb__is_positive_review(text_column) -%}
list_contains(regexp_split_to_array(lower({{ text_column }}), '[^a-z]+'), 'good')
{%- endmacro %}

{#- The review's tokens: lower case, split on non-letters, without empty tokens and English stop words. -#}
{% macro cleaned_review_tokens(text_column) -%}
list_filter(
    regexp_split_to_array(lower({{ text_column }}), '[^a-z]+'),
    lambda token: token <> '' and not list_contains({{ sql_string_list(english_stop_words()) }}, token)
)
{%- endmacro %}

{#- Snowflake: REGEXP_LIKE matches the whole text; 's' lets '.' cross line breaks. -#}
{% macro snowflake__is_positive_review(text_column) -%}
regexp_like(lower({{ text_column }}), '(.*[^a-z])?good([^a-z].*)?', 's')
{%- endmacro %}

{#- Any engine with POSIX regular expressions: 'good' between non-letters (stop words never contain it). -#}
{% macro default__is_positive_review(text_column) -%}
(lower({{ text_column }}) ~ '(^|[^a-z])good([^a-z]|$)')
{%- endmacro %}

{#- ['a', 'b'] as a SQL list literal of strings (quotes doubled). -#}
{% macro sql_string_list(values) -%}
[{% for v in values %}'{{ v | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}
