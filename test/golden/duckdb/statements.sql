-- create_schema
create schema if not exists "warehouse"."main_analytics";

-- create_view
create view "warehouse"."main"."orders" as (
select 1 as id
);

-- create_table_as
create table "warehouse"."main"."orders" as (
select 1 as id
);

-- create_table
create table "warehouse"."main"."orders" (
  "id" integer,
  "note ""quoted""" varchar
);

-- drop_table
drop table if exists "warehouse"."main"."orders";

-- drop_view
drop view if exists "warehouse"."main"."orders";

-- rename_table
alter table "warehouse"."main"."orders__tsql_incr" rename to "orders";

-- insert
insert into "warehouse"."main"."orders" ("id", "amount")
select "id", "amount" from "warehouse"."main"."orders__tsql_incr";

-- delete_matching
delete from "warehouse"."main"."orders"
using (select distinct "id", "day" from "warehouse"."main"."orders__tsql_incr") as __tsql_source
where "warehouse"."main"."orders"."id" = __tsql_source."id"
  and "warehouse"."main"."orders"."day" = __tsql_source."day";

-- merge
merge into "warehouse"."main"."orders" as DBT_INTERNAL_DEST
using "warehouse"."main"."orders__tsql_incr" as DBT_INTERNAL_SOURCE
on DBT_INTERNAL_DEST."id" = DBT_INTERNAL_SOURCE."id"
when matched then update set "amount" = DBT_INTERNAL_SOURCE."amount", "status" = DBT_INTERNAL_SOURCE."status"
when not matched then insert ("id", "amount", "status") values (DBT_INTERNAL_SOURCE."id", DBT_INTERNAL_SOURCE."amount", DBT_INTERNAL_SOURCE."status");

-- microbatch_batch_outside_window
select count(*) as n from "warehouse"."main"."orders__tsql_incr" where not coalesce(event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00', false);

-- microbatch_batch
begin;
delete from "warehouse"."main"."orders" where event_date >= '2024-01-02 00:00:00+00:00' and event_date < '2024-01-03 00:00:00+00:00';
insert into "warehouse"."main"."orders" ("event_date", "amount")
select "event_date", "amount" from "warehouse"."main"."orders__tsql_incr";
commit;

-- add_column
alter table "warehouse"."main"."orders" add column "doubled" integer;

-- describe_columns
select column_name as name, data_type as type from information_schema.columns where table_schema = 'main' and table_name = 'orders' and table_catalog = 'warehouse' order by ordinal_position;

-- quote_string
'it''s';

-- freshness_of_loaded_at_query
select
  max(max_loaded_at) as max_loaded_at,
  current_timestamp as snapshotted_at,
  extract(epoch from current_timestamp) - extract(epoch from max(max_loaded_at)) as age_seconds
from (select (
select max(loaded_at) from raw.events
) as max_loaded_at) as tsql_loaded_at;

-- unload_csv
copy (
select 1 as id
) to '/lake/stage/x/2024-01-03/.x.csv.tsql_tmp' (format csv, header true, delimiter '|');

-- unload_parquet
copy (
select 1 as id
) to '/lake/stage/y/2024-01-03/y.parquet' (format parquet, compression 'zstd');

-- external_csv_value_only
create or replace view "warehouse"."spectrum"."user_purchase_staging" as (
select "invoice_number", "quantity", cast(regexp_extract(filename, '/([^/]+)/[^/]+$', 1) as date) as "insert_date"
from read_csv('/lake/stage/user_purchase/*/*.csv', header = true, columns = {'invoice_number': 'varchar(10)', 'quantity': 'integer'}, delimiter = ',', filename = true)
);

-- external_parquet_hive
create or replace view "warehouse"."spectrum"."reviews" as (
select cast("cid" as integer) as "cid", "year", "insert_date"
from read_parquet('s3://bucket/stage/movie_review/*/*/*.parquet', hive_partitioning = true, hive_types = {'year': integer, 'insert_date': date})
);

-- external_no_files_yet
create or replace view "warehouse"."spectrum"."empty" as (
select cast(null as integer) as "cid", cast(null as date) as "insert_date"
where false
);
