{#- The vendor's reviews, classified, tagged with the run date and unloaded as parquet. -#}
{{ config(
    materialized='unload',
    location='stage/movie_review/' ~ ds ~ '/',
    format='parquet'
) }}

select
    cid,
    {{ is_positive_review('review_str') }} as positive_review,
    cast('{{ ds }}' as date) as insert_date
from {{ ref('movie_review') }}
