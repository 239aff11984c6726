/**
 * What the Redshift stand-in installs into a PostgreSQL database before using
 * it (idempotent, safe to run from several stand-ins at once):
 *  - schema `standin_catalog`, put on the database's search_path
 *    (`"$user", public, standin_catalog`) together with TimeZone UTC, as on
 *    Redshift; use a database of its own for the stand-in, since these are
 *    database-level settings;
 *  - Redshift functions as SQL functions (getdate, nvl, nvl2, dateadd,
 *    datediff, convert_timezone, len, charindex, trunc(timestamp), add_months,
 *    last_day, any_value, json_extract_path_text(varchar, …),
 *    json_extract_array_element_text);
 *  - Spectrum metadata tables and the system views over them:
 *    svv_external_schemas, svv_external_tables, svv_external_columns,
 *    svv_external_partitions, svv_tables, svv_table_info; svv_relation_privileges over
 *    PostgreSQL's ACLs, Redshift's users, groups and roles told apart (principals.ts);
 *  - an event trigger that forgets the metadata of dropped tables and schemas
 *    (needs a superuser; without one, the views still hide dropped tables);
 *  - stv_inflight, with the label `SET query_group` gives a session's queries;
 *  - a trigger function that makes UPDATE/DELETE/TRUNCATE on external tables
 *    fail as on Redshift (the stand-in's own loads set `standin.loading`).
 */
import pg from 'pg';
import { GROUP_PREFIX, ROLE_PREFIX } from './principals.js';

export const CATALOG_SCHEMA = 'standin_catalog';
/** Where the rows of external tables live (the default partition of each). */
export const SPECTRUM_DATA_SCHEMA = 'standin_spectrum';

