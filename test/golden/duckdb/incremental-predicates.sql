-- merge_with_predicates
merge into "dev"."analytics"."orders" as DBT_INTERNAL_DEST
using "dev"."analytics"."orders__tsql_incr" as DBT_INTERNAL_SOURCE
on (DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (dbt_internal_dest.region = DBT_INTERNAL_SOURCE.region) and DBT_INTERNAL_DEST."id" = DBT_INTERNAL_SOURCE."id"
when matched then update set "event_date" = DBT_INTERNAL_SOURCE."event_date", "region" = DBT_INTERNAL_SOURCE."region", "status" = DBT_INTERNAL_SOURCE."status"
when not matched then insert ("id", "event_date", "region", "status") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."event_date", DBT_INTERNAL_SOURCE."region", DBT_INTERNAL_SOURCE."status");

-- delete_insert_with_predicates
delete from "dev"."analytics"."orders" as DBT_INTERNAL_DEST
where ("id", "region") in (select "id", "region" from "dev"."analytics"."orders__tsql_incr")
  and (DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (status <> 'void');
insert into "dev"."analytics"."orders" ("id", "event_date", "region", "status")
select "id", "event_date", "region", "status" from "dev"."analytics"."orders__tsql_incr";

-- new_rows_outside_merge_predicates
select count(*) as n from "dev"."analytics"."orders__tsql_incr" as DBT_INTERNAL_DEST where not coalesce((DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (dbt_internal_dest.region = DBT_INTERNAL_DEST.region), false);

-- new_rows_outside_delete_predicates
select count(*) as n from "dev"."analytics"."orders__tsql_incr" as DBT_INTERNAL_DEST where not coalesce((DBT_INTERNAL_DEST.event_date >= '2024-01-01') and (status <> 'void'), false);

-- merge_without_predicates
merge into "dev"."analytics"."orders" as DBT_INTERNAL_DEST
using "dev"."analytics"."orders__tsql_incr" as DBT_INTERNAL_SOURCE
on DBT_INTERNAL_DEST."id" = DBT_INTERNAL_SOURCE."id"
when matched then update set "status" = DBT_INTERNAL_SOURCE."status"
when not matched then insert ("id", "status") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."status");
