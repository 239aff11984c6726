-- create_schema
create schema if not exists "ANALYTICS"."MAIN";

-- relation_with_odd_names
"ANALYTICS"."Mixed Case"."order ""lines""";

-- relation_quoted_exactly
"RAW"."fivetran_shop"."Orders";

-- describe_columns_quoted
select column_name as "name", case
    when data_type = 'NUMBER' then 'NUMBER(' || numeric_precision || ',' || numeric_scale || ')'
    when data_type = 'TEXT' then 'VARCHAR(' || character_maximum_length || ')'
    else data_type
  end as "type"
from "RAW".information_schema.columns
where table_schema = 'SHOP' and table_name = 'orders'
order by ordinal_position;

-- create_or_replace_table
create or replace transient table "ANALYTICS"."MAIN"."ORDERS" as (
select 1 as id -- a trailing comment
);

-- create_or_replace_permanent_clustered_copy_grants
create or replace table "ANALYTICS"."MAIN"."ORDERS" cluster by (d, id) copy grants as (
select 1 as id, current_date as d
);

-- resume_recluster
alter table "ANALYTICS"."MAIN"."ORDERS" resume recluster;

-- create_temporary_table
create temporary table "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR" as (
select 1 as id
);

-- create_staged_table
create transient table "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR" as (
select 1 as id
);

-- create_or_replace_view
create or replace view "ANALYTICS"."MAIN"."ORDERS" as (
select 1 as id
);

-- create_or_replace_secure_view_copy_grants
create or replace secure view "ANALYTICS"."MAIN"."ORDERS" copy grants as (
select 1 as id
);

-- create_seed_table
create transient table "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP" (
  "ID" integer,
  "NAME" varchar
);

-- drop_table
drop table if exists "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP";

-- drop_view
drop view if exists "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP";

-- drop_external_table
drop external table if exists "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING";

-- rename_table
alter table "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP" rename to "ANALYTICS"."MAIN"."ORDERS";

-- rename_view
alter view "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP" rename to "ANALYTICS"."MAIN"."ORDERS";

-- swap_tables
alter table "ANALYTICS"."MAIN"."ORDERS" swap with "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP";

-- incremental_append
begin;
insert into "ANALYTICS"."MAIN"."ORDERS" ("ID", "AMOUNT")
select "ID", "AMOUNT" from "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR";
commit;

-- incremental_delete_insert
begin;
delete from "ANALYTICS"."MAIN"."ORDERS"
using (select distinct "ID", "INSERT_DATE" from "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR") as __tsql_source
where "ANALYTICS"."MAIN"."ORDERS"."ID" = __tsql_source."ID"
  and "ANALYTICS"."MAIN"."ORDERS"."INSERT_DATE" = __tsql_source."INSERT_DATE";
insert into "ANALYTICS"."MAIN"."ORDERS" ("ID", "INSERT_DATE", "AMOUNT")
select "ID", "INSERT_DATE", "AMOUNT" from "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR";
commit;

