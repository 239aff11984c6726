-- key_check
select
  (select count(*) from (select id, region from "snapshots"."orders_snapshot__tsql_snap_src" group by id, region having count(*) > 1) as __tsql_dups) as duplicated,
  (select count(*) from "snapshots"."orders_snapshot__tsql_snap_src" where (id) is null or (region) is null) as null_keys;

-- build_timestamp
select
  __tsql_source.*,
  md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as "dbt_scd_id",
  updated_at as "dbt_updated_at",
  updated_at as "dbt_valid_from",
  coalesce(nullif(updated_at, updated_at), null) as "dbt_valid_to"
from "snapshots"."orders_snapshot__tsql_snap_src" as __tsql_source;

-- build_check_new_record
select
  __tsql_source.*,
  md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(getdate()::timestamp as varchar), '')) as "dbt_scd_id",
  getdate()::timestamp as "dbt_updated_at",
  getdate()::timestamp as "valid_from",
  coalesce(nullif(getdate()::timestamp, getdate()::timestamp), cast('9999-12-31' as timestamp)) as "valid_to",
  'False' as "dbt_is_deleted"
from "snapshots"."orders_snapshot__tsql_snap_src" as __tsql_source;

-- changes_timestamp_ignore
with __tsql_source as (
  select s.*, id as __tsql_key_1, updated_at as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as __tsql_scd_id
  from "snapshots"."orders_snapshot__tsql_snap_src" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "snapshots"."orders_snapshot" as t
  where t."dbt_valid_to" is null
)
select 'insert' as __tsql_change, s."id", s."status", s."updated_at",
  s.__tsql_scd_id as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "dbt_valid_from", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), null) as "dbt_valid_to"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    c."dbt_valid_from" < s.__tsql_updated_at
  )
union all
select 'update' as __tsql_change, s."id", s."status", s."updated_at",
  c."dbt_scd_id" as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "dbt_valid_from", s.__tsql_updated_at as "dbt_valid_to"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c."dbt_valid_from" < s.__tsql_updated_at;

-- changes_timestamp_new_record
with __tsql_source as (
  select s.*, id as __tsql_key_1, region as __tsql_key_2, updated_at as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(region as varchar), '') || '|' || coalesce(cast(updated_at as varchar), '')) as __tsql_scd_id
  from "snapshots"."orders_snapshot__tsql_snap_src" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1, region as __tsql_key_2
  from "snapshots"."orders_snapshot" as t
  where t."dbt_valid_to" is null
)
select 'insert' as __tsql_change, s."id", s."region", s."status", s."updated_at", s."note",
  s.__tsql_scd_id as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "dbt_valid_from", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), null) as "dbt_valid_to", 'False' as "dbt_is_deleted"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where c.__tsql_key_1 is null
  or (
    (c."dbt_valid_from" < s.__tsql_updated_at)
    or coalesce(c."dbt_is_deleted", 'False') = 'True'
  )
union all
select 'update' as __tsql_change, s."id", s."region", s."status", s."updated_at", s."note",
  c."dbt_scd_id" as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "dbt_valid_from", s.__tsql_updated_at as "dbt_valid_to", c."dbt_is_deleted" as "dbt_is_deleted"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where (c."dbt_valid_from" < s.__tsql_updated_at)
    or coalesce(c."dbt_is_deleted", 'False') = 'True'
union all
select 'delete' as __tsql_change, s."id", s."region", s."status", s."updated_at", s."note",
  c."dbt_scd_id" as "dbt_scd_id", getdate()::timestamp as "dbt_updated_at", getdate()::timestamp as "dbt_valid_from", getdate()::timestamp as "dbt_valid_to", c."dbt_is_deleted" as "dbt_is_deleted"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where s.__tsql_key_1 is null and coalesce(c."dbt_is_deleted", 'False') <> 'True'
union all
select 'insert' as __tsql_change, c."id", c."region", c."status", c."updated_at", s."note",
  md5(coalesce(cast(c."dbt_scd_id" as varchar), '') || '|' || coalesce(cast(getdate()::timestamp as varchar), '')) as "dbt_scd_id", getdate()::timestamp as "dbt_updated_at", getdate()::timestamp as "dbt_valid_from", c."dbt_valid_to" as "dbt_valid_to", 'True' as "dbt_is_deleted"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1 and c.__tsql_key_2 = s.__tsql_key_2
where s.__tsql_key_1 is null and coalesce(c."dbt_is_deleted", 'False') <> 'True';

