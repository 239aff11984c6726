{#- The run date's purchases, without the small ones, unloaded to the lake's stage area as CSV. -#}
{{ config(
    materialized='unload',
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
from {{ ref('user_purchase') }}
where quantity > 2
  and cast(invoice_date as date) = '{{ ds }}'
order by invoice_number, stock_code
