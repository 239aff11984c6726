{#-
  The run date's purchases, without the small ones, unloaded to the lake's stage area as CSV.
  It runs where the shop's data lives: the `oltp` connection (PostgreSQL) when the profile has
  one, else the warehouse.
-#}
{{ config(
    materialized='unload',
    connection='oltp',
    location='stage/user_purchase/' ~ ds ~ '/user_purchase.csv',
    format='csv'
) }}

select
    invoice_number,
    stock_code,
    detail,
    quantity,
    invoice_date,
    unit_price,
    customer_id,
    country
from {{ source('retail', 'user_purchase') }}
where quantity > 2
  and cast(invoice_date as date) = '{{ ds }}'
order by invoice_number, stock_code
