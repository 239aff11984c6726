-- key_check
select
  (select count(*) from (select id, region from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" group by id, region having count(*) > 1) as __tsql_dups) as duplicated,
  (select count(*) from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" where (id) is null or (region) is null) as null_keys;

-- build_timestamp
select
  __tsql_source.*,
  md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as "DBT_SCD_ID",
  updated_at as "DBT_UPDATED_AT",
  updated_at as "DBT_VALID_FROM",
  coalesce(nullif(updated_at, updated_at), null) as "DBT_VALID_TO"
from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as __tsql_source;

-- build_check_new_record
select
  __tsql_source.*,
  md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as varchar), '')) as "DBT_SCD_ID",
  to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_UPDATED_AT",
  to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "VALID_FROM",
  coalesce(nullif(to_timestamp_ntz(convert_timezone('UTC', current_timestamp())), to_timestamp_ntz(convert_timezone('UTC', current_timestamp()))), cast('9999-12-31' as timestamp)) as "VALID_TO",
  'False' as "DBT_IS_DELETED"
from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as __tsql_source;

-- changes_timestamp_ignore
with __tsql_source as (
  select s.*, id as __tsql_key_1, updated_at as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as __tsql_scd_id
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as t
  where t."DBT_VALID_TO" is null
)
select 'insert' as __tsql_change, s."ID", s."STATUS", s."UPDATED_AT",
  s.__tsql_scd_id as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "DBT_VALID_FROM", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), null) as "DBT_VALID_TO"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    c."DBT_VALID_FROM" < s.__tsql_updated_at
  )
union all
select 'update' as __tsql_change, s."ID", s."STATUS", s."UPDATED_AT",
  c."DBT_SCD_ID" as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "DBT_VALID_FROM", s.__tsql_updated_at as "DBT_VALID_TO"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c."DBT_VALID_FROM" < s.__tsql_updated_at;

-- changes_timestamp_new_record
with __tsql_source as (
  select s.*, id as __tsql_key_1, region as __tsql_key_2, updated_at as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(region as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as __tsql_scd_id
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1, region as __tsql_key_2
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as t
  where t."DBT_VALID_TO" is null
)
select 'insert' as __tsql_change, s."ID", s."REGION", s."STATUS", s."UPDATED_AT", s."NOTE",
  s.__tsql_scd_id as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "DBT_VALID_FROM", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), null) as "DBT_VALID_TO", 'False' as "DBT_IS_DELETED"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where c.__tsql_key_1 is null
  or (
    (c."DBT_VALID_FROM" < s.__tsql_updated_at)
    or coalesce(c."DBT_IS_DELETED", 'False') = 'True'
  )
union all
select 'update' as __tsql_change, s."ID", s."REGION", s."STATUS", s."UPDATED_AT", s."NOTE",
  c."DBT_SCD_ID" as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "DBT_VALID_FROM", s.__tsql_updated_at as "DBT_VALID_TO", c."DBT_IS_DELETED" as "DBT_IS_DELETED"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where (c."DBT_VALID_FROM" < s.__tsql_updated_at)
    or coalesce(c."DBT_IS_DELETED", 'False') = 'True'
union all
select 'delete' as __tsql_change, s."ID", s."REGION", s."STATUS", s."UPDATED_AT", s."NOTE",
  c."DBT_SCD_ID" as "DBT_SCD_ID", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_UPDATED_AT", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_VALID_FROM", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_VALID_TO", c."DBT_IS_DELETED" as "DBT_IS_DELETED"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where s.__tsql_key_1 is null and coalesce(c."DBT_IS_DELETED", 'False') <> 'True'
union all
select 'insert' as __tsql_change, c."ID", c."REGION", c."STATUS", c."UPDATED_AT", s."NOTE",
  md5(coalesce(cast(c."DBT_SCD_ID" as varchar), '') || '|' || coalesce(cast(to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as varchar), '')) as "DBT_SCD_ID", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_UPDATED_AT", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_VALID_FROM", c."DBT_VALID_TO" as "DBT_VALID_TO", 'True' as "DBT_IS_DELETED"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where s.__tsql_key_1 is null and coalesce(c."DBT_IS_DELETED", 'False') <> 'True';

-- changes_check_invalidate
with __tsql_source as (
  select s.*, id as __tsql_key_1, to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as varchar), '')) as __tsql_scd_id
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as t
  where (t."VALID_TO" is null or t."VALID_TO" = cast('9999-12-31' as timestamp))
)
select 'insert' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  s.__tsql_scd_id as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "VALID_FROM", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), cast('9999-12-31' as timestamp)) as "VALID_TO"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    c."STATUS" is distinct from s."STATUS"
    or c."AMOUNT" is distinct from s."AMOUNT"
  )
union all
select 'update' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  c."DBT_SCD_ID" as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "VALID_FROM", s.__tsql_updated_at as "VALID_TO"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c."STATUS" is distinct from s."STATUS"
    or c."AMOUNT" is distinct from s."AMOUNT"
union all
select 'delete' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  c."DBT_SCD_ID" as "DBT_SCD_ID", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_UPDATED_AT", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "VALID_FROM", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "VALID_TO"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1
where s.__tsql_key_1 is null;

-- changes_check_column_added
with __tsql_source as (
  select s.*, id as __tsql_key_1, to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as varchar), '')) as __tsql_scd_id
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_SRC" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as t
  where (t."VALID_TO" is null or t."VALID_TO" = cast('9999-12-31' as timestamp))
)
select 'insert' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  s.__tsql_scd_id as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "VALID_FROM", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), cast('9999-12-31' as timestamp)) as "VALID_TO"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    1 = 1
  )
union all
select 'update' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  c."DBT_SCD_ID" as "DBT_SCD_ID", s.__tsql_updated_at as "DBT_UPDATED_AT", s.__tsql_updated_at as "VALID_FROM", s.__tsql_updated_at as "VALID_TO"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where 1 = 1
union all
select 'delete' as __tsql_change, s."ID", s."STATUS", s."AMOUNT",
  c."DBT_SCD_ID" as "DBT_SCD_ID", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "DBT_UPDATED_AT", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "VALID_FROM", to_timestamp_ntz(convert_timezone('UTC', current_timestamp())) as "VALID_TO"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1
where s.__tsql_key_1 is null;

-- close
merge into "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as __tsql_target
using (select * from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_CHG" where __tsql_change in ('update', 'delete')) as __tsql_changes
on __tsql_changes."DBT_SCD_ID" = __tsql_target."DBT_SCD_ID"
when matched and __tsql_target."DBT_VALID_TO" is null then update set "DBT_VALID_TO" = __tsql_changes."DBT_VALID_TO";

-- close_valid_to_current
merge into "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" as __tsql_target
using (select * from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_CHG" where __tsql_change in ('update', 'delete')) as __tsql_changes
on __tsql_changes."DBT_SCD_ID" = __tsql_target."DBT_SCD_ID"
when matched and (__tsql_target."VALID_TO" is null or __tsql_target."VALID_TO" = cast('9999-12-31' as timestamp)) then update set "VALID_TO" = __tsql_changes."VALID_TO";

-- insert
insert into "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT" ("ID", "STATUS", "UPDATED_AT", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO")
select "ID", "STATUS", "UPDATED_AT", "DBT_SCD_ID", "DBT_UPDATED_AT", "DBT_VALID_FROM", "DBT_VALID_TO" from "DEV"."SNAPSHOTS"."ORDERS_SNAPSHOT__TSQL_SNAP_CHG"
where __tsql_change = 'insert';
