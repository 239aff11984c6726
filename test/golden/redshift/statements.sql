-- create_schema
create schema if not exists "analytics";

-- create_table_as
create table "analytics"."orders__tsql_tmp"
as (
select 1 as id -- a trailing comment
);

-- create_table_as_dist_key_compound_sort_backup_no
create table "analytics"."orders__tsql_tmp"
backup no
diststyle key distkey ("customer_id")
compound sortkey ("insert_date", "customer_id")
as (
select 1 as customer_id, current_date as insert_date
);

-- create_table_as_dist_all_interleaved_sort
create table "analytics"."orders__tsql_tmp"
diststyle all
interleaved sortkey ("a", "b")
as (
select 1 as a, 2 as b
);

-- create_table_as_dist_even
create table "analytics"."orders__tsql_tmp"
backup yes
diststyle even
as (
select 1 as a
);

-- create_table_as_dist_auto_sort_one
create table "analytics"."orders__tsql_tmp"
diststyle auto
compound sortkey ("a")
as (
select 1 as a
);

-- create_temporary_table_ignores_layout
create temporary table "orders__tsql_tmp" as (
select 1 as a
);

-- create_view
create view "analytics"."orders__tsql_tmp" as (
select 1 as id -- a trailing comment
);

-- create_view_late_binding
create view "analytics"."orders__tsql_tmp" as (
select * from "spectrum"."user_purchase_staging"
) with no schema binding;

-- create_table
create table "analytics"."orders__tsql_tmp" (
  "id" integer,
  "note ""quoted""" varchar(65535)
);

-- read_other_database
select * from "shop"."retail"."user_purchase";

-- drop_table
drop table if exists "analytics"."orders__tsql_backup" cascade;

-- drop_view
drop view if exists "analytics"."orders__tsql_backup" cascade;

-- drop_external_table
drop table if exists "spectrum"."user_purchase_staging";

-- rename_view
alter table "analytics"."orders" rename to "orders__tsql_backup";

-- swap_table
begin;
drop table if exists "analytics"."orders__tsql_backup" cascade;
alter table "analytics"."orders" rename to "orders__tsql_backup";
alter table "analytics"."orders__tsql_tmp" rename to "orders";
drop table if exists "analytics"."orders__tsql_backup" cascade;
commit;

-- incremental_append
begin;
insert into "analytics"."orders" ("id", "amount")
select "id", "amount" from "analytics"."orders__tsql_incr";
commit;

-- incremental_delete_insert
begin;
delete from "analytics"."orders"
using (select distinct "id", "insert_date" from "analytics"."orders__tsql_incr") as __tsql_source
where "analytics"."orders"."id" = __tsql_source."id"
  and "analytics"."orders"."insert_date" = __tsql_source."insert_date";
insert into "analytics"."orders" ("id", "insert_date", "amount")
select "id", "insert_date", "amount" from "analytics"."orders__tsql_incr";
commit;

-- incremental_merge
begin;
merge into "analytics"."orders"
using "analytics"."orders__tsql_incr" as DBT_INTERNAL_SOURCE
on "analytics"."orders"."id" = DBT_INTERNAL_SOURCE."id"
when matched then update set "amount" = DBT_INTERNAL_SOURCE."amount", "status" = DBT_INTERNAL_SOURCE."status"
when not matched then insert ("id", "amount", "status") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."status");
commit;

-- microbatch_batch_outside_window
select count(*) as n from "analytics"."orders__tsql_incr" where not coalesce(event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00', false);

-- microbatch_batch
begin;
delete from "analytics"."orders" where event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00';
insert into "analytics"."orders" ("event_date", "amount")
select "event_date", "amount" from "analytics"."orders__tsql_incr";
commit;

-- merge_nothing_to_update
merge into "analytics"."orders"
using "analytics"."orders__tsql_incr" as DBT_INTERNAL_SOURCE
on "analytics"."orders"."id" = DBT_INTERNAL_SOURCE."id"
when matched then update set "id" = DBT_INTERNAL_SOURCE."id"
when not matched then insert ("id") values (DBT_INTERNAL_SOURCE."id");

-- add_column
alter table "analytics"."orders" add column "doubled" integer;

-- drop_column
alter table "analytics"."orders" drop column "doubled";

-- describe_columns
select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'analytics' and c.relname = 'orders' and a.attnum > 0 and not a.attisdropped
order by a.attnum;

-- describe_unbound_columns
select name, type from (
  select col_name as name, col_type as type, col_num as position
  from pg_get_late_binding_view_cols() cols(view_schema name, view_name name, col_name name, col_type varchar, col_num int)
  where view_schema = 'spectrum' and view_name = 'user_purchase_staging'
  union all
  select columnname as name, external_type as type, columnnum as position
  from svv_external_columns
  where schemaname = 'spectrum' and tablename = 'user_purchase_staging'
) as c
order by position;

-- catalog
select current_database() as database, n.nspname as schema, c.relname as identifier, case when c.relkind = 'v' then 'view' else 'table' end as kind
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv') and n.nspname not like 'pg_temp%'
union all
select current_database() as database, schemaname as schema, tablename as identifier, 'external' as kind
from svv_external_tables;

-- catalog_columns
select current_database() as database, n.nspname as schema, c.relname as identifier, a.attname as name, format_type(a.atttypid, a.atttypmod) as type
from pg_catalog.pg_attribute a
join pg_catalog.pg_class c on c.oid = a.attrelid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'v') and a.attnum > 0 and not a.attisdropped
  and n.nspname not in ('pg_catalog', 'information_schema', 'pg_internal', 'pg_automv') and n.nspname not like 'pg_temp%'
