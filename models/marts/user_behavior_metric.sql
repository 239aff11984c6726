{#-
  Per customer and run date: what they spent, and how many of their reviews are positive.
  Re-running a day replaces that day's rows (delete+insert on insert_date).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='insert_date'
) }}

with purchases as (
    select
        customer_id,
        sum(quantity * unit_price) as amount_spent
    from {{ source('lake', 'user_purchase_staging') }}
    where insert_date = '{{ ds }}'
    group by customer_id
),

reviews as (
    select
        cid,
        sum(case when positive_review then 1 else 0 end) as review_score,
        count(*) as review_count
    from {{ source('lake', 'classified_movie_review_staging') }}
    where insert_date = '{{ ds }}'
    group by cid
)

select
    purchases.customer_id as customerid,
    cast(purchases.amount_spent as decimal(18, 5)) as amount_spent,
    cast(coalesce(reviews.review_score, 0) as integer) as review_score,
    cast(coalesce(reviews.review_count, 0) as integer) as review_count,
    cast('{{ ds }}' as date) as insert_date
from purchases
left join reviews on reviews.cid = purchases.customer_id
