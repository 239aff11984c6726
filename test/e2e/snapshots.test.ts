/**
 * Snapshots through the real CLI, on DuckDB and on PostgreSQL: the history of
 * a source changed across runs for each strategy and hard_deletes mode, a
 * failed run that leaves the table as it was, reruns that change nothing, a
 * model reading a snapshot in build order, selection, the manifest, and the
 * mistakes that stop a run before anything is executed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { runCliAsync, useProjects, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, useSchemas } from '../helpers/pg-server.js';
import { dump, ok, runScenario, SNAPSHOT_FILES, SOURCE_RUNS, type SnapshotEngine } from '../helpers/snapshot-scenario.js';

const project = useProjects();
const newSchema = useSchemas();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const pgEnv = () => ({ [PASSWORD_ENV]: pgConnection().password });

type Engine = SnapshotEngine & { p: TempProject; schema: string };

const ENGINES: Record<string, (files: Record<string, string>) => Engine> = {
  duckdb: (files) => {
    const p = project(files);
    return { p, schema: 'main', tsql: async (args) => p.tsql(args), rows: (sql) => p.query(sql), rel: (n) => `main.${n}`, write: (f) => p.write(f) };
  },
  postgres: (files) => {
    const schema = newSchema('snap');
    const p = project(files, { profile: pgProfile(schema, PASSWORD_ENV) });
    const env = pgEnv();
    return { p, schema, tsql: async (args) => p.tsql(args, env), rows: (sql) => pgQuery(sql), rel: (n) => `"${schema}"."${n}"`, write: (f) => p.write(f) };
  },
};

for (const [engine, make] of Object.entries(ENGINES)) {
  describe(`snapshots on ${engine}`, () => {
    it('records history across runs for both strategies and every hard_deletes mode; a rerun changes nothing', async () => {
      const e = make(SNAPSHOT_FILES);
      await runScenario(e, 'build');
      // the model reading the snapshot was built after it, with its current rows
      expect(await e.rows(`select id, status from ${e.rel('current_orders')} order by id`)).toEqual([
        { id: 1, status: 'open' },
        { id: 2, status: 'paid' },
        { id: 3, status: 'back' },
        { id: 4, status: 'open' },
      ]);
    });

    it('a run that fails after staging (a value the table cannot take) leaves the table as it was', async () => {
      const e = make({
        'seeds/raw_orders.csv': SOURCE_RUNS[0],
        'snapshots/orders.sql': `{% snapshot orders_snapshot %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate') }}\nselect id, amount, updated_at from {{ ref('raw_orders') }}\n{% endsnapshot %}\n`,
      });
      ok(await e.tsql(['build']));
      const before = await dump(e, 'orders_snapshot');
      // order 2 changes and order 3 goes: the run stages both, closes the old rows, then cannot insert 'oops' into an integer column
      e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at\n1,eu,open,10,2024-01-01 10:00:00\n2,eu,paid,oops,2024-01-02 10:00:00\n` });
      const failed = await e.tsql(['build']);
      expect(failed.code, failed.stdout + failed.stderr).toBe(1);
      expect(failed.stdout).toMatch(/ERROR .*snapshot .*orders_snapshot/);
      const sent = readFileSync(join(e.p.dir, 'target/run/shop/snapshots/orders_snapshot.sql'), 'utf8');
      expect(sent).toMatch(/\nupdate [^\n]*"orders_snapshot"\nset /);
      expect(await dump(e, 'orders_snapshot')).toBe(before);
      // nothing left behind: the staged rows and changes are dropped
      const left = await e.rows(`select table_name from information_schema.tables where table_schema = '${e.schema}' and table_name like 'orders_snapshot__%'`);
      expect(left).toEqual([]);
      // fixed: the next run applies both changes
      e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at\n1,eu,open,10,2024-01-01 10:00:00\n2,eu,paid,25,2024-01-02 10:00:00\n` });
      ok(await e.tsql(['build']));
      expect(await e.rows(`select id, amount from ${e.rel('orders_snapshot')} where dbt_valid_to is null order by id`)).toEqual([
        { id: 1, amount: 10 },
        { id: 2, amount: 25 },
      ]);
    });
  });
}

describe('snapshots: the command, selection and artifacts (DuckDB)', () => {
  it('tsql snapshot runs only snapshots, selectable by name, resource_type and graph; tsql ls lists them; the manifest has them', async () => {
    const e = ENGINES.duckdb(SNAPSHOT_FILES);
    ok(await e.tsql(['seed']));
    const one = await e.tsql(['snapshot', '--select', 'ts_ignore']);
    ok(one);
    expect(one.stdout).toMatch(/1 of 1 OK .*snapshot main\.ts_ignore/);
    expect(one.stdout).toMatch(/Finished running 1 snapshot in/);
    const all = await e.tsql(['snapshot', '--select', 'resource_type:snapshot', '--exclude', 'ts_ignore']);
    ok(all);
    expect(all.stdout).toMatch(/OK .* 4 of 4 |4 of 4 OK/);
    const results = JSON.parse(readFileSync(join(e.p.dir, 'target/run_results.json'), 'utf8'));
    expect(results.args.which).toBe('snapshot');
    expect(results.results.map((r: { unique_id: string }) => r.unique_id).sort()).toEqual(['snapshot.shop.check_all', 'snapshot.shop.check_new_record', 'snapshot.shop.ts_invalidate', 'snapshot.shop.ts_new_record']);
    expect(existsSync(e.p.dbPath)).toBe(true);
    expect(await e.rows("select count(*)::int as n from information_schema.tables where table_name = 'current_orders'")).toEqual([{ n: 0 }]);

    const ls = await e.tsql(['ls', '--resource-type', 'snapshot']);
    expect(ls.stdout.trim().split('\n')).toEqual(['shop.check_all', 'shop.check_new_record', 'shop.ts_ignore', 'shop.ts_invalidate', 'shop.ts_new_record']);
    const upstream = await e.tsql(['ls', '--select', '+current_orders', '--output', 'name']);
    expect(upstream.stdout.trim().split('\n').sort()).toEqual(['current_orders', 'not_null_ts_new_record_dbt_scd_id', 'raw_orders', 'ts_new_record', 'unique_ts_new_record_dbt_scd_id']);

    const manifest = JSON.parse(readFileSync(join(e.p.dir, 'target/manifest.json'), 'utf8'));
    const node = manifest.nodes['snapshot.shop.ts_new_record'];
    expect(node).toMatchObject({ resource_type: 'snapshot', materialized: 'snapshot', fqn: ['shop', 'ts_new_record'], original_file_path: 'snapshots/new_record.sql', schema: 'main', alias: 'ts_new_record', depends_on: { nodes: ['seed.shop.raw_orders'] } });
    expect(node.config).toMatchObject({ strategy: 'timestamp', unique_key: 'id', hard_deletes: 'new_record' });
    expect(manifest.nodes['snapshot.shop.check_new_record']).toMatchObject({ original_file_path: 'snapshots/history.yml', raw_code: "select * from {{ ref('raw_orders') }}" });
    expect(manifest.parent_map['model.shop.current_orders']).toEqual(['snapshot.shop.ts_new_record']);
    expect(Object.keys(manifest.nodes).filter((k) => k.startsWith('test.')).every((k) => manifest.nodes[k].attached_node === 'snapshot.shop.ts_new_record')).toBe(true);
  });

  it('build runs the snapshot before the model that reads it and its YAML tests after it; --full-refresh keeps the history', async () => {
    const e = ENGINES.duckdb(SNAPSHOT_FILES);
    ok(await e.tsql(['build', '--select', '+current_orders']));
    const order = JSON.parse(readFileSync(join(e.p.dir, 'target/run_results.json'), 'utf8')).results.map((r: { unique_id: string; timing: Array<{ started_at: string }> }) => [r.unique_id, r.timing[0].started_at]);
    const started = (id: string) => order.find((o: [string, string]) => o[0] === id)[1];
    expect(started('snapshot.shop.ts_new_record') > started('seed.shop.raw_orders')).toBe(true);
    for (const id of order.map((o: [string, string]) => o[0]).filter((x: string) => x.startsWith('test.'))) expect(started(id) >= started('snapshot.shop.ts_new_record')).toBe(true);
    expect(started('model.shop.current_orders') > started('snapshot.shop.ts_new_record')).toBe(true);

    e.write({ 'seeds/raw_orders.csv': SOURCE_RUNS[1] });
    const refresh = await e.tsql(['build', '--full-refresh', '--select', '+current_orders']);
    ok(refresh);
    expect(refresh.stdout).toContain('--full-refresh leaves snapshots as they are');
    // history kept: order 2's old version is closed, and order 3's deletion recorded
    expect(await e.rows(`select count(*)::int as n from main.ts_new_record`)).toEqual([{ n: 6 }]);
  });

  it('--empty builds an empty snapshot table the first time and never changes one that exists', async () => {
    const e = ENGINES.duckdb(SNAPSHOT_FILES);
    ok(await e.tsql(['seed']));
    ok(await e.tsql(['snapshot', '--select', 'ts_invalidate', '--empty']));
    expect(await e.rows('select count(*)::int as n from main.ts_invalidate')).toEqual([{ n: 0 }]);
    ok(await e.tsql(['snapshot', '--select', 'ts_invalidate']));
    const before = await dump(e, 'ts_invalidate');
    // with invalidate, an empty select would close every row: --empty leaves the table alone
    const r = await e.tsql(['build', '--select', 'ts_invalidate', '--empty']);
    ok(r);
    expect(r.stdout).toContain('SNAPSHOT unchanged under --empty');
    expect(await dump(e, 'ts_invalidate')).toBe(before);
  });

  it('tsql retry reruns a snapshot that failed', async () => {
    const e = ENGINES.duckdb({
      'seeds/raw_orders.csv': 'id,status\n1,open\n1,paid\n',
      'snapshots/orders.sql': `{% snapshot orders_snapshot %}{{ config(unique_key='id', strategy='check', check_cols=['status']) }}select * from {{ ref('raw_orders') }}{% endsnapshot %}`,
    });
    ok(await e.tsql(['seed']));
    const dup = await e.tsql(['snapshot']);
    expect(dup.code).toBe(1);
    expect(dup.stdout).toContain("snapshot 'orders_snapshot': unique_key (id) is not unique in the select: 1 value appears more than once; nothing was changed");
    e.write({ 'snapshots/orders.sql': `{% snapshot orders_snapshot %}{{ config(unique_key='id', strategy='check', check_cols=['status']) }}select * from {{ ref('raw_orders') }} where status = 'open'{% endsnapshot %}` });
    const retried = await e.tsql(['retry']);
    ok(retried);
    expect(retried.stdout).toMatch(/1 of 1 OK .*snapshot main\.orders_snapshot/);
    expect(await e.rows('select id, status from main.orders_snapshot order by id')).toEqual([{ id: 1, status: 'open' }]);
  });

  it('names the table from schema (generate_schema_name) or the legacy target_schema (as written); custom meta column names and dbt_valid_to_current', async () => {
    const e = ENGINES.duckdb({
      'tsql_project.yml': 'name: shop\nprofile: shop\nsnapshots:\n  shop:\n    +schema: history\n    legacy:\n      +target_schema: archive\n',
      'seeds/raw_orders.csv': 'id,status\n1,open\n2,open\n',
      'snapshots/a.sql': `{% snapshot modern %}{{ config(unique_key='id', strategy='check', check_cols='all', snapshot_meta_column_names={'dbt_valid_from': 'valid_from', 'dbt_valid_to': 'valid_to'}, dbt_valid_to_current="cast('9999-12-31' as timestamp)") }}select * from {{ ref('raw_orders') }}{% endsnapshot %}`,
      'snapshots/legacy/b.sql': `{% snapshot old_style %}{{ config(unique_key='id', strategy='check', check_cols='all') }}select * from {{ ref('raw_orders') }}{% endsnapshot %}`,
    });
    ok(await e.tsql(['build']));
    e.write({ 'seeds/raw_orders.csv': 'id,status\n1,open\n2,paid\n' });
    ok(await e.tsql(['build']));
    expect(await e.rows(`select id, status, cast(valid_to as varchar) = '9999-12-31 00:00:00' as current from main_history.modern order by id, valid_from`)).toEqual([
      { id: 1, status: 'open', current: true },
      { id: 2, status: 'open', current: false },
      { id: 2, status: 'paid', current: true },
    ]);
    expect(await e.rows('select count(*)::int as n from archive.old_style')).toEqual([{ n: 3 }]);
  });

  it('columns the select gains are added to the table; the rows before them hold NULL', async () => {
    const e = ENGINES.duckdb({
      'seeds/raw_orders.csv': 'id,status\n1,open\n',
      'snapshots/orders.sql': `{% snapshot orders_snapshot %}{{ config(unique_key='id', strategy='check', check_cols=['status']) }}select * from {{ ref('raw_orders') }}{% endsnapshot %}`,
    });
    ok(await e.tsql(['build']));
    e.write({ 'seeds/raw_orders.csv': 'id,status,note\n1,paid,rush\n' });
    ok(await e.tsql(['build']));
    expect(await e.rows('select id, status, note from main.orders_snapshot order by dbt_valid_from')).toEqual([
      { id: 1, status: 'open', note: null },
      { id: 1, status: 'paid', note: 'rush' },
    ]);
  });
});

describe('snapshots on PostgreSQL: grants, comments and hooks', () => {
  it('grants and persist_docs reach the table on the first run and stay in line on later ones; pre- and post-hooks run', async () => {
    const role = `tsql_snap_${Math.random().toString(36).slice(2, 8)}`;
    await pgQuery(`create role "${role}" nologin`);
    try {
      const e = ENGINES.postgres({
        'seeds/raw_orders.csv': SOURCE_RUNS[0],
        'snapshots/orders.sql': `{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', grants={'select': ['${role}']}, persist_docs={'relation': true},
  post_hook="create table if not exists {{ this.schema }}.hook_ran as select 1 as n") }}
select * from {{ ref('raw_orders') }}
{% endsnapshot %}
`,
        'snapshots/props.yml': 'version: 2\nsnapshots:\n  - name: orders_snapshot\n    description: Every version of every order\n',
      });
      const check = async () => {
        expect(await pgQuery(`select has_table_privilege('${role}', '"${e.schema}".orders_snapshot', 'select') as can`)).toEqual([{ can: true }]);
        expect(await pgQuery(`select obj_description('"${e.schema}".orders_snapshot'::regclass) as d`)).toEqual([{ d: 'Every version of every order' }]);
      };
      ok(await e.tsql(['build']));
      await check();
      expect(await e.rows(`select n from ${e.rel('hook_ran')}`)).toEqual([{ n: 1 }]);
      await pgQuery(`revoke select on "${e.schema}".orders_snapshot from "${role}"`);
      e.write({ 'seeds/raw_orders.csv': SOURCE_RUNS[1] });
      ok(await e.tsql(['build']));
      await check();
    } finally {
      await pgQuery(`drop owned by "${role}"; drop role if exists "${role}"`);
    }
  });
});

describe('snapshots on PostgreSQL: an interrupted run', () => {
  it('a run killed inside its transaction (while closing rows, after staging) leaves the table as it was', async () => {
    const e = ENGINES.postgres({
      'seeds/raw_orders.csv': SOURCE_RUNS[0],
      'snapshots/orders.sql': `{% snapshot orders_snapshot %}{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate') }}select * from {{ ref('raw_orders') }}{% endsnapshot %}`,
    });
    ok(await e.tsql(['build']));
    const before = await dump(e, 'orders_snapshot');
    e.write({ 'seeds/raw_orders.csv': SOURCE_RUNS[1] });
    ok(await e.tsql(['seed']));
    // another session holds the current rows: the run stages its changes, then waits in its UPDATE
    const locker = new pg.Client({ ...pgConnection() });
    await locker.connect();
    await locker.query('begin');
    await locker.query(`select * from "${e.schema}".orders_snapshot for update`);
    const waiting = `select count(*)::int as n from pg_stat_activity where query like 'update %orders_snapshot%' and state <> 'idle'`;
    let killed = false;
    const run = runCliAsync(['snapshot'], e.p.dir, pgEnv(), (_out, child) => {
      if (killed) return;
      killed = true;
      void (async () => {
        while (Number((await pgQuery(waiting))[0].n) === 0) await sleep(50);
        child.kill('SIGKILL');
      })();
    });
    expect((await run).signal).toBe('SIGKILL');
    await locker.query('rollback');
    await locker.end();
    while (Number((await pgQuery(waiting))[0].n) > 0) await sleep(50);
    expect(await dump(e, 'orders_snapshot')).toBe(before);
    ok(await e.tsql(['snapshot']));
    expect(await e.rows(`select id from ${e.rel('orders_snapshot')} where dbt_valid_to is null order by id`)).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }]);
  });
});

describe('snapshots and state', () => {
  it('state:modified selects a snapshot whose block or config changed, not the others', async () => {
    const e = ENGINES.duckdb(SNAPSHOT_FILES);
    ok(await e.tsql(['parse']));
    e.p.write({ 'prod/manifest.json': readFileSync(join(e.p.dir, 'target/manifest.json'), 'utf8') });
    e.write({ 'snapshots/new_record.sql': (SNAPSHOT_FILES['snapshots/new_record.sql'] as string).replace('select id, status', 'select id, status, amount') });
    const r = await e.tsql(['ls', '--select', 'state:modified', '--resource-type', 'snapshot', '--state', 'prod']);
    ok(r);
    expect(r.stdout.trim()).toBe('shop.ts_new_record');
    e.write({ 'tsql_project.yml': 'name: shop\nprofile: shop\nsnapshots:\n  shop:\n    check_all:\n      +tags: [nightly]\n' });
    const c = await e.tsql(['ls', '--select', 'state:modified.configs', '--state', 'prod']);
    expect(c.stdout.trim()).toBe('shop.check_all');
  });
});

describe('snapshot mistakes stop the run before anything is executed (exit 2)', () => {
  it('a malformed block, a missing unique_key, an unknown config key, a name taken by a model: each with its file and line', async () => {
    const e = ENGINES.duckdb({
      'models/orders.sql': 'select 1 as id',
      'snapshots/broken.sql': '{% snapshot %}\nselect 1\n{% endsnapshot %}\n',
      'snapshots/keys.sql': `-- two\n{% snapshot no_key %}\n{{ config(strategy='timestamp', updated_at='u') }}\nselect 1 as id\n{% endsnapshot %}\n{% snapshot typo %}\n{{ config(unique_key='id', strategy='check', check_cols='all', hard_delete='invalidate') }}\nselect 1 as id\n{% endsnapshot %}\n`,
      'snapshots/orders.sql': `{% snapshot orders %}{{ config(unique_key='id', strategy='check', check_cols='all') }}select 1 as id{% endsnapshot %}`,
    });
    const r = await e.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('snapshots/broken.sql:1: this snapshot block has no name');
    expect(r.stderr).toContain("snapshots/orders.sql:1: a snapshot and a model are both named 'orders' (models/orders.sql)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(e.p.dbPath)).toBe(false);
    e.p.remove('snapshots/broken.sql');
    e.p.remove('snapshots/orders.sql');
    const r2 = await e.tsql(['build']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("snapshots/keys.sql:3: snapshot 'no_key': unique_key is required");
    expect(r2.stderr).toMatch(/snapshots\/keys\.sql:7: unknown snapshot config key 'hard_delete' \(did you mean 'hard_deletes'\?\)/);
    expect(existsSync(e.p.dbPath)).toBe(false);
  });

  it('a YAML snapshot with a relation that is not ref() or source(), and a model ref to an unknown snapshot, name their lines', async () => {
    const e = ENGINES.duckdb({
      'models/reader.sql': `select * from {{ ref('orders_histroy') }}`,
      'seeds/raw_orders.csv': 'id\n1\n',
      'snapshots/props.yml': `version: 2\nsnapshots:\n  - name: orders_history\n    relation: ref('raw_orders')\n    config: {unique_key: id, strategy: check, check_cols: all}\n  - name: bad\n    relation: raw_orders\n    config: {unique_key: id, strategy: check, check_cols: all}\n`,
    });
    const r = await e.tsql(['build']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`snapshots/props.yml:7: snapshot 'bad': relation must be ref('model') or source('source', 'table'), not "raw_orders"`);
    e.write({ 'snapshots/props.yml': `version: 2\nsnapshots:\n  - name: orders_history\n    relation: ref('raw_orders')\n    config: {unique_key: id, strategy: check, check_cols: all}\n` });
    const r2 = await e.tsql(['build']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("models/reader.sql:1: ref('orders_histroy') does not match any model or seed (did you mean 'orders_history'?)");
  });
});
