/**
 * Snapshots on the Redshift stand-in (Data API, executing on PostgreSQL) and
 * the Snowflake stand-in (behind the real snowflake-sdk, where DDL is not
 * transactional): the same history across runs as on DuckDB and PostgreSQL,
 * and on Snowflake a failed run that leaves the table as it was. The CLI runs
 * without blocking this process (runCliAsync), which serves the stand-ins.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/project.js';
import { dump, ok, runScenario, SNAPSHOT_FILES, SOURCE_RUNS, type SnapshotEngine } from '../helpers/snapshot-scenario.js';
import { useStandins, type StandinProject } from '../helpers/standins.js';

const standins = useStandins('snap');

/** A snapshot scenario's view of a project on a stand-in. */
function engine(s: StandinProject): SnapshotEngine & { dir: string } {
  return { dir: s.p.dir, tsql: (args) => runCliAsync(args, s.p.dir, s.env), rows: (sql) => s.query(sql), rel: (n) => `${s.schemaSql}.${n}`, write: (f) => s.p.write(f) };
}

const redshift = (files: Record<string, string>) => engine(standins.redshift(files));
const snowflake = (files: Record<string, string>) => engine(standins.snowflake(files));

describe('snapshots on the Redshift stand-in (Data API)', () => {
  it('records history across runs for both strategies and every hard_deletes mode; a rerun changes nothing', async () => {
    await runScenario(redshift(SNAPSHOT_FILES), 'snapshot');
  });
});

describe('snapshots on the Snowflake stand-in', () => {
  it('records history across runs for both strategies and every hard_deletes mode; a rerun changes nothing', async () => {
    await runScenario(snowflake(SNAPSHOT_FILES), 'build');
  });

  it('a failed run (DML in one transaction, columns added before it dropped again) leaves the table as it was', async () => {
    const e = snowflake({
      'seeds/raw_orders.csv': SOURCE_RUNS[0],
      'snapshots/orders.sql': `{% snapshot orders_snapshot %}\n{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate') }}\nselect * from {{ ref('raw_orders') }}\n{% endsnapshot %}\n`,
    });
    ok(await e.tsql(['build']));
    const before = await dump(e, 'orders_snapshot');
    const columns = async () => (await e.rows(`select * from ${e.rel('orders_snapshot')} limit 1`)).map((r) => Object.keys(r).sort());
    const shape = await columns();
    // a new column, a changed row whose amount the table cannot take, a deleted row
    e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at,note\n1,eu,open,10,2024-01-01 10:00:00,x\n2,eu,paid,oops,2024-01-02 10:00:00,y\n` });
    const failed = await e.tsql(['build']);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stdout).toContain("Numeric value 'oops' is not recognized");
    expect(await dump(e, 'orders_snapshot')).toBe(before);
    // the column was added before the transaction, and dropped again when it failed
    expect(readFileSync(join(e.dir, 'target/run/shop/snapshots/orders_snapshot.sql'), 'utf8')).toMatch(/alter table .*"ORDERS_SNAPSHOT" add column "NOTE"[\s\S]*\nbegin;[\s\S]*\nmerge into /);
    expect(await columns()).toEqual(shape);
    e.write({ 'seeds/raw_orders.csv': `id,region,status,amount,updated_at,note\n1,eu,open,10,2024-01-01 10:00:00,x\n2,eu,paid,25,2024-01-02 10:00:00,y\n` });
    ok(await e.tsql(['build']));
    expect(await e.rows(`select id, amount, note from ${e.rel('orders_snapshot')} where dbt_valid_to is null order by id`)).toEqual([
      { id: 1, amount: 10, note: null },
      { id: 2, amount: 25, note: 'y' },
    ]);
  });
});
