import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { useProjects, type CliResult, type TempProject } from '../helpers/project.js';
import { pgConnection, pgProfile, pgQuery, useSchemas } from '../helpers/pg-server.js';
import { MICROBATCH_DAILY, microbatchFiles } from '../fixtures/microbatch.js';

/**
 * incremental_strategy 'microbatch' through the real CLI, on DuckDB and
 * PostgreSQL: a seed of events with event_time and a daily microbatch model
 * over it. The first run from begin, incremental runs with lookback, a rerun
 * that changes nothing, a late row, explicit --event-time-* backfills, a batch
 * that fails and its retry, full refreshes, tsql's own run dates.
 */

const project = useProjects();
const pgSchema = useSchemas();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';

interface Engine {
  p: TempProject;
  tsql(args: string[]): CliResult;
  /** the daily model's rows, by day */
  daily(): Promise<Array<{ day: string; events: number; amount: number }>>;
  /** runs SQL on the warehouse directly (data arriving, being fixed) */
  exec(sql: string): Promise<void>;
  schema: string;
}

async function duckExec(file: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    await conn.run(sql);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function setup(engine: 'duckdb' | 'postgres', files: Record<string, string> = {}): Engine {
  const schema = engine === 'postgres' ? pgSchema('mb') : 'main';
  const p = project({ ...microbatchFiles(`'{{ model.batch.id }}' as batch_id, '{{ model.batch.event_time_start }}' as batch_start`), ...files }, engine === 'postgres' ? { profile: pgProfile(schema, PASSWORD_ENV) } : {});
  const env = engine === 'postgres' ? { [PASSWORD_ENV]: pgConnection().password } : {};
  const query = (sql: string) => (engine === 'postgres' ? pgQuery(sql) : p.query(sql));
  return {
    p,
    schema,
    tsql: (args) => p.tsql(args, env),
    daily: async () => (await query(`select cast(day as varchar) as day, events, amount from "${schema}".daily order by day`)).map((r) => ({ day: String(r.day), events: Number(r.events), amount: Number(r.amount) })),
    exec: (sql) => (engine === 'postgres' ? pgQuery(sql.replaceAll('$s', `"${schema}"`)).then(() => undefined) : duckExec(p.dbPath, sql.replaceAll('$s', `"${schema}"`))),
  };
}

const out = (r: CliResult) => r.stdout + r.stderr;
const results = (p: TempProject) => JSON.parse(readFileSync(join(p.dir, 'target', 'run_results.json'), 'utf8'));
const day = (d: string, events: number, amount: number) => ({ day: d, events, amount });

for (const engine of ['duckdb', 'postgres'] as const) {
  describe(`microbatch on ${engine}`, () => {
    it('builds from begin, then each run replaces its batches: lookback, a late row, a rerun, an explicit backfill', async () => {
      const t = setup(engine);
      const first = t.tsql(['build', '--ds', '2024-01-03']);
      expect(first.code, out(first)).toBe(0);
      // the first run starts at begin: one batch per day up to the run date
      expect(out(first)).toMatch(/batch 1 of 3 OK 2024-01-01 \.+ \[1 row in/);
      expect(out(first)).toMatch(/batch 3 of 3 OK 2024-01-03 /);
      expect(out(first)).toContain('MICROBATCH (3 batches, 3 rows)');
      expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 1, 5), day('2024-01-03', 2, 8)]);
      // each batch rendered its own window: model.batch and the filtered ref
      const compiled = readFileSync(join(t.p.dir, 'target/compiled/shop/models/daily/daily_20240102.sql'), 'utf8');
      expect(compiled).toContain("'20240102' as batch_id, '2024-01-02 00:00:00+00:00' as batch_start");
      expect(compiled).toMatch(/\(select \* from .*"events" where occurred_at >= '2024-01-02 00:00:00\+00:00' and occurred_at < '2024-01-03 00:00:00\+00:00'\) events\n/);
      const rr = results(t.p).results.find((r: { unique_id: string }) => r.unique_id === 'model.shop.daily');
      expect(rr.status).toBe('success');
      expect(rr.batch_results.successful).toEqual([
        ['2024-01-01T00:00:00.000Z', '2024-01-02T00:00:00.000Z'],
        ['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z'],
        ['2024-01-03T00:00:00.000Z', '2024-01-04T00:00:00.000Z'],
      ]);

      // late rows: one for 2024-01-02 (inside lookback of the 2024-01-03 run), one for 2024-01-01 (outside)
      await t.exec(`insert into $s.events (id, occurred_at, amount, note) values (6, '2024-01-02 12:00:00', 100, '6'), (7, '2024-01-01 08:00:00', 1000, '7')`);
      const incremental = t.tsql(['run', '--ds', '2024-01-03']);
      expect(incremental.code, out(incremental)).toBe(0);
      expect(out(incremental)).toMatch(/batch 1 of 2 OK 2024-01-02 /);
      expect(out(incremental)).toMatch(/batch 2 of 2 OK 2024-01-03 /);
      expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 2, 105), day('2024-01-03', 2, 8)]);

      // the same run again changes nothing
      expect(t.tsql(['run', '--ds', '2024-01-03']).code).toBe(0);
      expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 2, 105), day('2024-01-03', 2, 8)]);

      // a run without --ds counts from now: today's batches hold none of these rows, and nothing else is touched
      expect(t.tsql(['run']).code).toBe(0);
      expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 2, 105), day('2024-01-03', 2, 8)]);

      // an explicit backfill brings in the row lookback did not reach, and runs exactly that batch
      const backfill = t.tsql(['run', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-02']);
      expect(backfill.code, out(backfill)).toBe(0);
      expect(out(backfill)).toMatch(/batch 1 of 1 OK 2024-01-01 /);
      expect(await t.daily()).toEqual([day('2024-01-01', 3, 1030), day('2024-01-02', 2, 105), day('2024-01-03', 2, 8)]);
      expect(results(t.p).args).toMatchObject({ event_time_start: '2024-01-01T00:00:00.000Z', event_time_end: '2024-01-02T00:00:00.000Z' });
    });

    it('a failing batch leaves the other days (partial success, exit 1); tsql retry runs only that batch', async () => {
      const t = setup(engine, { 'models/after_daily.sql': `select count(*) as days from {{ ref('daily') }}` });
      expect(t.tsql(['build', '--ds', '2024-01-03']).code).toBe(0);
      // new data for every day, one row of 2024-01-02 unreadable
      await t.exec(`insert into $s.events (id, occurred_at, amount, note) values (10, '2024-01-01 01:00:00', 1, '1'), (11, '2024-01-02 01:00:00', 1, 'x'), (12, '2024-01-03 01:00:00', 1, '1')`);
      const r = t.tsql(['run', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-04']);
      expect(r.code, out(r)).toBe(1);
      expect(out(r)).toMatch(/batch 1 of 3 OK 2024-01-01 /);
      expect(out(r)).toMatch(/batch 2 of 3 ERROR 2024-01-02 /);
      expect(out(r)).toMatch(/batch 3 of 3 OK 2024-01-03 /);
      expect(out(r)).toMatch(/PARTIAL SUCCESS creating sql incremental model .*daily .*\[PARTIAL SUCCESS \(2 of 3 batches\) in/);
      // what reads the model is not built on a table missing a day
      expect(out(r)).toMatch(/SKIP .*after_daily/);
      // 2024-01-01 and 2024-01-03 have their new rows; 2024-01-02 is as it was
      expect(await t.daily()).toEqual([day('2024-01-01', 3, 31), day('2024-01-02', 1, 5), day('2024-01-03', 3, 9)]);
      const rr = results(t.p).results.find((x: { unique_id: string }) => x.unique_id === 'model.shop.daily');
      expect(rr.status).toBe('partial success');
      expect(rr.batch_results.failed).toEqual([['2024-01-02T00:00:00.000Z', '2024-01-03T00:00:00.000Z']]);
      expect(rr.batch_results.successful).toHaveLength(2);

      await t.exec(`update $s.events set note = '1' where note = 'x'`);
      const retry = t.tsql(['retry']);
      expect(retry.code, out(retry)).toBe(0);
      expect(out(retry)).toMatch(/batch 1 of 1 OK 2024-01-02 /);
      expect(out(retry)).not.toContain('2024-01-01 ..');
      expect(out(retry)).toMatch(/OK created sql view model .*after_daily/);
      expect(await t.daily()).toEqual([day('2024-01-01', 3, 31), day('2024-01-02', 2, 6), day('2024-01-03', 3, 9)]);
      const after = results(t.p).results.find((x: { unique_id: string }) => x.unique_id === 'model.shop.daily');
      expect(after.status).toBe('success');
      expect(after.batch_results.successful).toHaveLength(3);
      expect(after.batch_results.failed).toEqual([]);
    });

    it('--full-refresh rebuilds from begin aside; a failing full refresh leaves the table as it was', async () => {
      const t = setup(engine);
      expect(t.tsql(['build', '--ds', '2024-01-02']).code).toBe(0);
      expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 1, 5)]);
      await t.exec(`insert into $s.events (id, occurred_at, amount, note) values (20, '2024-01-01 05:00:00', 50, '1')`);
      const full = t.tsql(['run', '--full-refresh', '--ds', '2024-01-03']);
      expect(full.code, out(full)).toBe(0);
      expect(out(full)).toContain('MICROBATCH (3 batches, 3 rows)');
      expect(await t.daily()).toEqual([day('2024-01-01', 3, 80), day('2024-01-02', 1, 5), day('2024-01-03', 2, 8)]);
      await t.exec(`insert into $s.events (id, occurred_at, amount, note) values (21, '2024-01-03 05:00:00', 1, 'x')`);
      const bad = t.tsql(['run', '--full-refresh', '--ds', '2024-01-03']);
      expect(bad.code).toBe(1);
      expect(out(bad)).toMatch(/1 batch of 3 did not succeed \(2024-01-03 failed: .*\); the full refresh was not swapped in/);
      expect(await t.daily()).toEqual([day('2024-01-01', 3, 80), day('2024-01-02', 1, 5), day('2024-01-03', 2, 8)]);
    });

    it('a --start/--end backfill builds each day its own batch; .render() reads a ref unfiltered', async () => {
      const t = setup(engine, {
        'seeds/rates.csv': 'valid_from,rate\n2023-06-01,2\n',
        'models/schema.yml': 'version: 2\nseeds:\n  - name: rates\n    config:\n      event_time: valid_from\n',
        'models/priced.sql': `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='occurred_at', batch_size='day', begin='2024-01-01', lookback=0) }}
select e.id, e.occurred_at, e.amount * r.rate as price
from {{ ref('events') }} as e cross join {{ ref('rates').render() }} as r`,
      });
      expect(t.tsql(['seed']).code).toBe(0);
      const r = t.tsql(['run', '--select', 'priced', '--start', '2024-01-01', '--end', '2024-01-02']);
      expect(r.code, out(r)).toBe(0);
      expect(out(r).match(/batch 1 of 1 OK/g)).toHaveLength(2);
      expect(out(r)).toMatch(/batch 1 of 1 OK 2024-01-01 \.+ \[2 rows/);
      expect(out(r)).toMatch(/batch 1 of 1 OK 2024-01-02 \.+ \[1 row /);
      const sql = `select id, price from "${t.schema}".priced order by id`;
      const rows = engine === 'postgres' ? await pgQuery(sql) : await t.p.query(sql);
      expect(rows.map((x) => [Number(x.id), Number(x.price)])).toEqual([
        [1, 20],
        [2, 40],
        [3, 10],
      ]);
      const compiled = readFileSync(join(t.p.dir, 'target/compiled/shop/models/priced/priced_20240102.sql'), 'utf8');
      expect(compiled).toMatch(/from \(select \* from "[^(]*"events" where occurred_at >= '2024-01-02 00:00:00\+00:00' and occurred_at < '2024-01-03 00:00:00\+00:00'\) as e cross join "[^(]*"rates" as r/);
    });
  });
}

describe('microbatch on PostgreSQL: batches in parallel', () => {
  it('concurrent_batches runs the batches on several connections, with the same rows', async () => {
    const t = setup('postgres', { 'models/daily.sql': MICROBATCH_DAILY.replace("begin='2024-01-01'", "begin='2024-01-01', concurrent_batches=true") });
    const r = t.tsql(['build', '--ds', '2024-01-03', '--threads', '3']);
    expect(r.code, out(r)).toBe(0);
    expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 1, 5), day('2024-01-03', 2, 8)]);
    expect(t.tsql(['run', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-04', '--threads', '3']).code).toBe(0);
    expect(await t.daily()).toEqual([day('2024-01-01', 2, 30), day('2024-01-02', 1, 5), day('2024-01-03', 2, 8)]);
  });
});

describe('microbatch: mistakes before the run (exit 2, file and line)', () => {
  const model = (cfg: string) => `{{ config(materialized='incremental', incremental_strategy='microbatch'${cfg}) }}\nselect 1 as v, current_date as d`;

  it('names what a microbatch model lacks, and bad values where they are set', () => {
    const p = project({ 'models/m.sql': model(", batch_size='week'") });
    const r = p.tsql(['run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("models/m.sql:1: microbatch model 'm' needs event_time");
    expect(r.stderr).toContain("models/m.sql:1: microbatch model 'm' needs begin");
    expect(r.stderr).toContain("models/m.sql:1: model 'm': batch_size must be hour, day, month, year, not \"week\"");
    p.write({
      'models/m.sql': model(''),
      'models/schema.yml': `version: 2\nmodels:\n  - name: m\n    config:\n      event_time: d\n      batch_size: day\n      begin: 'yesterday'\n      lookback: -1\n`,
    });
    const y = p.tsql(['run']);
    expect(y.code).toBe(2);
    expect(y.stderr).toMatch(/models\/schema\.yml:\d+: model 'm': begin must be a date/);
    expect(y.stderr).toMatch(/models\/schema\.yml:\d+: model 'm': lookback must be a whole number/);
  });

  it('checks --event-time-start/--event-time-end', () => {
    const p = project({ 'models/m.sql': model(", event_time='d', batch_size='day', begin='2024-01-01'") });
    expect(p.tsql(['run', '--event-time-start', '2024-01-01']).stderr).toContain('--event-time-start and --event-time-end go together');
    expect(p.tsql(['run', '--event-time-start', '2024-01-02', '--event-time-end', '2024-01-01']).stderr).toContain('is not before --event-time-end');
    const bad = p.tsql(['run', '--event-time-start', 'monday', '--event-time-end', '2024-01-01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--event-time-start must be a date or a date and time (UTC)");
    expect(p.tsql(['run', '--start', '2024-01-01', '--end', '2024-01-02', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-02']).code).toBe(2);
    const full = p.tsql(['run', '--full-refresh', '--start', '2024-01-01', '--end', '2024-01-02']);
    expect(full.code).toBe(2);
    expect(full.stderr).toContain("--full-refresh with --start/--end would rebuild microbatch model 'm' on every day");
    expect(full.stderr).toContain('--event-time-start 2024-01-01 --event-time-end 2024-01-03');
  });

  it('warns about microbatch keys on other models, and unique_key on a microbatch model', () => {
    const p = project({
      'models/t.sql': `{{ config(materialized='table', batch_size='day') }}\nselect 1 as v`,
      'models/m.sql': model(", event_time='d', batch_size='day', begin='2024-01-01', unique_key='v'").replace('current_date as d', "cast('2024-01-01' as date) as d"),
    });
    const r = p.tsql(['run', '--ds', '2024-01-01']);
    expect(r.code, out(r)).toBe(0);
    expect(out(r)).toContain("models/t.sql:1: model config 'batch_size' is ignored: it applies to incremental_strategy 'microbatch' only");
    expect(out(r)).toContain("models/m.sql:1: model config 'unique_key' is ignored: a microbatch model replaces each batch's event_time window");
  });

  it('a batch whose rows fall outside its window fails, since a rerun would add them again', () => {
    const p = project({ 'models/m.sql': model(", event_time='d', batch_size='day', begin='2024-01-01'").replace('current_date as d', "cast('2023-01-01' as date) as d") });
    const r = p.tsql(['run', '--ds', '2024-01-01']);
    expect(r.code).toBe(1);
    expect(out(r)).toContain('1 row of the batch has an event_time (d) outside the batch\'s window or NULL');
  });
});
