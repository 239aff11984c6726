/**
 * One run at a time per target schema. PostgreSQL: an advisory lock held on a
 * connection of its own; the second run names the first (host, pid, start) or
 * queues with --wait. A run killed with SIGKILL leaves statements running on
 * the server: the next run ends them and succeeds. DuckDB: the engine's file
 * lock, with a clear message and --wait.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPgProxy, type PgProxy } from '../redshift-standin/pg-proxy.js';
import { runCliAsync, useProjects, type TempProject } from '../helpers/project.js';
import { collide, GATED_PG_MODEL, pgGate, startRun } from '../helpers/run-lock.js';
import { pgConnection, pgProfile, pgQuery, uniqueSchema } from '../helpers/pg-server.js';

const project = useProjects();
const PASSWORD_ENV = 'TSQL_TEST_PG_PASSWORD';
const schemas: string[] = [];

afterEach(async () => {
  const drop = schemas.splice(0);
  if (drop.length) await pgQuery(drop.map((s) => `drop schema if exists "${s}" cascade`).join(';\n'));
});

const SLOW_PG = "{{ config(materialized='table') }}\nselect 1 as id from (select pg_sleep({{ var('sleep', 0) }})) s\n";

/** `extra`: more lines of the output (indented as its keys). */
function pgProject(files: Record<string, string>, extra = ''): { p: TempProject; schema: string; env: Record<string, string> } {
  const c = pgConnection();
  const schema = uniqueSchema('lock');
  schemas.push(schema);
  return { p: project(files, { profile: pgProfile(schema, PASSWORD_ENV) + extra }), schema, env: { [PASSWORD_ENV]: c.password } };
}

describe('run lock on PostgreSQL', () => {
  it('a second run on the same schema fails at once naming the first (host, pid, start), and --wait queues behind it', async () => {
    const { p, env } = pgProject({ 'models/slow.sql': GATED_PG_MODEL });
    const gate = await pgGate();
    const { refused } = await collide(['run'], p.dir, env, 'postgres schema', gate.release);
    expect(refused.stderr).not.toMatch(/pg_type_typname_nsp_index|duplicate key/);
  });

  it('--wait SECONDS gives up after that long with the same message', async () => {
    const { p, env } = pgProject({ 'models/slow.sql': SLOW_PG });
    let second: ReturnType<typeof runCliAsync> | undefined;
    let t0 = 0;
    const first = startRun(['run', '--vars', '{sleep: 6}'], p.dir, env, () => {
      t0 = Date.now();
      second = runCliAsync(['run', '--wait', '1'], p.dir, env);
    });
    const r1 = first;
    const r2 = await (async () => {
      while (!second) {
        await Promise.race([r1, new Promise((r) => setTimeout(r, 50))]);
        if (!second) expect((await Promise.race([r1, Promise.resolve(undefined)]))?.stderr ?? '').toBe('');
      }
      return second;
    })();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r2.code, r2.stdout + r2.stderr).toBe(1);
    expect(r2.stderr).toContain('another tsql run holds the lock');
    expect((await first).code).toBe(0);
  });

  it('after SIGKILL the server-side statements are ended: an immediate rerun succeeds and nothing is left running (3 times)', async () => {
    const { p, env, schema } = pgProject({ 'models/slow.sql': SLOW_PG });
    for (let i = 0; i < 3; i++) {
      const killed = startRun(['run', '--vars', '{sleep: 60}'], p.dir, env, (child) => setTimeout(() => child.kill('SIGKILL'), 300));
      const r1 = await killed;
      expect(r1.signal).toBe('SIGKILL');
      // the killed run's statement still runs on the server
      const before = await pgQuery("select pid from pg_stat_activity where query like '%pg_sleep%' and application_name like 'tsql %' and state = 'active'");
      expect(before.length).toBeGreaterThan(0);
      const r2 = await runCliAsync(['run'], p.dir, env);
      expect(r2.code, r2.stdout + r2.stderr).toBe(0);
      const left = await pgQuery("select pid, application_name, query from pg_stat_activity where application_name like 'tsql %'");
      expect(left).toEqual([]);
      const rows = await pgQuery(`select count(*)::int as n from "${schema}"."slow"`);
      expect(rows[0].n).toBe(1);
    }
  });

  it("after SIGKILL the killed run's statements are ended when the profile names the connections (application_name)", async () => {
    const { p, env, schema } = pgProject({ 'models/slow.sql': SLOW_PG }, '      application_name: nightly-shop\n');
    const killed = startRun(['run', '--vars', '{sleep: 60}'], p.dir, env, (child) => setTimeout(() => child.kill('SIGKILL'), 300));
    expect((await killed).signal).toBe('SIGKILL');
    // its connections carry the profile's name, not tsql's: they are found by the run's worker lock
    const before = await pgQuery("select pid from pg_stat_activity where query like '%pg_sleep%' and application_name = 'nightly-shop' and state = 'active'");
    expect(before.length).toBeGreaterThan(0);
    const r2 = await runCliAsync(['run'], p.dir, env);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
    expect(await pgQuery("select pid from pg_stat_activity where query like '%pg_sleep%' and state = 'active' and pid <> pg_backend_pid()")).toEqual([]);
    expect((await pgQuery(`select count(*)::int as n from "${schema}"."slow"`))[0].n).toBe(1);
  });
});

