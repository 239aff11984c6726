-- Spend per customer and day, from the shop's purchases (quantity > 2, as the pipeline filters).
select
    customer_id,
    cast(invoice_date as date) as purchase_date,
    count(distinct invoice_number) as invoices,
    cast(sum(quantity * unit_price) as decimal(18, 5)) as amount_spent
from {{ ref('user_purchase') }}
where quantity > 2
group by 1, 2