-- changes_check_invalidate
with __tsql_source as (
  select s.*, id as __tsql_key_1, getdate()::timestamp as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(getdate()::timestamp as varchar), '')) as __tsql_scd_id
  from "snapshots"."orders_snapshot__tsql_snap_src" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "snapshots"."orders_snapshot" as t
  where (t."valid_to" is null or t."valid_to" = cast('9999-12-31' as timestamp))
)
select 'insert' as __tsql_change, s."id", s."status", s."amount",
  s.__tsql_scd_id as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "valid_from", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), cast('9999-12-31' as timestamp)) as "valid_to"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    coalesce(c."status" <> s."status", (c."status" is null) <> (s."status" is null))
    or coalesce(c."amount" <> s."amount", (c."amount" is null) <> (s."amount" is null))
  )
union all
select 'update' as __tsql_change, s."id", s."status", s."amount",
  c."dbt_scd_id" as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "valid_from", s.__tsql_updated_at as "valid_to"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where coalesce(c."status" <> s."status", (c."status" is null) <> (s."status" is null))
    or coalesce(c."amount" <> s."amount", (c."amount" is null) <> (s."amount" is null))
union all
select 'delete' as __tsql_change, s."id", s."status", s."amount",
  c."dbt_scd_id" as "dbt_scd_id", getdate()::timestamp as "dbt_updated_at", getdate()::timestamp as "valid_from", getdate()::timestamp as "valid_to"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1
where s.__tsql_key_1 is null;

-- changes_check_column_added
with __tsql_source as (
  select s.*, id as __tsql_key_1, getdate()::timestamp as __tsql_updated_at, md5(coalesce(cast(id as varchar), '') || '|' || coalesce(cast(getdate()::timestamp as varchar), '')) as __tsql_scd_id
  from "snapshots"."orders_snapshot__tsql_snap_src" as s
),
__tsql_current as (
  select t.*, id as __tsql_key_1
  from "snapshots"."orders_snapshot" as t
  where (t."valid_to" is null or t."valid_to" = cast('9999-12-31' as timestamp))
)
select 'insert' as __tsql_change, s."id", s."status", s."amount",
  s.__tsql_scd_id as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "valid_from", coalesce(nullif(s.__tsql_updated_at, s.__tsql_updated_at), cast('9999-12-31' as timestamp)) as "valid_to"
from __tsql_source as s
left join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where c.__tsql_key_1 is null
  or (
    1 = 1
  )
union all
select 'update' as __tsql_change, s."id", s."status", s."amount",
  c."dbt_scd_id" as "dbt_scd_id", s.__tsql_updated_at as "dbt_updated_at", s.__tsql_updated_at as "valid_from", s.__tsql_updated_at as "valid_to"
from __tsql_source as s
join __tsql_current as c on c.__tsql_key_1 = s.__tsql_key_1
where 1 = 1
union all
select 'delete' as __tsql_change, s."id", s."status", s."amount",
  c."dbt_scd_id" as "dbt_scd_id", getdate()::timestamp as "dbt_updated_at", getdate()::timestamp as "valid_from", getdate()::timestamp as "valid_to"
from __tsql_current as c
left join __tsql_source as s on c.__tsql_key_1 = s.__tsql_key_1
where s.__tsql_key_1 is null;

-- close
update "snapshots"."orders_snapshot"
set "dbt_valid_to" = __tsql_changes."dbt_valid_to"
from "snapshots"."orders_snapshot__tsql_snap_chg" as __tsql_changes
where __tsql_changes."dbt_scd_id" = "snapshots"."orders_snapshot"."dbt_scd_id"
  and __tsql_changes.__tsql_change in ('update', 'delete')
  and "snapshots"."orders_snapshot"."dbt_valid_to" is null;

-- close_valid_to_current
update "snapshots"."orders_snapshot"
set "valid_to" = __tsql_changes."valid_to"
from "snapshots"."orders_snapshot__tsql_snap_chg" as __tsql_changes
where __tsql_changes."dbt_scd_id" = "snapshots"."orders_snapshot"."dbt_scd_id"
  and __tsql_changes.__tsql_change in ('update', 'delete')
  and ("snapshots"."orders_snapshot"."valid_to" is null or "snapshots"."orders_snapshot"."valid_to" = cast('9999-12-31' as timestamp));

-- insert
insert into "snapshots"."orders_snapshot" ("id", "status", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
select "id", "status", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to" from "snapshots"."orders_snapshot__tsql_snap_chg"
where __tsql_change = 'insert';