order by n.nspname, c.relname, a.attnum;

-- quote_string
'it''s a \\ backslash';

-- count_where
count(case when "id" is null then 1 end);

-- freshness
select
  max(invoice_date) as max_loaded_at,
  getdate() as snapshotted_at,
  datediff(second, cast(max(invoice_date) as timestamp), getdate()) as age_seconds
from "spectrum"."user_purchase_staging"
where insert_date >= '2024-01-01';

-- freshness_of_loaded_at_query
select
  max(max_loaded_at) as max_loaded_at,
  getdate() as snapshotted_at,
  datediff(second, cast(max(max_loaded_at) as timestamp), getdate()) as age_seconds
from (select (
select max(loaded_at) from raw.events
) as max_loaded_at) as tsql_loaded_at;

-- unload_csv
unload ('
select invoice_number, ''it''''s'' as note, replace(detail, ''\\'', ''/'') as detail
from "analytics"."user_purchase"
where country = ''United Kingdom'' -- only the UK
')
to 's3://lake-bucket/stage/user_purchase/2024-01-03/user_purchase_'
iam_role 'arn:aws:iam::123456789012:role/tsql-lake'
format csv header extension 'csv' allowoverwrite parallel off;

-- unload_csv_options
unload ('
select 1 as id
')
to 's3://lake-bucket/stage/x/2024-01-03/x_'
iam_role 'arn:aws:iam::123456789012:role/other'
region 'eu-west-1'
format csv delimiter '|' gzip maxfilesize 1 gb cleanpath parallel off;

-- unload_parquet
unload ('
select invoice_number, ''it''''s'' as note, replace(detail, ''\\'', ''/'') as detail
from "analytics"."user_purchase"
where country = ''United Kingdom'' -- only the UK
')
to 's3://lake-bucket/stage/movie_review/2024-01-03/classified_movie_review_'
iam_role 'arn:aws:iam::123456789012:role/tsql-lake'
format parquet maxfilesize 256 mb allowoverwrite parallel off;

-- unload_to_folder_default_role
unload ('
select 1 as id
')
to 's3://lake-bucket/stage/y/'
iam_role default
format parquet allowoverwrite parallel on;

-- seed_copy_from_s3
copy "analytics"."orders__tsql_tmp" ("id", "name", "born")
from 's3://lake-bucket/seeds/user_purchase.csv'
iam_role 'arn:aws:iam::123456789012:role/tsql-lake'
region 'us-east-1'
format as csv ignoreheader 1;

-- external_schema
create external schema if not exists "spectrum"
from data catalog database 'spectrumdb'
iam_role 'arn:aws:iam::123456789012:role/tsql-lake'
create external database if not exists;

-- external_schema_region_default_role
create external schema if not exists "spectrum"
from data catalog database 'lake'
region 'us-west-2'
iam_role default
create external database if not exists;

-- external_table_query
select schemaname, tablename, location from svv_external_tables
where lower(schemaname) = lower('spectrum') and lower(tablename) = lower('user_purchase_staging');

-- external_table_csv_partitioned
create external table "spectrum"."user_purchase_staging" (
  "invoice_number" varchar(10),
  "detail" varchar(1000),
  "quantity" integer,
  "invoice_date" timestamp,
  "unit_price" decimal(8, 3)
)
partitioned by ("insert_date" date)
row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
with serdeproperties ('separatorChar' = ',', 'quoteChar' = '"')
stored as textfile
location 's3://lake-bucket/stage/user_purchase/'
table properties ('skip.header.line.count'='1');

-- external_table_csv_pipe_no_header
create external table "spectrum"."user_purchase_staging" (
  "invoice_number" varchar(10),
  "detail" varchar(1000),
  "quantity" integer,
  "invoice_date" timestamp,
  "unit_price" decimal(8, 3)
)
row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
with serdeproperties ('separatorChar' = '|', 'quoteChar' = '"')
stored as textfile
location 's3://lake-bucket/stage/user_purchase/'
table properties ('numRows'='1000');

-- external_table_csv_row_format
create external table "spectrum"."user_purchase_staging" (
  "invoice_number" varchar(10),
  "detail" varchar(1000),
  "quantity" integer,
  "invoice_date" timestamp,
  "unit_price" decimal(8, 3)
)
partitioned by ("insert_date" date)
row format delimited fields terminated by ','
stored as textfile
location 's3://lake-bucket/stage/user_purchase/'
table properties ('skip.header.line.count'='1');

-- external_table_parquet_hive
create external table "spectrum"."classified_movie_review_staging" (
  "cid" integer,
  "positive_review" boolean
)
partitioned by ("year" integer, "insert_date" date)
stored as parquet
location 's3://lake-bucket/stage/movie_review/';

-- drop_external
drop table if exists "spectrum"."user_purchase_staging";

-- add_partitions_250_days
alter table "spectrum"."user_purchase_staging" add if not exists
partition ("insert_date"='2024-01-01') location 's3://lake-bucket/stage/user_purchase/2024-01-01/'
partition ("insert_date"='2024-01-02') location 's3://lake-bucket/stage/user_purchase/2024-01-02/'
partition ("insert_date"='2024-01-03') location 's3://lake-bucket/stage/user_purchase/2024-01-03/'
partition ("insert_date"='2024-01-04') location 's3://lake-bucket/stage/user_purchase/2024-01-04/'
partition ("insert_date"='2024-01-05') location 's3://lake-bucket/stage/user_purchase/2024-01-05/'
partition ("insert_date"='2024-01-06') location 's3://lake-bucket/stage/user_purchase/2024-01-06/'
partition ("insert_date"='2024-01-07') location 's3://lake-bucket/stage/user_purchase/2024-01-07/'
partition ("insert_date"='2024-01-08') location 's3://lake-bucket/stage/user_purchase/2024-01-08/'
partition ("insert_date"='2024-01-09') location 's3://lake-bucket/stage/user_purchase/2024-01-09/'
partition ("insert_date"='2024-01-10') location 's3://lake-bucket/stage/user_purchase/2024-01-10/'
partition ("insert_date"='2024-01-11') location 's3://lake-bucket/stage/user_purchase/2024-01-11/'
partition ("insert_date"='2024-01-12') location 's3://lake-bucket/stage/user_purchase/2024-01-12/'
partition ("insert_date"='2024-01-13') location 's3://lake-bucket/stage/user_purchase/2024-01-13/'
partition ("insert_date"='2024-01-14') location 's3://lake-bucket/stage/user_purchase/2024-01-14/'
partition ("insert_date"='2024-01-15') location 's3://lake-bucket/stage/user_purchase/2024-01-15/'
partition ("insert_date"='2024-01-16') location 's3://lake-bucket/stage/user_purchase/2024-01-16/'
partition ("insert_date"='2024-01-17') location 's3://lake-bucket/stage/user_purchase/2024-01-17/'
partition ("insert_date"='2024-01-18') location 's3://lake-bucket/stage/user_purchase/2024-01-18/'
partition ("insert_date"='2024-01-19') location 's3://lake-bucket/stage/user_purchase/2024-01-19/'
partition ("insert_date"='2024-01-20') location 's3://lake-bucket/stage/user_purchase/2024-01-20/'
partition ("insert_date"='2024-01-21') location 's3://lake-bucket/stage/user_purchase/2024-01-21/'
partition ("insert_date"='2024-01-22') location 's3://lake-bucket/stage/user_purchase/2024-01-22/'
partition ("insert_date"='2024-01-23') location 's3://lake-bucket/stage/user_purchase/2024-01-23/'
partition ("insert_date"='2024-01-24') location 's3://lake-bucket/stage/user_purchase/2024-01-24/'
partition ("insert_date"='2024-01-25') location 's3://lake-bucket/stage/user_purchase/2024-01-25/'
partition ("insert_date"='2024-01-26') location 's3://lake-bucket/stage/user_purchase/2024-01-26/'
partition ("insert_date"='2024-01-27') location 's3://lake-bucket/stage/user_purchase/2024-01-27/'
partition ("insert_date"='2024-01-28') location 's3://lake-bucket/stage/user_purchase/2024-01-28/'
partition ("insert_date"='2024-01-29') location 's3://lake-bucket/stage/user_purchase/2024-01-29/'
partition ("insert_date"='2024-01-30') location 's3://lake-bucket/stage/user_purchase/2024-01-30/'
partition ("insert_date"='2024-01-31') location 's3://lake-bucket/stage/user_purchase/2024-01-31/'
partition ("insert_date"='2024-02-01') location 's3://lake-bucket/stage/user_purchase/2024-02-01/'
partition ("insert_date"='2024-02-02') location 's3://lake-bucket/stage/user_purchase/2024-02-02/'
partition ("insert_date"='2024-02-03') location 's3://lake-bucket/stage/user_purchase/2024-02-03/'
partition ("insert_date"='2024-02-04') location 's3://lake-bucket/stage/user_purchase/2024-02-04/'
partition ("insert_date"='2024-02-05') location 's3://lake-bucket/stage/user_purchase/2024-02-05/'
partition ("insert_date"='2024-02-06') location 's3://lake-bucket/stage/user_purchase/2024-02-06/'
partition ("insert_date"='2024-02-07') location 's3://lake-bucket/stage/user_purchase/2024-02-07/'
partition ("insert_date"='2024-02-08') location 's3://lake-bucket/stage/user_purchase/2024-02-08/'
partition ("insert_date"='2024-02-09') location 's3://lake-bucket/stage/user_purchase/2024-02-09/'
partition ("insert_date"='2024-02-10') location 's3://lake-bucket/stage/user_purchase/2024-02-10/'
partition ("insert_date"='2024-02-11') location 's3://lake-bucket/stage/user_purchase/2024-02-11/'
partition ("insert_date"='2024-02-12') location 's3://lake-bucket/stage/user_purchase/2024-02-12/'
partition ("insert_date"='2024-02-13') location 's3://lake-bucket/stage/user_purchase/2024-02-13/'
partition ("insert_date"='2024-02-14') location 's3://lake-bucket/stage/user_purchase/2024-02-14/'
partition ("insert_date"='2024-02-15') location 's3://lake-bucket/stage/user_purchase/2024-02-15/'
partition ("insert_date"='2024-02-16') location 's3://lake-bucket/stage/user_purchase/2024-02-16/'
partition ("insert_date"='2024-02-17') location 's3://lake-bucket/stage/user_purchase/2024-02-17/'
partition ("insert_date"='2024-02-18') location 's3://lake-bucket/stage/user_purchase/2024-02-18/'
partition ("insert_date"='2024-02-19') location 's3://lake-bucket/stage/user_purchase/2024-02-19/'
partition ("insert_date"='2024-02-20') location 's3://lake-bucket/stage/user_purchase/2024-02-20/'
partition ("insert_date"='2024-02-21') location 's3://lake-bucket/stage/user_purchase/2024-02-21/'
partition ("insert_date"='2024-02-22') location 's3://lake-bucket/stage/user_purchase/2024-02-22/'
partition ("insert_date"='2024-02-23') location 's3://lake-bucket/stage/user_purchase/2024-02-23/'
partition ("insert_date"='2024-02-24') location 's3://lake-bucket/stage/user_purchase/2024-02-24/'
partition ("insert_date"='2024-02-25') location 's3://lake-bucket/stage/user_purchase/2024-02-25/'
partition ("insert_date"='2024-02-26') location 's3://lake-bucket/stage/user_purchase/2024-02-26/'
partition ("insert_date"='2024-02-27') location 's3://lake-bucket/stage/user_purchase/2024-02-27/'
partition ("insert_date"='2024-02-28') location 's3://lake-bucket/stage/user_purchase/2024-02-28/'
partition ("insert_date"='2024-02-29') location 's3://lake-bucket/stage/user_purchase/2024-02-29/'
partition ("insert_date"='2024-03-01') location 's3://lake-bucket/stage/user_purchase/2024-03-01/'
partition ("insert_date"='2024-03-02') location 's3://lake-bucket/stage/user_purchase/2024-03-02/'
partition ("insert_date"='2024-03-03') location 's3://lake-bucket/stage/user_purchase/2024-03-03/'
partition ("insert_date"='2024-03-04') location 's3://lake-bucket/stage/user_purchase/2024-03-04/'
partition ("insert_date"='2024-03-05') location 's3://lake-bucket/stage/user_purchase/2024-03-05/'
partition ("insert_date"='2024-03-06') location 's3://lake-bucket/stage/user_purchase/2024-03-06/'
partition ("insert_date"='2024-03-07') location 's3://lake-bucket/stage/user_purchase/2024-03-07/'
partition ("insert_date"='2024-03-08') location 's3://lake-bucket/stage/user_purchase/2024-03-08/'
partition ("insert_date"='2024-03-09') location 's3://lake-bucket/stage/user_purchase/2024-03-09/'
partition ("insert_date"='2024-03-10') location 's3://lake-bucket/stage/user_purchase/2024-03-10/'
partition ("insert_date"='2024-03-11') location 's3://lake-bucket/stage/user_purchase/2024-03-11/'
partition ("insert_date"='2024-03-12') location 's3://lake-bucket/stage/user_purchase/2024-03-12/'
partition ("insert_date"='2024-03-13') location 's3://lake-bucket/stage/user_purchase/2024-03-13/'
partition ("insert_date"='2024-03-14') location 's3://lake-bucket/stage/user_purchase/2024-03-14/'
partition ("insert_date"='2024-03-15') location 's3://lake-bucket/stage/user_purchase/2024-03-15/'
partition ("insert_date"='2024-03-16') location 's3://lake-bucket/stage/user_purchase/2024-03-16/'
partition ("insert_date"='2024-03-17') location 's3://lake-bucket/stage/user_purchase/2024-03-17/'
partition ("insert_date"='2024-03-18') location 's3://lake-bucket/stage/user_purchase/2024-03-18/'
partition ("insert_date"='2024-03-19') location 's3://lake-bucket/stage/user_purchase/2024-03-19/'
partition ("insert_date"='2024-03-20') location 's3://lake-bucket/stage/user_purchase/2024-03-20/'
partition ("insert_date"='2024-03-21') location 's3://lake-bucket/stage/user_purchase/2024-03-21/'
partition ("insert_date"='2024-03-22') location 's3://lake-bucket/stage/user_purchase/2024-03-22/'
partition ("insert_date"='2024-03-23') location 's3://lake-bucket/stage/user_purchase/2024-03-23/'
partition ("insert_date"='2024-03-24') location 's3://lake-bucket/stage/user_purchase/2024-03-24/'
partition ("insert_date"='2024-03-25') location 's3://lake-bucket/stage/user_purchase/2024-03-25/'
partition ("insert_date"='2024-03-26') location 's3://lake-bucket/stage/user_purchase/2024-03-26/'
partition ("insert_date"='2024-03-27') location 's3://lake-bucket/stage/user_purchase/2024-03-27/'
partition ("insert_date"='2024-03-28') location 's3://lake-bucket/stage/user_purchase/2024-03-28/'
partition ("insert_date"='2024-03-29') location 's3://lake-bucket/stage/user_purchase/2024-03-29/'
partition ("insert_date"='2024-03-30') location 's3://lake-bucket/stage/user_purchase/2024-03-30/'
partition ("insert_date"='2024-03-31') location 's3://lake-bucket/stage/user_purchase/2024-03-31/'
partition ("insert_date"='2024-04-01') location 's3://lake-bucket/stage/user_purchase/2024-04-01/'
partition ("insert_date"='2024-04-02') location 's3://lake-bucket/stage/user_purchase/2024-04-02/'
partition ("insert_date"='2024-04-03') location 's3://lake-bucket/stage/user_purchase/2024-04-03/'
partition ("insert_date"='2024-04-04') location 's3://lake-bucket/stage/user_purchase/2024-04-04/'
partition ("insert_date"='2024-04-05') location 's3://lake-bucket/stage/user_purchase/2024-04-05/'
partition ("insert_date"='2024-04-06') location 's3://lake-bucket/stage/user_purchase/2024-04-06/'
partition ("insert_date"='2024-04-07') location 's3://lake-bucket/stage/user_purchase/2024-04-07/'
partition ("insert_date"='2024-04-08') location 's3://lake-bucket/stage/user_purchase/2024-04-08/'
partition ("insert_date"='2024-04-09') location 's3://lake-bucket/stage/user_purchase/2024-04-09/';
alter table "spectrum"."user_purchase_staging" add if not exists
partition ("insert_date"='2024-04-10') location 's3://lake-bucket/stage/user_purchase/2024-04-10/'
partition ("insert_date"='2024-04-11') location 's3://lake-bucket/stage/user_purchase/2024-04-11/'
partition ("insert_date"='2024-04-12') location 's3://lake-bucket/stage/user_purchase/2024-04-12/'
partition ("insert_date"='2024-04-13') location 's3://lake-bucket/stage/user_purchase/2024-04-13/'
partition ("insert_date"='2024-04-14') location 's3://lake-bucket/stage/user_purchase/2024-04-14/'
partition ("insert_date"='2024-04-15') location 's3://lake-bucket/stage/user_purchase/2024-04-15/'
partition ("insert_date"='2024-04-16') location 's3://lake-bucket/stage/user_purchase/2024-04-16/'
partition ("insert_date"='2024-04-17') location 's3://lake-bucket/stage/user_purchase/2024-04-17/'
partition ("insert_date"='2024-04-18') location 's3://lake-bucket/stage/user_purchase/2024-04-18/'
partition ("insert_date"='2024-04-19') location 's3://lake-bucket/stage/user_purchase/2024-04-19/'
partition ("insert_date"='2024-04-20') location 's3://lake-bucket/stage/user_purchase/2024-04-20/'
partition ("insert_date"='2024-04-21') location 's3://lake-bucket/stage/user_purchase/2024-04-21/'
partition ("insert_date"='2024-04-22') location 's3://lake-bucket/stage/user_purchase/2024-04-22/'
partition ("insert_date"='2024-04-23') location 's3://lake-bucket/stage/user_purchase/2024-04-23/'
partition ("insert_date"='2024-04-24') location 's3://lake-bucket/stage/user_purchase/2024-04-24/'
partition ("insert_date"='2024-04-25') location 's3://lake-bucket/stage/user_purchase/2024-04-25/'
partition ("insert_date"='2024-04-26') location 's3://lake-bucket/stage/user_purchase/2024-04-26/'
partition ("insert_date"='2024-04-27') location 's3://lake-bucket/stage/user_purchase/2024-04-27/'
partition ("insert_date"='2024-04-28') location 's3://lake-bucket/stage/user_purchase/2024-04-28/'
partition ("insert_date"='2024-04-29') location 's3://lake-bucket/stage/user_purchase/2024-04-29/'
partition ("insert_date"='2024-04-30') location 's3://lake-bucket/stage/user_purchase/2024-04-30/'
partition ("insert_date"='2024-05-01') location 's3://lake-bucket/stage/user_purchase/2024-05-01/'
partition ("insert_date"='2024-05-02') location 's3://lake-bucket/stage/user_purchase/2024-05-02/'
partition ("insert_date"='2024-05-03') location 's3://lake-bucket/stage/user_purchase/2024-05-03/'
partition ("insert_date"='2024-05-04') location 's3://lake-bucket/stage/user_purchase/2024-05-04/'
partition ("insert_date"='2024-05-05') location 's3://lake-bucket/stage/user_purchase/2024-05-05/'
partition ("insert_date"='2024-05-06') location 's3://lake-bucket/stage/user_purchase/2024-05-06/'
partition ("insert_date"='2024-05-07') location 's3://lake-bucket/stage/user_purchase/2024-05-07/'
partition ("insert_date"='2024-05-08') location 's3://lake-bucket/stage/user_purchase/2024-05-08/'
partition ("insert_date"='2024-05-09') location 's3://lake-bucket/stage/user_purchase/2024-05-09/'
partition ("insert_date"='2024-05-10') location 's3://lake-bucket/stage/user_purchase/2024-05-10/'
partition ("insert_date"='2024-05-11') location 's3://lake-bucket/stage/user_purchase/2024-05-11/'
partition ("insert_date"='2024-05-12') location 's3://lake-bucket/stage/user_purchase/2024-05-12/'
partition ("insert_date"='2024-05-13') location 's3://lake-bucket/stage/user_purchase/2024-05-13/'
partition ("insert_date"='2024-05-14') location 's3://lake-bucket/stage/user_purchase/2024-05-14/'
partition ("insert_date"='2024-05-15') location 's3://lake-bucket/stage/user_purchase/2024-05-15/'
partition ("insert_date"='2024-05-16') location 's3://lake-bucket/stage/user_purchase/2024-05-16/'
partition ("insert_date"='2024-05-17') location 's3://lake-bucket/stage/user_purchase/2024-05-17/'
partition ("insert_date"='2024-05-18') location 's3://lake-bucket/stage/user_purchase/2024-05-18/'
partition ("insert_date"='2024-05-19') location 's3://lake-bucket/stage/user_purchase/2024-05-19/'
partition ("insert_date"='2024-05-20') location 's3://lake-bucket/stage/user_purchase/2024-05-20/'
partition ("insert_date"='2024-05-21') location 's3://lake-bucket/stage/user_purchase/2024-05-21/'
partition ("insert_date"='2024-05-22') location 's3://lake-bucket/stage/user_purchase/2024-05-22/'
partition ("insert_date"='2024-05-23') location 's3://lake-bucket/stage/user_purchase/2024-05-23/'
partition ("insert_date"='2024-05-24') location 's3://lake-bucket/stage/user_purchase/2024-05-24/'
partition ("insert_date"='2024-05-25') location 's3://lake-bucket/stage/user_purchase/2024-05-25/'
partition ("insert_date"='2024-05-26') location 's3://lake-bucket/stage/user_purchase/2024-05-26/'
partition ("insert_date"='2024-05-27') location 's3://lake-bucket/stage/user_purchase/2024-05-27/'
partition ("insert_date"='2024-05-28') location 's3://lake-bucket/stage/user_purchase/2024-05-28/'
partition ("insert_date"='2024-05-29') location 's3://lake-bucket/stage/user_purchase/2024-05-29/'
partition ("insert_date"='2024-05-30') location 's3://lake-bucket/stage/user_purchase/2024-05-30/'
partition ("insert_date"='2024-05-31') location 's3://lake-bucket/stage/user_purchase/2024-05-31/'
partition ("insert_date"='2024-06-01') location 's3://lake-bucket/stage/user_purchase/2024-06-01/'
partition ("insert_date"='2024-06-02') location 's3://lake-bucket/stage/user_purchase/2024-06-02/'
partition ("insert_date"='2024-06-03') location 's3://lake-bucket/stage/user_purchase/2024-06-03/'
partition ("insert_date"='2024-06-04') location 's3://lake-bucket/stage/user_purchase/2024-06-04/'
partition ("insert_date"='2024-06-05') location 's3://lake-bucket/stage/user_purchase/2024-06-05/'
partition ("insert_date"='2024-06-06') location 's3://lake-bucket/stage/user_purchase/2024-06-06/'
partition ("insert_date"='2024-06-07') location 's3://lake-bucket/stage/user_purchase/2024-06-07/'
partition ("insert_date"='2024-06-08') location 's3://lake-bucket/stage/user_purchase/2024-06-08/'
partition ("insert_date"='2024-06-09') location 's3://lake-bucket/stage/user_purchase/2024-06-09/'
partition ("insert_date"='2024-06-10') location 's3://lake-bucket/stage/user_purchase/2024-06-10/'
partition ("insert_date"='2024-06-11') location 's3://lake-bucket/stage/user_purchase/2024-06-11/'
partition ("insert_date"='2024-06-12') location 's3://lake-bucket/stage/user_purchase/2024-06-12/'
partition ("insert_date"='2024-06-13') location 's3://lake-bucket/stage/user_purchase/2024-06-13/'
partition ("insert_date"='2024-06-14') location 's3://lake-bucket/stage/user_purchase/2024-06-14/'
partition ("insert_date"='2024-06-15') location 's3://lake-bucket/stage/user_purchase/2024-06-15/'
partition ("insert_date"='2024-06-16') location 's3://lake-bucket/stage/user_purchase/2024-06-16/'
partition ("insert_date"='2024-06-17') location 's3://lake-bucket/stage/user_purchase/2024-06-17/'
partition ("insert_date"='2024-06-18') location 's3://lake-bucket/stage/user_purchase/2024-06-18/'
partition ("insert_date"='2024-06-19') location 's3://lake-bucket/stage/user_purchase/2024-06-19/'
partition ("insert_date"='2024-06-20') location 's3://lake-bucket/stage/user_purchase/2024-06-20/'
partition ("insert_date"='2024-06-21') location 's3://lake-bucket/stage/user_purchase/2024-06-21/'
partition ("insert_date"='2024-06-22') location 's3://lake-bucket/stage/user_purchase/2024-06-22/'
partition ("insert_date"='2024-06-23') location 's3://lake-bucket/stage/user_purchase/2024-06-23/'
partition ("insert_date"='2024-06-24') location 's3://lake-bucket/stage/user_purchase/2024-06-24/'
partition ("insert_date"='2024-06-25') location 's3://lake-bucket/stage/user_purchase/2024-06-25/'
partition ("insert_date"='2024-06-26') location 's3://lake-bucket/stage/user_purchase/2024-06-26/'
partition ("insert_date"='2024-06-27') location 's3://lake-bucket/stage/user_purchase/2024-06-27/'
partition ("insert_date"='2024-06-28') location 's3://lake-bucket/stage/user_purchase/2024-06-28/'
partition ("insert_date"='2024-06-29') location 's3://lake-bucket/stage/user_purchase/2024-06-29/'
partition ("insert_date"='2024-06-30') location 's3://lake-bucket/stage/user_purchase/2024-06-30/'
partition ("insert_date"='2024-07-01') location 's3://lake-bucket/stage/user_purchase/2024-07-01/'
partition ("insert_date"='2024-07-02') location 's3://lake-bucket/stage/user_purchase/2024-07-02/'
partition ("insert_date"='2024-07-03') location 's3://lake-bucket/stage/user_purchase/2024-07-03/'
partition ("insert_date"='2024-07-04') location 's3://lake-bucket/stage/user_purchase/2024-07-04/'
partition ("insert_date"='2024-07-05') location 's3://lake-bucket/stage/user_purchase/2024-07-05/'
partition ("insert_date"='2024-07-06') location 's3://lake-bucket/stage/user_purchase/2024-07-06/'
partition ("insert_date"='2024-07-07') location 's3://lake-bucket/stage/user_purchase/2024-07-07/'
partition ("insert_date"='2024-07-08') location 's3://lake-bucket/stage/user_purchase/2024-07-08/'
partition ("insert_date"='2024-07-09') location 's3://lake-bucket/stage/user_purchase/2024-07-09/'
partition ("insert_date"='2024-07-10') location 's3://lake-bucket/stage/user_purchase/2024-07-10/'
partition ("insert_date"='2024-07-11') location 's3://lake-bucket/stage/user_purchase/2024-07-11/'
partition ("insert_date"='2024-07-12') location 's3://lake-bucket/stage/user_purchase/2024-07-12/'
partition ("insert_date"='2024-07-13') location 's3://lake-bucket/stage/user_purchase/2024-07-13/'
partition ("insert_date"='2024-07-14') location 's3://lake-bucket/stage/user_purchase/2024-07-14/'
partition ("insert_date"='2024-07-15') location 's3://lake-bucket/stage/user_purchase/2024-07-15/'
partition ("insert_date"='2024-07-16') location 's3://lake-bucket/stage/user_purchase/2024-07-16/'
partition ("insert_date"='2024-07-17') location 's3://lake-bucket/stage/user_purchase/2024-07-17/'
partition ("insert_date"='2024-07-18') location 's3://lake-bucket/stage/user_purchase/2024-07-18/';
alter table "spectrum"."user_purchase_staging" add if not exists
partition ("insert_date"='2024-07-19') location 's3://lake-bucket/stage/user_purchase/2024-07-19/'
partition ("insert_date"='2024-07-20') location 's3://lake-bucket/stage/user_purchase/2024-07-20/'
partition ("insert_date"='2024-07-21') location 's3://lake-bucket/stage/user_purchase/2024-07-21/'
partition ("insert_date"='2024-07-22') location 's3://lake-bucket/stage/user_purchase/2024-07-22/'
partition ("insert_date"='2024-07-23') location 's3://lake-bucket/stage/user_purchase/2024-07-23/'
partition ("insert_date"='2024-07-24') location 's3://lake-bucket/stage/user_purchase/2024-07-24/'
partition ("insert_date"='2024-07-25') location 's3://lake-bucket/stage/user_purchase/2024-07-25/'
partition ("insert_date"='2024-07-26') location 's3://lake-bucket/stage/user_purchase/2024-07-26/'
partition ("insert_date"='2024-07-27') location 's3://lake-bucket/stage/user_purchase/2024-07-27/'
partition ("insert_date"='2024-07-28') location 's3://lake-bucket/stage/user_purchase/2024-07-28/'
partition ("insert_date"='2024-07-29') location 's3://lake-bucket/stage/user_purchase/2024-07-29/'
partition ("insert_date"='2024-07-30') location 's3://lake-bucket/stage/user_purchase/2024-07-30/'
partition ("insert_date"='2024-07-31') location 's3://lake-bucket/stage/user_purchase/2024-07-31/'
partition ("insert_date"='2024-08-01') location 's3://lake-bucket/stage/user_purchase/2024-08-01/'
partition ("insert_date"='2024-08-02') location 's3://lake-bucket/stage/user_purchase/2024-08-02/'
partition ("insert_date"='2024-08-03') location 's3://lake-bucket/stage/user_purchase/2024-08-03/'
partition ("insert_date"='2024-08-04') location 's3://lake-bucket/stage/user_purchase/2024-08-04/'
partition ("insert_date"='2024-08-05') location 's3://lake-bucket/stage/user_purchase/2024-08-05/'
partition ("insert_date"='2024-08-06') location 's3://lake-bucket/stage/user_purchase/2024-08-06/'
partition ("insert_date"='2024-08-07') location 's3://lake-bucket/stage/user_purchase/2024-08-07/'
partition ("insert_date"='2024-08-08') location 's3://lake-bucket/stage/user_purchase/2024-08-08/'
partition ("insert_date"='2024-08-09') location 's3://lake-bucket/stage/user_purchase/2024-08-09/'
partition ("insert_date"='2024-08-10') location 's3://lake-bucket/stage/user_purchase/2024-08-10/'
partition ("insert_date"='2024-08-11') location 's3://lake-bucket/stage/user_purchase/2024-08-11/'
partition ("insert_date"='2024-08-12') location 's3://lake-bucket/stage/user_purchase/2024-08-12/'
partition ("insert_date"='2024-08-13') location 's3://lake-bucket/stage/user_purchase/2024-08-13/'
partition ("insert_date"='2024-08-14') location 's3://lake-bucket/stage/user_purchase/2024-08-14/'
partition ("insert_date"='2024-08-15') location 's3://lake-bucket/stage/user_purchase/2024-08-15/'
partition ("insert_date"='2024-08-16') location 's3://lake-bucket/stage/user_purchase/2024-08-16/'
partition ("insert_date"='2024-08-17') location 's3://lake-bucket/stage/user_purchase/2024-08-17/'
partition ("insert_date"='2024-08-18') location 's3://lake-bucket/stage/user_purchase/2024-08-18/'
partition ("insert_date"='2024-08-19') location 's3://lake-bucket/stage/user_purchase/2024-08-19/'
partition ("insert_date"='2024-08-20') location 's3://lake-bucket/stage/user_purchase/2024-08-20/'
partition ("insert_date"='2024-08-21') location 's3://lake-bucket/stage/user_purchase/2024-08-21/'
partition ("insert_date"='2024-08-22') location 's3://lake-bucket/stage/user_purchase/2024-08-22/'
partition ("insert_date"='2024-08-23') location 's3://lake-bucket/stage/user_purchase/2024-08-23/'
partition ("insert_date"='2024-08-24') location 's3://lake-bucket/stage/user_purchase/2024-08-24/'
partition ("insert_date"='2024-08-25') location 's3://lake-bucket/stage/user_purchase/2024-08-25/'
partition ("insert_date"='2024-08-26') location 's3://lake-bucket/stage/user_purchase/2024-08-26/'
partition ("insert_date"='2024-08-27') location 's3://lake-bucket/stage/user_purchase/2024-08-27/'
partition ("insert_date"='2024-08-28') location 's3://lake-bucket/stage/user_purchase/2024-08-28/'
partition ("insert_date"='2024-08-29') location 's3://lake-bucket/stage/user_purchase/2024-08-29/'
partition ("insert_date"='2024-08-30') location 's3://lake-bucket/stage/user_purchase/2024-08-30/'
partition ("insert_date"='2024-08-31') location 's3://lake-bucket/stage/user_purchase/2024-08-31/'
partition ("insert_date"='2024-09-01') location 's3://lake-bucket/stage/user_purchase/2024-09-01/'
partition ("insert_date"='2024-09-02') location 's3://lake-bucket/stage/user_purchase/2024-09-02/'
partition ("insert_date"='2024-09-03') location 's3://lake-bucket/stage/user_purchase/2024-09-03/'
partition ("insert_date"='2024-09-04') location 's3://lake-bucket/stage/user_purchase/2024-09-04/'
partition ("insert_date"='2024-09-05') location 's3://lake-bucket/stage/user_purchase/2024-09-05/'
partition ("insert_date"='2024-09-06') location 's3://lake-bucket/stage/user_purchase/2024-09-06/';

-- add_partitions_key_value
alter table "spectrum"."classified_movie_review_staging" add if not exists
partition ("year"='2024', "insert_date"='2024-01-03') location 's3://lake-bucket/stage/movie_review/year=2024/insert_date=2024-01-03/'
partition ("year"='2024', "insert_date"='2024-01-04') location 's3://lake-bucket/stage/movie_review/year=2024/insert_date=2024-01-04/';

-- seed_insert_data_api
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
(:p1, :p2, :p3),
(:p4, '', NULL),
(:p5, NULL, :p6),
(:p7, :p8, :p9)
-- params: [{"name":"p1","value":"1"},{"name":"p2","value":"O'Brien"},{"name":"p3","value":"1990-01-02"},{"name":"p4","value":"2"},{"name":"p5","value":"3"},{"name":"p6","value":"2001-12-31"},{"name":"p7","value":"4"},{"name":"p8","value":"a \"quoted\" name"},{"name":"p9","value":"1970-01-01"}];

-- seed_insert_data_api_small_statements
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
(:p1, :p2, :p3),
(:p4, '', NULL)
-- params: [{"name":"p1","value":"1"},{"name":"p2","value":"O'Brien"},{"name":"p3","value":"1990-01-02"},{"name":"p4","value":"2"}];
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
(:p1, NULL, :p2)
-- params: [{"name":"p1","value":"3"},{"name":"p2","value":"2001-12-31"}];
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
(:p1, :p2, :p3)
-- params: [{"name":"p1","value":"4"},{"name":"p2","value":"a \"quoted\" name"},{"name":"p3","value":"1970-01-01"}];

-- seed_insert_pg
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
($1, $2, $3),
($4, $5, $6),
($7, $8, $9),
($10, $11, $12)
-- params: ["1","O'Brien","1990-01-02","2","",null,"3",null,"2001-12-31","4","a \"quoted\" name","1970-01-01"];

-- seed_insert_pg_param_limit
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
($1, $2, $3),
($4, $5, $6)
-- params: ["1","O'Brien","1990-01-02","2","",null];
insert into "analytics"."orders__tsql_tmp" ("id", "name", "born") values
($1, $2, $3),
($4, $5, $6)
-- params: ["3",null,"2001-12-31","4","a \"quoted\" name","1970-01-01"];
