/**
 * incremental_strategy 'microbatch' on the Redshift stand-in (Data API, executing on
 * PostgreSQL) and on the Snowflake stand-in (behind the real snowflake-sdk): a first
 * run from begin, an incremental run picking up a late row through lookback, and a
 * failing batch that leaves the other days. The CLI runs without blocking this
 * process, which serves the stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { runCliAsync, type CliResult } from '../helpers/project.js';
import { useStandins } from '../helpers/standins.js';
import { microbatchFiles } from '../fixtures/microbatch.js';

const standins = useStandins('mbw');

interface Warehouse {
  tsql(args: string[]): Promise<CliResult>;
  /** `day|events|amount` per row of the model */
  daily(): Promise<string[]>;
  /** SQL on the warehouse; `$s` is the schema */
  exec(sql: string): Promise<unknown>;
}

function redshift(): Warehouse {
  const w = standins.redshift(microbatchFiles());
  const exec = (sql: string) => w.query(sql.replaceAll('$s', w.schemaSql));
  return {
    tsql: (args) => runCliAsync(args, w.p.dir, w.env),
    daily: async () => (await exec('select day::text as day, events, amount from $s.daily order by day')).map((r) => `${String(r.day)}|${Number(r.events)}|${Number(r.amount)}`),
    exec,
  };
}

function snowflake(): Warehouse {
  const w = standins.snowflake(microbatchFiles());
  const exec = (sql: string) => w.query(sql.replaceAll('$s', w.schemaSql));
  return {
    tsql: (args) => runCliAsync(args, w.p.dir, w.env),
    daily: async () => (await exec('select to_varchar(day) as day, events, amount from $s.daily order by day')).map((r) => `${String(r.day)}|${Number(r.events)}|${Number(r.amount)}`),
    exec,
  };
}

const out = (r: CliResult) => r.stdout + r.stderr;

for (const [name, make] of [
  ['the Redshift stand-in (Data API)', redshift],
  ['the Snowflake stand-in', snowflake],
] as const) {
  describe(`microbatch on ${name}`, () => {
    it('builds from begin, picks up a late row through lookback, and keeps the other days when one batch fails', async () => {
      const w = make();
      const first = await w.tsql(['build', '--ds', '2024-01-03']);
      expect(first.code, out(first)).toBe(0);
      expect(out(first)).toContain('MICROBATCH (3 batches, 3 rows)');
      expect(await w.daily()).toEqual(['2024-01-01|2|30', '2024-01-02|1|5', '2024-01-03|2|8']);

      await w.exec(`insert into $s.events (id, occurred_at, amount, note) values (5, '2024-01-02 12:00:00', 100, '5')`);
      const again = await w.tsql(['run', '--ds', '2024-01-03']);
      expect(again.code, out(again)).toBe(0);
      expect(out(again)).toMatch(/batch 1 of 2 OK 2024-01-02 /);
      expect(await w.daily()).toEqual(['2024-01-01|2|30', '2024-01-02|2|105', '2024-01-03|2|8']);
      expect((await w.tsql(['run', '--ds', '2024-01-03'])).code).toBe(0);
      expect(await w.daily()).toEqual(['2024-01-01|2|30', '2024-01-02|2|105', '2024-01-03|2|8']);

      await w.exec(`insert into $s.events (id, occurred_at, amount, note) values (6, '2024-01-01 01:00:00', 1, '1'), (7, '2024-01-02 01:00:00', 1, 'x'), (8, '2024-01-03 01:00:00', 1, '1')`);
      const bad = await w.tsql(['run', '--event-time-start', '2024-01-01', '--event-time-end', '2024-01-04']);
      expect(bad.code, out(bad)).toBe(1);
      expect(out(bad)).toMatch(/batch 2 of 3 ERROR 2024-01-02 /);
      expect(out(bad)).toContain('PARTIAL SUCCESS (2 of 3 batches)');
      expect(await w.daily()).toEqual(['2024-01-01|3|31', '2024-01-02|2|105', '2024-01-03|3|9']);
      await w.exec(`update $s.events set note = '1' where note = 'x'`);
      const retry = await w.tsql(['retry']);
      expect(retry.code, out(retry)).toBe(0);
      expect(out(retry)).toMatch(/batch 1 of 1 OK 2024-01-02 /);
      expect(await w.daily()).toEqual(['2024-01-01|3|31', '2024-01-02|3|106', '2024-01-03|3|9']);
    });
  });
}
