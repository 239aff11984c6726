-- merge_with_predicates
merge into "DEV"."ANALYTICS"."ORDERS" as DBT_INTERNAL_DEST
using "DEV"."ANALYTICS"."ORDERS__TSQL_INCR" as DBT_INTERNAL_SOURCE
on (DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (dbt_internal_dest.region = DBT_INTERNAL_SOURCE.region) and DBT_INTERNAL_DEST."ID" = DBT_INTERNAL_SOURCE."ID"
when matched then update set "EVENT_DATE" = DBT_INTERNAL_SOURCE."EVENT_DATE", "REGION" = DBT_INTERNAL_SOURCE."REGION", "STATUS" = DBT_INTERNAL_SOURCE."STATUS"
when not matched then insert ("ID", "EVENT_DATE", "REGION", "STATUS") values (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."EVENT_DATE", DBT_INTERNAL_SOURCE."REGION", DBT_INTERNAL_SOURCE."STATUS");

-- delete_insert_with_predicates
delete from "DEV"."ANALYTICS"."ORDERS" as DBT_INTERNAL_DEST
where ("ID", "REGION") in (select "ID", "REGION" from "DEV"."ANALYTICS"."ORDERS__TSQL_INCR")
  and (DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (status <> 'void');
insert into "DEV"."ANALYTICS"."ORDERS" ("ID", "EVENT_DATE", "REGION", "STATUS")
select "ID", "EVENT_DATE", "REGION", "STATUS" from "DEV"."ANALYTICS"."ORDERS__TSQL_INCR";

-- new_rows_outside_merge_predicates
select count(*) as n from "DEV"."ANALYTICS"."ORDERS__TSQL_INCR" as DBT_INTERNAL_DEST where not coalesce((DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (dbt_internal_dest.region = DBT_INTERNAL_DEST.region), false);

-- new_rows_outside_delete_predicates
select count(*) as n from "DEV"."ANALYTICS"."ORDERS__TSQL_INCR" as DBT_INTERNAL_DEST where not coalesce((DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (status <> 'void'), false);

-- merge_without_predicates
merge into "DEV"."ANALYTICS"."ORDERS" as DBT_INTERNAL_DEST
using "DEV"."ANALYTICS"."ORDERS__TSQL_INCR" as DBT_INTERNAL_SOURCE
on DBT_INTERNAL_DEST."ID" = DBT_INTERNAL_SOURCE."ID"
when matched then update set "STATUS" = DBT_INTERNAL_SOURCE."STATUS"
when not matched then insert ("ID", "STATUS") values (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."STATUS");