describe('run lock on DuckDB', () => {
  it('a second process on the file gets a clear message, and --wait queues until the file is free', async () => {
    const p = project({ 'models/one.sql': 'select 1 as id\n' });
    const holder = await DuckDBInstance.create(p.dbPath);
    try {
      const r = await runCliAsync(['run'], p.dir);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: another tsql run holds ${p.dbPath} (process ${process.pid})`);
      expect(r.stderr).toContain('--wait');
      expect(r.stderr).not.toContain('Could not set lock on file');
      const waiting = runCliAsync(['run', '--wait'], p.dir);
      setTimeout(() => holder.closeSync(), 1500);
      const w = await waiting;
      expect(w.code, w.stdout + w.stderr).toBe(0);
      expect(w.stdout).toContain(`another tsql run holds ${p.dbPath}`);
      expect(w.stdout).toContain('waiting');
    } finally {
      try {
        holder.closeSync();
      } catch {
        // closed already
      }
    }
  });

  it('--wait takes whole seconds', async () => {
    const p = project({ 'models/one.sql': 'select 1 as id\n' });
    const r = await runCliAsync(['run', '--wait', 'soon'], p.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--wait takes a number of seconds");
  });
});

describe('run lock on Redshift (method pg, stand-in)', () => {
  let proxy: PgProxy;
  let s3Root = '';
  let wh = '';
  beforeAll(async () => {
    s3Root = mkdtempSync(join(tmpdir(), 'tsql-s3-'));
    wh = `lock_${Math.random().toString(36).slice(2, 10)}`;
    await pgQuery(`create database "${wh}"`);
    proxy = await startPgProxy({ pg: { ...pgConnection(), database: 'postgres' }, s3Root });
  });
  afterAll(async () => {
    await proxy?.close();
    rmSync(s3Root, { recursive: true, force: true });
    await pgQuery(`drop database if exists "${wh}" with (force)`).catch(() => undefined);
  });

  it('a run holding the lock table stops the next one with its name, and --wait queues behind it', async () => {
    const c = pgConnection();
    const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: pg\n      host: ${proxy.host}\n      port: ${proxy.port}\n      user: ${c.user}\n      password: "{{ env_var('${PASSWORD_ENV}') }}"\n      dbname: ${wh}\n      sslmode: disable\n      schema: main\n      threads: 1\n`;
    const p = project({ 'models/one.sql': "{{ config(materialized='table') }}\nselect 1 as id\n" }, { profile });
    const env = { [PASSWORD_ENV]: c.password };
    const first = await runCliAsync(['run'], p.dir, env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // another run, as tsql takes it: the lock table locked in an open transaction, its name committed beside it
    const holder = new pg.Client({ host: proxy.host, port: proxy.port, user: c.user, password: c.password, database: wh, ssl: false });
    await holder.connect();
    try {
      await holder.query(`update main.tsql_run_lock_holder set run = '4242@ci-7 20240103T060012Z'`);
      await holder.query('begin');
      await holder.query('lock main.tsql_run_lock');
      const r = await runCliAsync(['run'], p.dir, env);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain('error: another tsql run holds the lock on redshift schema main of database');
      expect(r.stderr).toContain('on host ci-7, pid 4242, started 2024-01-03 06:00:12 UTC; wait for it to finish, or pass --wait [SECONDS]');
      const waiting = runCliAsync(['run', '--wait', '60'], p.dir, env);
      setTimeout(() => void holder.query('commit'), 2500);
      const w = await waiting;
      expect(w.code, w.stdout + w.stderr).toBe(0);
      expect(w.stdout).toContain('waiting up to 60 s');
    } finally {
      await holder.end();
    }
  });

  it('after SIGKILL the next run ends the statements the killed run left executing (found by their query_group)', async () => {
    const c = pgConnection();
    const profile = `shop:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: pg\n      host: ${proxy.host}\n      port: ${proxy.port}\n      user: ${c.user}\n      password: "{{ env_var('${PASSWORD_ENV}') }}"\n      dbname: ${wh}\n      sslmode: disable\n      schema: killed\n      threads: 1\n`;
    const p = project({ 'models/slow.sql': SLOW_PG }, { profile });
    const env = { [PASSWORD_ENV]: c.password };
    const sleeping = () => pgQuery(`select pid from pg_stat_activity where datname = '${wh}' and query like '%pg_sleep%' and state = 'active'`);
    const killed = startRun(['run', '--vars', '{sleep: 60}'], p.dir, env, (child) => setTimeout(() => child.kill('SIGKILL'), 300));
    expect((await killed).signal).toBe('SIGKILL');
    // the server goes on executing it: nothing told it the client is gone
    expect((await sleeping()).length).toBeGreaterThan(0);
    const next = await runCliAsync(['run'], p.dir, env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(await sleeping()).toEqual([]);
    expect(await pgQuery('select count(*)::int as n from killed.slow', { ...c, database: wh })).toEqual([{ n: 1 }]);
  });
});