-- microbatch_batch_outside_window
select count(*) as n from "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR" where not coalesce(event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00', false);

-- microbatch_batch
begin;
delete from "ANALYTICS"."MAIN"."ORDERS" where event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00';
insert into "ANALYTICS"."MAIN"."ORDERS" ("EVENT_DATE", "AMOUNT")
select "EVENT_DATE", "AMOUNT" from "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR";
commit;

-- incremental_merge
merge into "ANALYTICS"."MAIN"."ORDERS" as DBT_INTERNAL_DEST
using "ANALYTICS"."MAIN"."ORDERS__TSQL_INCR" as DBT_INTERNAL_SOURCE
on DBT_INTERNAL_DEST."ID" = DBT_INTERNAL_SOURCE."ID"
when matched then update set "AMOUNT" = DBT_INTERNAL_SOURCE."AMOUNT", "STATUS" = DBT_INTERNAL_SOURCE."STATUS"
when not matched then insert ("ID", "AMOUNT", "STATUS") values (DBT_INTERNAL_SOURCE."ID", DBT_INTERNAL_SOURCE."AMOUNT", DBT_INTERNAL_SOURCE."STATUS");

-- add_column
alter table "ANALYTICS"."MAIN"."ORDERS" add column "DOUBLED" NUMBER(38,0);

-- drop_column
alter table "ANALYTICS"."MAIN"."ORDERS" drop column "DOUBLED";

-- describe_columns
select column_name as "name", case
    when data_type = 'NUMBER' then 'NUMBER(' || numeric_precision || ',' || numeric_scale || ')'
    when data_type = 'TEXT' then 'VARCHAR(' || character_maximum_length || ')'
    else data_type
  end as "type"
from "ANALYTICS".information_schema.columns
where table_schema = 'MAIN' and table_name = 'ORDERS'
order by ordinal_position;

-- catalog
select table_catalog as "database", table_schema as "schema", table_name as "identifier", table_type as "kind"
from "ANALYTICS".information_schema.tables
where table_schema <> 'INFORMATION_SCHEMA';

-- catalog_columns
select table_catalog as "database", table_schema as "schema", table_name as "identifier", column_name as "name", case
    when data_type = 'NUMBER' then 'NUMBER(' || numeric_precision || ',' || numeric_scale || ')'
    when data_type = 'TEXT' then 'VARCHAR(' || character_maximum_length || ')'
    else data_type
  end as "type"
from "ANALYTICS".information_schema.columns
where table_schema <> 'INFORMATION_SCHEMA'
order by table_schema, table_name, ordinal_position;

-- quote_string
'it''s a \\ backslash';

-- count_where
count_if("ID" is null);

-- freshness
select
  max(invoice_date) as max_loaded_at,
  current_timestamp() as snapshotted_at,
  timestampdiff(second, cast(max(invoice_date) as timestamp_ntz), cast(convert_timezone('UTC', current_timestamp()) as timestamp_ntz)) as age_seconds
from "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING"
where insert_date >= '2024-01-01';

-- freshness_of_loaded_at_query
select
  max(max_loaded_at) as max_loaded_at,
  current_timestamp() as snapshotted_at,
  timestampdiff(second, cast(max(max_loaded_at) as timestamp_ntz), cast(convert_timezone('UTC', current_timestamp()) as timestamp_ntz)) as age_seconds
from (select (
select max(loaded_at) from raw.events
) as max_loaded_at) as tsql_loaded_at;

-- unload_csv_to_stage
copy into @LAKE_STAGE/lake/stage/user_purchase/2024-01-03/user_purchase.csv
from (
select invoice_number, 'it''s' as note
from "ANALYTICS"."RETAIL"."USER_PURCHASE"
where country = 'United Kingdom' -- only the UK
)
file_format = (type = csv compression = none field_optionally_enclosed_by = '"' null_if = ('') empty_field_as_null = false)
header = true
single = true
overwrite = true
max_file_size = 5368709120;

-- unload_csv_options
copy into @LAKE_STAGE/x/2024-01-03/x.csv
from (
select 1 as id
)
file_format = (type = csv compression = gzip field_delimiter = '|' field_optionally_enclosed_by = '"' null_if = ('\\N') empty_field_as_null = false date_format = 'YYYY-MM-DD')
header = false
single = true
overwrite = true
max_file_size = 5368709120;

-- unload_parquet_to_qualified_stage
copy into @"ANALYTICS"."LAKE"."STAGE"/movie_review/2024-01-03/classified_movie_review.parquet
from (
select invoice_number, 'it''s' as note
from "ANALYTICS"."RETAIL"."USER_PURCHASE"
where country = 'United Kingdom' -- only the UK
)
file_format = (type = parquet)
header = true
single = true
overwrite = true
max_file_size = 5368709120;

-- unload_to_quoted_stage_path
copy into '@LAKE_STAGE/odd path/x.csv'
from (
select 1 as id
)
file_format = (type = csv compression = none field_optionally_enclosed_by = '"' null_if = ('') empty_field_as_null = false)
header = true
single = true
overwrite = true
max_file_size = 5368709120;

-- unload_parquet_max_file_size
copy into @LAKE_STAGE/movie_review/2024-01-03/r.parquet
from (
select 1 as id
)
file_format = (type = parquet)
header = true
single = true
overwrite = true
max_file_size = 1000000;

-- remove_stale_unload_file
remove @"ANALYTICS"."MAIN"."TSQL_LAKE"/stage/user_purchase/2024-01-03/user_purchase.csv pattern = '(.*/)?user_purchase\\.csv';

-- seed_copy_from_table_stage
copy into "ANALYTICS"."MAIN"."ORDERS__TSQL_TMP" ("ID", "NAME")
from @"ANALYTICS"."MAIN".%"ORDERS__TSQL_TMP"
file_format = (type = csv field_optionally_enclosed_by = '"' skip_header = 1 empty_field_as_null = true)
purge = true;

-- external_table_csv
create external table if not exists "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING" (
  "INVOICE_NUMBER" varchar(10) as (cast(value:c1 as varchar(10))),
  "QUANTITY" integer as (cast(value:c2 as integer)),
  "UNIT_PRICE" decimal(8, 3) as (cast(value:c3 as decimal(8, 3))),
  "INSERT_DATE" date as (cast(split_part(metadata$filename, '/', -2) as date))
)
partition by ("INSERT_DATE")
location = @LAKE_STAGE/lake/stage/user_purchase/
file_format = (type = csv field_optionally_enclosed_by = '"' skip_header = 1 empty_field_as_null = true)
auto_refresh = false;

-- external_table_csv_options_replace
create or replace external table "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING" (
  "INVOICE_NUMBER" varchar(10) as (cast(value:c1 as varchar(10))),
  "QUANTITY" integer as (cast(value:c2 as integer)),
  "UNIT_PRICE" decimal(8, 3) as (cast(value:c3 as decimal(8, 3)))
)
location = @LAKE_STAGE/lake/stage/user_purchase/
file_format = (type = csv field_delimiter = '|' field_optionally_enclosed_by = '"' skip_header = 0 empty_field_as_null = true)
auto_refresh = false;

-- external_table_parquet_key_value
create external table if not exists "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING" (
  "CID" integer as (cast(get_ignore_case(value, 'cid') as integer)),
  "POSITIVE_REVIEW" boolean as (cast(get_ignore_case(value, 'positive_review') as boolean)),
  "YEAR" integer as (cast(split_part(split_part(metadata$filename, '/', -3), '=', 2) as integer)),
  "INSERT_DATE" date as (cast(split_part(split_part(metadata$filename, '/', -2), '=', 2) as date))
)
partition by ("YEAR", "INSERT_DATE")
location = @"ANALYTICS"."SPECTRUM"."TSQL_LAKE"/stage/movie_review/
file_format = (type = parquet)
auto_refresh = false;

-- external_refresh_run_date
alter external table "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING" refresh '2024-01-03/';

-- external_refresh_all
alter external table "ANALYTICS"."SPECTRUM"."USER_PURCHASE_STAGING" refresh;

-- node_session_query_tag_and_warehouse
{
 "before": [
  "alter session set query_tag = 'model''s tag'",
  "use warehouse \"BIG_WH\""
 ],
 "after": [
  "alter session set query_tag = 'nightly'",
  "use warehouse \"TRANSFORMING\""
 ]
};

-- node_session_without_output_tag
{
 "before": [
  "alter session set query_tag = 'm'"
 ],
 "after": [
  "alter session unset query_tag"
 ]
};