export interface PgConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const DATEPARTS = {
  millennium: ['millennium', 'millennia', 'mil', 'mils'],
  century: ['century', 'centuries', 'c', 'cent', 'cents'],
  decade: ['decade', 'decades', 'dec', 'decs'],
  year: ['year', 'years', 'y', 'yr', 'yrs'],
  quarter: ['quarter', 'quarters', 'qtr', 'qtrs'],
  month: ['month', 'months', 'mon', 'mons'],
  week: ['week', 'weeks', 'w'],
  day: ['day', 'days', 'd'],
  hour: ['hour', 'hours', 'h', 'hr', 'hrs'],
  minute: ['minute', 'minutes', 'm', 'min', 'mins'],
  second: ['second', 'seconds', 's', 'sec', 'secs'],
  millisecond: ['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'msecond', 'mseconds', 'millisec', 'millisecs', 'millisecon'],
  microsecond: ['microsecond', 'microseconds', 'microsec', 'microsecs', 'microsecond', 'usecond', 'useconds', 'us', 'usec', 'usecs'],
};
const inList = (part: keyof typeof DATEPARTS) => `(${DATEPARTS[part].map((p) => `'${p}'`).join(', ')})`;

const S = CATALOG_SCHEMA;

/** The setup script (run inside one transaction under an advisory lock). */
export function catalogSetupSql(database: string): string[] {
  const db = `"${database.replace(/"/g, '""')}"`;
  return [
    `create schema if not exists ${S}`,
    `create schema if not exists ${SPECTRUM_DATA_SCHEMA}`,
    `grant usage on schema ${S} to public`,
    // ------------------------------------------------------------ metadata
    `create table if not exists ${S}.external_schemas (
      schemaname text primary key,
      databasename text not null,
      iam_role text,
      region text
    )`,
    `create table if not exists ${S}.external_tables (
      schemaname text not null,
      tablename text not null,
      location text not null,
      format text not null,
      serde text not null,
      delimiter text,
      input_format text not null,
      output_format text not null,
      serialization_lib text not null,
      serde_parameters text not null,
      parameters text not null,
      skip_header integer not null default 0,
      columns jsonb not null,
      partition_keys jsonb not null,
      primary key (schemaname, tablename)
    )`,
    `create table if not exists ${S}.external_partitions (
      schemaname text not null,
      tablename text not null,
      partition_values text not null,
      location text not null,
      primary key (schemaname, tablename, partition_values)
    )`,
    `create or replace view ${S}.svv_external_schemas as
      select n.oid::integer as esoid, 1 as eskind, s.schemaname::text as schemaname, n.nspowner::integer as esowner,
             s.databasename::text as databasename,
             (case when s.region is null then json_build_object('IAM_ROLE', s.iam_role)
                   else json_build_object('IAM_ROLE', s.iam_role, 'REGION', s.region) end)::text as esoptions
      from ${S}.external_schemas s join pg_namespace n on n.nspname = s.schemaname`,
    `create or replace view ${S}.svv_external_tables as
      select current_database()::text as redshift_database_name, t.schemaname::text as schemaname, t.tablename::text as tablename,
             'TABLE'::text as tabletype, t.location::text as location, t.input_format::text as input_format,
             t.output_format::text as output_format, t.serialization_lib::text as serialization_lib,
             t.serde_parameters::text as serde_parameters, 0 as compressed, t.parameters::text as parameters
      from ${S}.external_tables t
      where to_regclass(format('%I.%I', t.schemaname, t.tablename)) is not null`,
    `create or replace view ${S}.svv_external_columns as
      select current_database()::text as redshift_database_name, t.schemaname::text as schemaname, t.tablename::text as tablename,
             c.value->>'name' as columnname, c.value->>'external_type' as external_type, c.ordinality::integer as columnnum,
             0 as part_key, ''::text as is_nullable
      from ${S}.external_tables t cross join lateral jsonb_array_elements(t.columns) with ordinality c
      where to_regclass(format('%I.%I', t.schemaname, t.tablename)) is not null
      union all
      select current_database()::text, t.schemaname::text, t.tablename::text,
             p.value->>'name', p.value->>'external_type', (jsonb_array_length(t.columns) + p.ordinality)::integer,
             p.ordinality::integer, ''::text
      from ${S}.external_tables t cross join lateral jsonb_array_elements(t.partition_keys) with ordinality p
      where to_regclass(format('%I.%I', t.schemaname, t.tablename)) is not null`,
    `create or replace view ${S}.svv_external_partitions as
      select p.schemaname::text as schemaname, p.tablename::text as tablename, p.partition_values::text as "values",
             left(p.location, 128)::text as location, t.input_format::text as input_format, t.output_format::text as output_format,
             t.serialization_lib::text as serialization_lib, t.serde_parameters::text as serde_parameters, 0 as compressed,
             '{}'::text as parameters
      from ${S}.external_partitions p
      join ${S}.external_tables t on t.schemaname = p.schemaname and t.tablename = p.tablename
      where to_regclass(format('%I.%I', p.schemaname, p.tablename)) is not null`,
    `create or replace view ${S}.svv_tables as
      select t.table_catalog::text as table_catalog, t.table_schema::text as table_schema, t.table_name::text as table_name,
             case when e.tablename is not null then 'EXTERNAL TABLE' else t.table_type::text end as table_type, ''::text as remarks
      from information_schema.tables t
      left join ${S}.external_tables e on e.schemaname = t.table_schema and e.tablename = t.table_name
      where t.table_schema not in ('pg_catalog', 'information_schema', '${S}', '${SPECTRUM_DATA_SCHEMA}')`,
    // svv_table_info: the statistics Redshift keeps per table (rows, size in 1 MB blocks), here from the planner's
    `create or replace view ${S}.svv_table_info as
      select c.oid::integer as table_id, current_database()::text as database, n.nspname::text as schema, c.relname::text as "table",
             greatest(c.reltuples, 0)::bigint as tbl_rows, greatest(c.relpages * 8 / 1024, 1)::bigint as size
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema', '${S}', '${SPECTRUM_DATA_SCHEMA}')`,
    // privileges granted explicitly on tables and views, to users, groups (PostgreSQL roles
    // named group:g), roles (role:r) and PUBLIC; the owner's own and the privileges Redshift
    // has not (TRIGGER, MAINTAIN) left out (principals.ts)
    `create or replace view ${S}.svv_relation_privileges as
      select n.nspname::text as namespace_name, c.relname::text as relation_name, a.privilege_type::text as privilege_type,
             a.grantee::integer as identity_id,
             case when a.grantee = 0 then 'public'
                  when r.rolname like '${GROUP_PREFIX}%' then substr(r.rolname, ${GROUP_PREFIX.length + 1})
                  when r.rolname like '${ROLE_PREFIX}%' then substr(r.rolname, ${ROLE_PREFIX.length + 1})
                  else r.rolname end::text as identity_name,
             case when a.grantee = 0 then 'public'
                  when r.rolname like '${GROUP_PREFIX}%' then 'group'
                  when r.rolname like '${ROLE_PREFIX}%' then 'role'
                  else 'user' end::text as identity_type,
             (a.is_grantable and r.rolname not like '${GROUP_PREFIX}%' and r.rolname not like '${ROLE_PREFIX}%') as admin_option
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral aclexplode(c.relacl) a
      left join pg_roles r on r.oid = a.grantee
      where c.relkind in ('r', 'v', 'm', 'p') and a.grantee <> c.relowner
        and a.privilege_type in ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES', 'TRUNCATE')
        and n.nspname not in ('pg_catalog', 'information_schema', '${S}', '${SPECTRUM_DATA_SCHEMA}')`,
    // ------------------------------------------------------------ query_group and stv_inflight
    // SET query_group labels a session's queries (stv_inflight.label); PostgreSQL keeps no
    // per-backend value that other sessions can read, so the stand-in records it per backend
    // (pid and start, so that a later backend with the same pid does not inherit it)
    `create table if not exists ${S}.query_groups (
      pid integer primary key,
      backend_start timestamptz not null,
      label text not null
    )`,
    `create or replace function ${S}.set_query_group(new_label text) returns void language sql security definer
      set search_path = pg_catalog as $fn$
      delete from ${S}.query_groups where pid = pg_backend_pid();
      insert into ${S}.query_groups (pid, backend_start, label)
        select pg_backend_pid(), a.backend_start, new_label from pg_stat_activity a where a.pid = pg_backend_pid() and new_label is not null;
    $fn$`,
    // the queries running now, with the label of their session; like Redshift, regular users see their own
    `create or replace view ${S}.stv_inflight as
      select a.usesysid::integer as userid, 0 as slice, 0 as query, coalesce(q.label, '')::varchar(320) as label,
             coalesce(a.backend_xid::text, '0')::bigint as xid, a.pid::integer as pid, a.query_start::timestamp as starttime,
             left(a.query, 100)::varchar(100) as text, 0 as suspended, 0 as insert_pristine, 0 as concurrency_scaling_status
      from pg_stat_activity a
      left join ${S}.query_groups q on q.pid = a.pid and q.backend_start = a.backend_start
      where a.state = 'active' and a.backend_type = 'client backend' and a.pid <> pg_backend_pid()
        and (a.usename = current_user or (select rolsuper from pg_roles where rolname = current_user))`,
    `grant select on all tables in schema ${S} to public`,
    // ------------------------------------------------------------ guards and cleanup
    `create or replace function ${S}.reject_external_dml() returns trigger language plpgsql as $fn$
      begin
        if coalesce(current_setting('standin.loading', true), '') <> 'on' then
          raise exception 'Operation not supported on external tables: %.%', tg_table_schema, tg_table_name using errcode = '0A000';
        end if;
        return null;
      end $fn$`,
    `create or replace function ${S}.on_sql_drop() returns event_trigger language plpgsql as $fn$
      declare r record;
      begin
        for r in select * from pg_event_trigger_dropped_objects() loop
          if r.schema_name in ('${S}', '${SPECTRUM_DATA_SCHEMA}') or (r.object_type = 'schema' and r.object_name in ('${S}', '${SPECTRUM_DATA_SCHEMA}')) then continue; end if;
          if r.object_type = 'table' then
            delete from ${S}.external_partitions where schemaname = r.schema_name and tablename = r.object_name;
            delete from ${S}.external_tables where schemaname = r.schema_name and tablename = r.object_name;
          elsif r.object_type = 'schema' then
            delete from ${S}.external_partitions where schemaname = r.object_name;
            delete from ${S}.external_tables where schemaname = r.object_name;
            delete from ${S}.external_schemas where schemaname = r.object_name;
          end if;
        end loop;
      end $fn$`,
    `do $do$ begin
      if not exists (select 1 from pg_event_trigger where evtname = 'standin_sql_drop') then
        begin
          create event trigger standin_sql_drop on sql_drop execute function ${S}.on_sql_drop();
        exception when insufficient_privilege then
          raise notice 'standin: no event trigger (not a superuser); dropped external tables keep stale metadata rows, hidden by the views';
        end;
      end if;
    end $do$`,
    // ------------------------------------------------------------ Redshift functions
    `create or replace function ${S}.getdate() returns timestamp language sql stable as $$ select date_trunc('second', statement_timestamp())::timestamp $$`,
    `create or replace function ${S}.nvl(anycompatible, anycompatible) returns anycompatible language sql immutable as $$ select coalesce($1, $2) $$`,
    `create or replace function ${S}.nvl(anycompatible, anycompatible, anycompatible) returns anycompatible language sql immutable as $$ select coalesce($1, $2, $3) $$`,
    `create or replace function ${S}.nvl(anycompatible, anycompatible, anycompatible, anycompatible) returns anycompatible language sql immutable as $$ select coalesce($1, $2, $3, $4) $$`,
    `create or replace function ${S}.nvl2(anyelement, anycompatible, anycompatible) returns anycompatible language sql immutable as $$ select case when $1 is not null then $2 else $3 end $$`,
    `create or replace function ${S}.standin_interval(part text, n bigint) returns interval language plpgsql immutable as $fn$
      declare p text := lower(trim(part));
      begin
        if p in ${inList('millennium')} then return make_interval(years => (n * 1000)::integer); end if;
        if p in ${inList('century')} then return make_interval(years => (n * 100)::integer); end if;
        if p in ${inList('decade')} then return make_interval(years => (n * 10)::integer); end if;
        if p in ${inList('year')} then return make_interval(years => n::integer); end if;
        if p in ${inList('quarter')} then return make_interval(months => (n * 3)::integer); end if;
        if p in ${inList('month')} then return make_interval(months => n::integer); end if;
        if p in ${inList('week')} then return make_interval(weeks => n::integer); end if;
        if p in ${inList('day')} then return make_interval(days => n::integer); end if;
        if p in ${inList('hour')} then return make_interval(hours => n::integer); end if;
        if p in ${inList('minute')} then return make_interval(mins => n::integer); end if;
        if p in ${inList('second')} then return make_interval(secs => n); end if;
        if p in ${inList('millisecond')} then return make_interval(secs => n / 1000.0); end if;
        if p in ${inList('microsecond')} then return make_interval(secs => n / 1000000.0); end if;
        raise exception '"%" is not a valid datepart', part using errcode = '22023';
      end $fn$`,
    `create or replace function ${S}.dateadd(text, bigint, timestamp) returns timestamp language sql immutable as $$ select $3 + ${S}.standin_interval($1, $2) $$`,
    `create or replace function ${S}.dateadd(text, bigint, date) returns timestamp language sql immutable as $$ select $3::timestamp + ${S}.standin_interval($1, $2) $$`,
    `create or replace function ${S}.dateadd(text, bigint, timestamptz) returns timestamptz language sql stable as $$ select $3 + ${S}.standin_interval($1, $2) $$`,
    `create or replace function ${S}.dateadd(text, bigint, text) returns timestamp language sql stable as $$ select $3::timestamp + ${S}.standin_interval($1, $2) $$`,
    `create or replace function ${S}.datediff(text, timestamp, timestamp) returns bigint language plpgsql immutable as $fn$
      declare p text := lower(trim($1)); s timestamp := $2; e timestamp := $3;
      begin
        if s is null or e is null then return null; end if;
        if p in ${inList('millennium')} then return floor(extract(year from e) / 1000) - floor(extract(year from s) / 1000); end if;
        if p in ${inList('century')} then return floor(extract(year from e) / 100) - floor(extract(year from s) / 100); end if;
        if p in ${inList('decade')} then return floor(extract(year from e) / 10) - floor(extract(year from s) / 10); end if;
        if p in ${inList('year')} then return extract(year from e)::bigint - extract(year from s)::bigint; end if;
        if p in ${inList('quarter')} then
          return (extract(year from e) * 4 + extract(quarter from e))::bigint - (extract(year from s) * 4 + extract(quarter from s))::bigint;
        end if;
        if p in ${inList('month')} then
          return (extract(year from e) * 12 + extract(month from e))::bigint - (extract(year from s) * 12 + extract(month from s))::bigint;
        end if;
        if p in ${inList('week')} then return (date_trunc('week', e)::date - date_trunc('week', s)::date) / 7; end if;
        if p in ${inList('day')} then return e::date - s::date; end if;
        if p in ${inList('hour')} then
          return ((extract(epoch from date_trunc('hour', e)) - extract(epoch from date_trunc('hour', s))) / 3600)::bigint;
        end if;
        if p in ${inList('minute')} then
          return ((extract(epoch from date_trunc('minute', e)) - extract(epoch from date_trunc('minute', s))) / 60)::bigint;
        end if;
        if p in ${inList('second')} then
          return (extract(epoch from date_trunc('second', e)) - extract(epoch from date_trunc('second', s)))::bigint;
        end if;
        if p in ${inList('millisecond')} then
          return (floor(extract(epoch from e) * 1000) - floor(extract(epoch from s) * 1000))::bigint;
        end if;
        if p in ${inList('microsecond')} then
          return (floor(extract(epoch from e) * 1000000) - floor(extract(epoch from s) * 1000000))::bigint;
        end if;
        raise exception '"%" is not a valid datepart', $1 using errcode = '22023';
      end $fn$`,
    `create or replace function ${S}.datediff(text, date, date) returns bigint language sql immutable as $$ select ${S}.datediff($1, $2::timestamp, $3::timestamp) $$`,
    `create or replace function ${S}.datediff(text, timestamptz, timestamptz) returns bigint language sql stable as $$ select ${S}.datediff($1, $2::timestamp, $3::timestamp) $$`,
    `create or replace function ${S}.datediff(text, text, text) returns bigint language sql stable as $$ select ${S}.datediff($1, $2::timestamp, $3::timestamp) $$`,
    `create or replace function ${S}.convert_timezone(text, text, timestamp) returns timestamp language sql stable as $$ select ($3 at time zone $1) at time zone $2 $$`,
    `create or replace function ${S}.convert_timezone(text, timestamp) returns timestamp language sql stable as $$ select ($2 at time zone 'UTC') at time zone $1 $$`,
    `create or replace function ${S}.convert_timezone(text, timestamptz) returns timestamp language sql stable as $$ select $2 at time zone $1 $$`,
    `create or replace function ${S}.len(text) returns integer language sql immutable as $$ select length($1) $$`,
    `create or replace function ${S}.charindex(text, text) returns integer language sql immutable as $$ select strpos($2, $1) $$`,
    `create or replace function ${S}.trunc(timestamp) returns date language sql immutable as $$ select $1::date $$`,
    `create or replace function ${S}.add_months(timestamp, bigint) returns timestamp language sql immutable as $$
      select case when $1::date = (date_trunc('month', $1) + interval '1 month - 1 day')::date
                  then (date_trunc('month', $1 + make_interval(months => $2::integer)) + interval '1 month - 1 day')::date + $1::time
                  else $1 + make_interval(months => $2::integer) end $$`,
    `create or replace function ${S}.add_months(date, bigint) returns timestamp language sql immutable as $$ select ${S}.add_months($1::timestamp, $2) $$`,
    `create or replace function ${S}.last_day(timestamp) returns date language sql immutable as $$ select (date_trunc('month', $1) + interval '1 month - 1 day')::date $$`,
    // ANY_VALUE(expr): one of the group's values (here the first non-null one); PostgreSQL has it only from 16
    `create or replace function ${S}.standin_any_value_step(anyelement, anyelement) returns anyelement language sql immutable as $$ select coalesce($1, $2) $$`,
    `create or replace aggregate ${S}.any_value(anyelement) (sfunc = ${S}.standin_any_value_step, stype = anyelement)`,
    // SUPER values are jsonb (array(…) is translated to jsonb_build_array(…), SUPER to jsonb)
    `create or replace function ${S}.array_concat(jsonb, jsonb) returns jsonb language plpgsql immutable as $fn$
      begin
        if jsonb_typeof($1) <> 'array' or jsonb_typeof($2) <> 'array' then
          raise exception 'array_concat: arguments must be arrays' using errcode = '22023';
        end if;
        return $1 || $2;
      end $fn$`,
    `create or replace function ${S}.get_array_length(jsonb) returns integer language sql immutable as $$ select case when jsonb_typeof($1) = 'array' then jsonb_array_length($1) end $$`,
    `create or replace function ${S}.json_parse(text) returns jsonb language sql immutable as $$ select $1::jsonb $$`,
    `create or replace function ${S}.is_array(jsonb) returns boolean language sql immutable as $$ select jsonb_typeof($1) = 'array' $$`,
    // Redshift's compact text: no space after , and : (jsonb prints one)
    `create or replace function ${S}.json_serialize(v jsonb) returns varchar language plpgsql immutable as $fn$
      begin
        return case jsonb_typeof(v)
          when 'array' then '[' || coalesce((select string_agg(${S}.json_serialize(e), ',' order by o) from jsonb_array_elements(v) with ordinality as t(e, o)), '') || ']'
          when 'object' then '{' || coalesce((select string_agg(to_jsonb(k)::text || ':' || ${S}.json_serialize(x), ',' order by k) from jsonb_each(v) as t(k, x)), '') || '}'
          else v::text end;
      end $fn$`,
    `create or replace function ${S}.json_extract_path_text(text, variadic text[]) returns text language sql immutable as $$ select json_extract_path_text($1::json, variadic $2) $$`,
    `create or replace function ${S}.json_extract_array_element_text(text, integer) returns text language sql immutable as $$ select ($1::json) ->> $2 $$`,
    `create or replace function ${S}.pg_get_late_binding_view_cols() returns setof record language sql stable as $$
      select n.nspname::name, c.relname::name, a.attname::name, format_type(a.atttypid, a.atttypmod)::varchar, a.attnum::integer
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid
      where c.relkind = 'v' and c.reloptions @> array['security_barrier=false'] and a.attnum > 0 and not a.attisdropped
      order by 1, 2, 5 $$`,
    `grant execute on all functions in schema ${S} to public`,
    // ------------------------------------------------------------ session defaults
    `alter database ${db} set search_path = "$user", public, ${S}`,
    `alter database ${db} set timezone = 'UTC'`,
    // Redshift reads backslash escapes in string literals
    `alter database ${db} set standard_conforming_strings = off`,
    `alter database ${db} set escape_string_warning = off`,
  ];
}

const installed = new Map<string, Promise<void>>();

/** Installs the catalog into `database` of the server in `pg` (once per process and database). */
export function ensureCatalog(config: PgConfig, database = config.database): Promise<void> {
  const key = `${config.host}:${config.port}/${database}`;
  let p = installed.get(key);
  if (!p) {
    p = installCatalog(config, database);
    installed.set(key, p);
    p.catch(() => installed.delete(key));
  }
  return p;
}

/** Forgets which databases have the catalog (after dropping and creating a database again under a running stand-in). */
export function forgetCatalog(): void {
  installed.clear();
}

async function installCatalog(config: PgConfig, database: string): Promise<void> {
  const client = new pg.Client({ ...config, database });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('${S}'))`);
    for (const sql of catalogSetupSql(database)) await client.query(sql);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/** Hive-style type names for svv_external_columns. */
export function externalTypeName(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^(integer|int|int4)$/.test(t)) return 'int';
  if (/^(bigint|int8)$/.test(t)) return 'bigint';
  if (/^(smallint|int2)$/.test(t)) return 'smallint';
  if (/^(double precision|float8|float)$/.test(t)) return 'double';
  if (/^(real|float4)$/.test(t)) return 'float';
  if (/^(boolean|bool)$/.test(t)) return 'boolean';
  if (/^(character varying|varchar|nvarchar|text)/.test(t)) return t.replace(/^(character varying|nvarchar|text)/, 'varchar');
  if (/^(character|char|nchar|bpchar)/.test(t)) return t.replace(/^(character|nchar|bpchar)/, 'char');
  if (/^(numeric|decimal)/.test(t)) return t.replace(/^numeric/, 'decimal');
  if (/^timestamp/.test(t)) return 'timestamp';
  return t;
}
